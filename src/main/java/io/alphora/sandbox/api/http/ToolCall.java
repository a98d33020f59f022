package io.alphora.sandbox.api.http;

import io.alphora.sandbox.SandboxException.InvalidRequestException;
import io.alphora.sandbox.ToolResult;
import io.alphora.sandbox.tools.ToolRunner;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;

/**
 * One {@code POST /v1/tools/call} body in any of its three forms: {@code {sandbox_id, name,
 * arguments}}, {@code {sandbox_id, tool_call}} (an OpenAI tool call exactly as the model sent it,
 * {@code arguments} being a JSON string) or {@code {sandbox_id, tool_use}} (an Anthropic
 * {@code tool_use} block). Problems with the body are {@code invalid_request}; problems with the
 * arguments are the tool's {@code Invalid parameters} envelope, so the model gets to see them.
 */
record ToolCall(String sandboxId, String name, Object arguments, Vendor vendor, String callId) {
  /** Whose message format the answer carries. */
  enum Vendor { NONE, OPENAI, ANTHROPIC }

  private static final Set<String> FIELDS = Set.of("sandbox_id", "name", "arguments", "tool_call", "tool_use");

  static ToolCall parse(JsonObject body) {
    for (String k : body.fieldNames()) {
      if (!FIELDS.contains(k)) {
        throw invalid("unknown field '" + k + "': give sandbox_id and one of name (+ arguments), tool_call or "
            + "tool_use", k);
      }
    }
    String sandboxId = string(body, "sandbox_id", "sandbox_id");
    int forms = (body.containsKey("name") ? 1 : 0) + (body.containsKey("tool_call") ? 1 : 0)
        + (body.containsKey("tool_use") ? 1 : 0);
    if (forms != 1) {
      throw invalid("give exactly one of 'name' (with 'arguments'), 'tool_call' (OpenAI) or 'tool_use' (Anthropic)",
          "name");
    }
    if (body.containsKey("arguments") && !body.containsKey("name")) {
      throw invalid("'arguments' goes with 'name'; a tool_call carries function.arguments, a tool_use its input",
          "arguments");
    }
    if (body.containsKey("name")) {
      return new ToolCall(sandboxId, string(body, "name", "name"), body.getValue("arguments"), Vendor.NONE, null);
    }
    if (body.containsKey("tool_call")) {
      JsonObject call = object(body, "tool_call", "tool_call");
      kind(call, "function", "tool_call");
      JsonObject fn = object(call, "function", "tool_call.function");
      return new ToolCall(sandboxId, string(fn, "name", "tool_call.function.name"), fn.getValue("arguments"),
          Vendor.OPENAI, string(call, "id", "tool_call.id"));
    }
    JsonObject use = object(body, "tool_use", "tool_use");
    kind(use, "tool_use", "tool_use");
    return new ToolCall(sandboxId, string(use, "name", "tool_use.name"), use.getValue("input"), Vendor.ANTHROPIC,
        string(use, "id", "tool_use.id"));
  }

  /**
   * The arguments as an object: absent or {@code ""} is {@code {}}; a string is decoded (OpenAI sends
   * JSON text). Null when they are unusable, with {@link #argumentsProblem()} saying why.
   */
  JsonObject argumentsObject() {
    if (arguments == null || "".equals(arguments)) {
      return new JsonObject();
    }
    if (arguments instanceof JsonObject o) {
      return o;
    }
    if (arguments instanceof String s) {
      try {
        return new JsonObject(s);
      } catch (DecodeException | ClassCastException e) {
        return null;
      }
    }
    return null;
  }

  /** The envelope for arguments {@link #argumentsObject()} could not use. */
  ToolResult argumentsProblem() {
    String what = arguments instanceof String ? "the arguments are not a JSON object (could not decode "
        + abbreviate((String) arguments) + ")" : "the arguments must be a JSON object";
    return ToolRunner.invalidArguments(name, what);
  }

  /** What the vendor's next request needs, or null for the plain form. */
  JsonObject message(ToolResult r) {
    return switch (vendor) {
      case NONE -> null;
      case OPENAI -> new JsonObject().put("role", "tool").put("tool_call_id", callId).put("content", r.toJson());
      case ANTHROPIC -> {
        JsonObject m = new JsonObject().put("type", "tool_result").put("tool_use_id", callId).put("content", r.toJson());
        yield r.success() ? m : m.put("is_error", true);
      }
    };
  }

  private static void kind(JsonObject o, String expected, String where) {
    Object type = o.getValue("type");
    if (type != null && !expected.equals(type)) {
      throw invalid("'" + where + ".type' must be '" + expected + "', got " + type, where + ".type");
    }
  }

  private static String string(JsonObject o, String key, String field) {
    Object v = o.getValue(key);
    if (!(v instanceof String s) || s.isEmpty()) {
      throw invalid("'" + field + "' is required and must be a non-empty string", field);
    }
    return s;
  }

  private static JsonObject object(JsonObject o, String key, String field) {
    Object v = o.getValue(key);
    if (!(v instanceof JsonObject j)) {
      throw invalid("'" + field + "' is required and must be an object", field);
    }
    return j;
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? "'" + s.substring(0, 60) + "…'" : "'" + s + "'";
  }

  private static InvalidRequestException invalid(String message, String field) {
    return new InvalidRequestException(message, Map.of("field", field));
  }
}
