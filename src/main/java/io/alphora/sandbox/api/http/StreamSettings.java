package io.alphora.sandbox.api.http;

import io.vertx.core.json.JsonObject;

/**
 * Limits of the WebSocket and SSE streams, from the HTTP verticle's deployment config, which
 * {@code Main} fills from {@code http.streaming} ({@link io.alphora.sandbox.config.StreamConfig}); defaults in
 * brackets: {@code ws_max_runs} runs in flight per socket [16], then close 4429;
 * {@code ws_max_frame_bytes} largest client frame [{@code max_body_bytes}], then close 4413;
 * {@code stream_queue_bytes} bytes waiting for a slow client [16 MiB], then an {@code error}
 * frame and close 4413 (SSE: an {@code error} event and the end of the response);
 * {@code keepalive_ms} [15 000]; {@code ws_idle_ms} a socket with no run and no client frame for
 * that long is closed with 4408 [300 000].
 */
record StreamSettings(int maxRuns, long maxFrameBytes, long queueBytes, long keepaliveMs, long idleMs) {
  static StreamSettings from(JsonObject c) {
    long body = c.getLong("max_body_bytes", 10_485_760L);
    long frame = c.getLong("ws_max_frame_bytes", 0L);
    return new StreamSettings(c.getInteger("ws_max_runs", 16), frame > 0 ? frame : body,
        c.getLong("stream_queue_bytes", 16L << 20), c.getLong("keepalive_ms", 15_000L),
        c.getLong("ws_idle_ms", 300_000L));
  }
}
