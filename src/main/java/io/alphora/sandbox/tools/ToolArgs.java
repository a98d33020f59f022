package io.alphora.sandbox.tools;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Typed access to arguments that passed {@link ArgsValidator}; absent and null read as the default. */
final class ToolArgs {
  private final JsonObject args;

  ToolArgs(JsonObject args) { this.args = args; }

  String string(String name) { return args.getString(name); }

  String string(String name, String def) {
    String v = args.getString(name);
    return v == null ? def : v;
  }

  /** An integer argument (validated as integral), or null when absent. */
  Integer integer(String name) {
    Number n = args.getNumber(name);
    return n == null ? null : n.intValue();
  }

  boolean bool(String name, boolean def) {
    Boolean v = args.getBoolean(name);
    return v == null ? def : v;
  }

  List<String> strings(String name) {
    JsonArray a = args.getJsonArray(name);
    List<String> out = new ArrayList<>();
    if (a != null) {
      a.forEach(o -> out.add((String) o));
    }
    return out;
  }
}
