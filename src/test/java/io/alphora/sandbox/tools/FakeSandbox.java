package io.alphora.sandbox.tools;

import io.alphora.sandbox.Sandbox;
import io.vertx.core.Future;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A {@link Sandbox} that records calls and answers from a table; an unexpected call fails its future,
 * so a test sees which Java API call a tool made, with which arguments, and nothing else.
 */
final class FakeSandbox {
  record Call(String method, Object[] args) {}

  final List<Call> calls = new ArrayList<>();
  private final Map<String, Function<Object[], Future<?>>> answers = new HashMap<>();

  FakeSandbox answer(String method, Function<Object[], Future<?>> f) {
    answers.put(method, f);
    return this;
  }

  FakeSandbox answer(String method, Object value) { return answer(method, a -> Future.succeededFuture(value)); }

  Sandbox sandbox() {
    return (Sandbox) Proxy.newProxyInstance(Sandbox.class.getClassLoader(), new Class<?>[] {Sandbox.class},
        (proxy, m, args) -> {
          if (m.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, m, args); // e.g. saveFile -> writeFile
          }
          if (m.getName().equals("id")) {
            return "sbx_fake";
          }
          calls.add(new Call(m.getName(), args == null ? new Object[0] : args));
          Function<Object[], Future<?>> f = answers.get(m.getName());
          return f == null ? Future.failedFuture(new AssertionError("unexpected call " + m.getName())) : f.apply(args);
        });
  }

  List<String> methods() { return calls.stream().map(Call::method).toList(); }

  Call only(String method) {
    List<Call> c = calls.stream().filter(x -> x.method().equals(method)).toList();
    if (c.size() != 1) {
      throw new AssertionError("expected one call of " + method + ", got " + methods());
    }
    return c.get(0);
  }
}
