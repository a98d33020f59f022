package io.alphora.sandbox.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The HTTP listener ({@code http:} in the config file).
 *
 * @param host interface to bind ({@code host}, env {@code SANDBOX_HTTP_HOST}, default {@code 127.0.0.1})
 * @param port TCP port, 0 picks a free one ({@code port}, env {@code SANDBOX_HTTP_PORT}, default 8080)
 * @param maxBodyBytes largest accepted JSON request body in bytes ({@code max_body_bytes}, env
 *     {@code SANDBOX_HTTP_MAX_BODY}, default 10 MiB); file uploads stream and are limited elsewhere
 * @param corsOrigins origins allowed by CORS, empty = no CORS headers ({@code cors_origins}, env
 *     {@code SANDBOX_HTTP_CORS_ORIGINS} comma-separated)
 * @param streaming WebSocket and SSE limits ({@code streaming:})
 */
public record HttpConfig(String host, int port, long maxBodyBytes, List<String> corsOrigins, StreamConfig streaming) {

  public HttpConfig {
    corsOrigins = List.copyOf(corsOrigins);
    streaming = streaming == null ? StreamConfig.defaults() : streaming;
  }

  /** With the default streaming limits. */
  public HttpConfig(String host, int port, long maxBodyBytes, List<String> corsOrigins) {
    this(host, port, maxBodyBytes, corsOrigins, StreamConfig.defaults());
  }

  /** The built-in defaults. */
  public static HttpConfig defaults() {
    return new HttpConfig("127.0.0.1", 8080, 10_485_760L, List.of());
  }

  static HttpConfig parse(Section s) {
    HttpConfig d = defaults();
    HttpConfig c = new HttpConfig(
        s.nonBlank("host", d.host()),
        s.integer("port", d.port(), 0, 65535),
        s.longValue("max_body_bytes", d.maxBodyBytes(), 1, Long.MAX_VALUE),
        s.strings("cors_origins", d.corsOrigins()),
        StreamConfig.parse(s.child("streaming")));
    s.done();
    return c;
  }

  JsonObject toJson() {
    return new JsonObject().put("host", host).put("port", port).put("max_body_bytes", maxBodyBytes)
        .put("cors_origins", new JsonArray(corsOrigins)).put("streaming", streaming.toJson());
  }
}
