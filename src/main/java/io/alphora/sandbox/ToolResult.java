package io.alphora.sandbox;

import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The seed's tool result envelope {@code {success, output, error, …extra}}: what every agent tool
 * returns, to a model as JSON. {@code output} is a plain JSON value (string, boolean, number, list,
 * map or null); {@code error} is {@code ""} on success, as in the seed. {@code extra} holds the
 * per-tool fields that follow {@code error} ({@code execution_time}, {@code return_code},
 * {@code timed_out}, {@code file_info}, {@code truncated}, {@code full_output_path}, …), in order.
 */
public record ToolResult(boolean success, Object output, String error, Map<String, Object> extra) {

  public ToolResult {
    error = error == null ? "" : error;
    // LinkedHashMap, not Map.copyOf: the order is part of the rendered JSON and values may be null
    extra = extra == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
  }

  /** The seed's {@code _success(output, **extra)}. */
  public static ToolResult ok(Object output) { return new ToolResult(true, output, "", Map.of()); }

  public static ToolResult ok(Object output, Map<String, Object> extra) {
    return new ToolResult(true, output, "", extra);
  }

  /** The seed's {@code _error(error, output)}: {@code output} is the tool's default for failures. */
  public static ToolResult failure(String error, Object output) {
    return new ToolResult(false, output, error, Map.of());
  }

  /** A copy with one more (or a replaced) extra field, appended after the existing ones. */
  public ToolResult withExtra(String key, Object value) {
    Map<String, Object> e = new LinkedHashMap<>(extra);
    e.put(key, value);
    return new ToolResult(success, output, error, e);
  }

  public ToolResult withOutput(Object newOutput) { return new ToolResult(success, newOutput, error, extra); }

  public ToolResult withError(String newError) { return new ToolResult(success, output, newError, extra); }

  /** {@code {success, output, error, …extra}} in that order, as the seed's dict. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("success", success);
    m.put("output", output);
    m.put("error", error);
    m.putAll(extra);
    return m;
  }

  /** The envelope as compact JSON (what a model receives as a tool message's content). */
  public String toJson() { return new JsonObject(toMap()).encode(); }
}
