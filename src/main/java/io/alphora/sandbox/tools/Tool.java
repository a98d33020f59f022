package io.alphora.sandbox.tools;

import io.vertx.core.json.JsonObject;

/**
 * One agent tool. {@code parameters} is the seed's schema exactly as rendered to models;
 * {@code validation} is the stricter copy arguments are checked against (no unknown keys, positive
 * timeouts), kept apart so the rendered schemas stay byte-for-byte the seed's.
 */
record Tool(String name, String description, JsonObject parameters, JsonObject validation, Object failureOutput,
    ToolHandler handler) {

  static Tool of(String name, String description, JsonObject parameters, Object failureOutput, ToolHandler handler) {
    return new Tool(name, description, parameters, strict(parameters), failureOutput, handler);
  }

  /** The schema with {@code additionalProperties:false} and a lower bound on every {@code timeout}. */
  private static JsonObject strict(JsonObject parameters) {
    JsonObject v = parameters.copy().put("additionalProperties", false);
    JsonObject timeout = v.getJsonObject("properties").getJsonObject("timeout");
    if (timeout != null) {
      // the seed took timeout=0 as "use the default" and crashed on negatives: here both are refused
      timeout.put("minimum", 1).put("x-hint", "omit it to use the sandbox's resource_limits.timeout_seconds");
    }
    return v;
  }
}
