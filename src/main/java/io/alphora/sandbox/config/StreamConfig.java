package io.alphora.sandbox.config;

import io.vertx.core.json.JsonObject;

/**
 * Limits of the WebSocket and Server-Sent-Events streams ({@code http.streaming:} in the config file).
 *
 * @param wsMaxRuns runs in flight on one WebSocket, then close 4429 ({@code ws_max_runs}, env
 *     {@code SANDBOX_WS_MAX_RUNS}, default 16)
 * @param wsMaxFrameBytes largest client frame, then close 4413; 0 = {@code http.max_body_bytes}
 *     ({@code ws_max_frame_bytes}, env {@code SANDBOX_WS_MAX_FRAME_BYTES}, default 0)
 * @param queueBytes bytes of events waiting for a slow client (socket or SSE response) before it gets an
 *     {@code error} and is closed ({@code queue_bytes}, env {@code SANDBOX_STREAM_QUEUE_BYTES}, default 16 MiB)
 * @param keepaliveSeconds seconds between keepalives ({@code keepalive_seconds}, env
 *     {@code SANDBOX_STREAM_KEEPALIVE}, default 15)
 * @param wsIdleSeconds a socket with no run and no client frame for this long is closed with 4408
 *     ({@code ws_idle_seconds}, env {@code SANDBOX_WS_IDLE_TIMEOUT}, default 300)
 */
public record StreamConfig(int wsMaxRuns, long wsMaxFrameBytes, long queueBytes, int keepaliveSeconds,
    int wsIdleSeconds) {

  /** The built-in defaults. */
  public static StreamConfig defaults() { return new StreamConfig(16, 0, 16L << 20, 15, 300); }

  static StreamConfig parse(Section s) {
    StreamConfig d = defaults();
    StreamConfig c = new StreamConfig(
        s.integer("ws_max_runs", d.wsMaxRuns(), 1, 100_000),
        s.longValue("ws_max_frame_bytes", d.wsMaxFrameBytes(), 0, Integer.MAX_VALUE / 4),
        s.longValue("queue_bytes", d.queueBytes(), 65_536, Long.MAX_VALUE),
        s.integer("keepalive_seconds", d.keepaliveSeconds(), 1, 3600),
        s.integer("ws_idle_seconds", d.wsIdleSeconds(), 1, 86_400));
    s.done();
    return c;
  }

  JsonObject toJson() {
    return new JsonObject().put("ws_max_runs", wsMaxRuns).put("ws_max_frame_bytes", wsMaxFrameBytes)
        .put("queue_bytes", queueBytes).put("keepalive_seconds", keepaliveSeconds)
        .put("ws_idle_seconds", wsIdleSeconds);
  }
}
