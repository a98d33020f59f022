package io.alphora.sandbox.tools;

import io.alphora.sandbox.ToolFormat;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders the catalog for a vendor. Every call builds new plain maps and lists (no Vert.x types), so
 * a caller may change what it gets (e.g. add a parameter) without touching the catalog or another
 * caller's copy: the seed's {@code get_tool_definitions()} handed out its shared dicts.
 */
public final class ToolDefinitions {
  private ToolDefinitions() {}

  /** The 20 tool names in registry order. */
  public static List<String> names() { return ToolCatalog.TOOLS.stream().map(Tool::name).toList(); }

  public static boolean exists(String name) { return ToolCatalog.find(name) != null; }

  /** All tools in one format, in registry order. */
  public static List<Map<String, Object>> render(ToolFormat format) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Tool t : ToolCatalog.TOOLS) {
      out.add(render(t, format));
    }
    return out;
  }

  /** The seed's {@code TOOL_DEFINITIONS}: name → {@code {name, description, parameters}}. */
  public static Map<String, Map<String, Object>> byName() {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    ToolCatalog.TOOLS.forEach(t -> out.put(t.name(), render(t, ToolFormat.GENERIC)));
    return out;
  }

  private static Map<String, Object> render(Tool t, ToolFormat format) {
    Map<String, Object> schema = plainMap(t.parameters());
    Map<String, Object> m = new LinkedHashMap<>();
    switch (format) {
      case OPENAI -> {
        Map<String, Object> fn = new LinkedHashMap<>();
        fn.put("name", t.name());
        fn.put("description", t.description());
        fn.put("parameters", schema);
        m.put("type", "function");
        m.put("function", fn);
      }
      case ANTHROPIC, MCP, GENERIC -> {
        m.put("name", t.name());
        m.put("description", t.description());
        m.put(switch (format) {
          case ANTHROPIC -> "input_schema";
          case MCP -> "inputSchema";
          default -> "parameters";
        }, schema);
      }
    }
    return m;
  }

  /** A Vert.x JSON tree as fresh LinkedHashMaps and ArrayLists. */
  static Map<String, Object> plainMap(JsonObject o) {
    Map<String, Object> m = new LinkedHashMap<>();
    o.forEach(e -> m.put(e.getKey(), plain(e.getValue())));
    return m;
  }

  static Object plain(Object v) {
    if (v instanceof JsonObject o) {
      return plainMap(o);
    }
    if (v instanceof JsonArray a) {
      List<Object> l = new ArrayList<>();
      a.forEach(x -> l.add(plain(x)));
      return l;
    }
    return v;
  }
}
