package io.alphora.sandbox.backend.docker;

import static io.alphora.sandbox.TestSupport.await;

import com.github.dockerjava.api.model.Container;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.bus.Actions;
import io.alphora.sandbox.bus.Addresses;
import io.alphora.sandbox.bus.BusClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What the warm-pool tests look at, for either workspace mode: the warm containers of a base path,
 * how many the pool holds ready as the backend reports it, and which container a sandbox got. The
 * Vert.x, manager and base path are asked for each time (a test may restart the service).
 */
final class WarmPoolWatch {
  private final Supplier<Vertx> vertx;
  private final Supplier<SandboxManager> manager;
  private final Supplier<Path> base;

  WarmPoolWatch(Supplier<Vertx> vertx, Supplier<SandboxManager> manager, Supplier<Path> base) {
    this.vertx = vertx;
    this.manager = manager;
    this.base = base;
  }

  /** Running containers with a pool name: warm ones, not yet handed out. */
  Set<String> warm() {
    return DockerTestSupport.containersOf(base.get()).stream()
        .filter(c -> c.getNames()[0].contains("-pool-") && "running".equals(c.getState()))
        .map(Container::getId).collect(Collectors.toSet());
  }

  /** Warm containers the pool holds ready (its runner connected), as the backend reports them. */
  int ready() {
    BusClient bus = new BusClient(vertx.get(), Addresses.defaults());
    String node = await(manager.get().status()).nodeId();
    JsonObject st = (JsonObject) await(bus.request(bus.addresses().backend(node, "docker"),
        Actions.BACKEND_STATUS, new JsonObject(), 10_000));
    return st.getInteger("warm_containers");
  }

  Set<String> awaitWarm(int n) throws InterruptedException {
    for (int i = 0; i < 300; i++) {
      Set<String> w = warm();
      if (w.size() == n && ready() == n) {
        return w;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the pool did not reach " + n + " warm containers: " + warm());
  }

  /** The sandbox's container, by name (a warm container is renamed in the background once handed out). */
  String containerOf(Sandbox s) throws InterruptedException {
    String name = "-" + s.id();
    for (int i = 0; i < 50; i++) {
      var found = DockerTestSupport.containersOf(base.get()).stream().filter(c -> c.getNames()[0].endsWith(name))
          .map(Container::getId).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no container named *" + name);
  }
}
