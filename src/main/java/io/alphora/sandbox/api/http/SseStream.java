package io.alphora.sandbox.api.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * One Server-Sent-Events response: {@code id: <seq>} and one JSON event per {@code data:} line (so a
 * browser's {@code EventSource} resumes with {@code Last-Event-ID}), a {@code : keepalive} comment every
 * {@code keepalive_ms}. Events that come before {@link #open()} (the run's reply) wait and go first.
 * A client that reads too slowly gets an {@code error} event and the end of the response.
 */
final class SseStream {
  private final Vertx vertx;
  private final RoutingContext ctx;
  private final StreamSettings settings;
  private final List<Buffer> early = new ArrayList<>();
  private BoundedSender out;
  private boolean ended;
  private boolean endWhenOpen;
  private long timer = -1;
  private Runnable onClose = () -> { };

  SseStream(Vertx vertx, RoutingContext ctx, StreamSettings settings) {
    this.vertx = vertx;
    this.ctx = ctx;
    this.settings = settings;
  }

  void onClose(Runnable r) { onClose = r; }

  void event(JsonObject e) {
    Object seq = e.getValue("seq");
    Buffer frame = Buffer.buffer((seq == null ? "" : "id: " + seq + "\n") + "data: ").appendBuffer(EventFrames.encode(e))
        .appendString("\n\n");
    if (out == null) {
      early.add(frame);
    } else {
      out.send(frame);
    }
  }

  void open() {
    HttpServerResponse r = ctx.response();
    if (r.ended() || r.closed()) {
      onClose.run();
      return;
    }
    r.setStatusCode(200).setChunked(true).putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-store").putHeader("X-Accel-Buffering", "no");
    r.closeHandler(v -> finish());
    out = new BoundedSender(r, r::write, settings.queueBytes(), this::overflow);
    r.write(": stream of run events\n\n");
    early.forEach(out::send);
    early.clear();
    timer = vertx.setPeriodic(settings.keepaliveMs(), t -> out.send(": keepalive\n\n"));
    if (endWhenOpen) {
      end();
    }
  }

  /** Ends the response after the run's last event. */
  void end() {
    if (out == null) {
      endWhenOpen = true;
      return;
    }
    if (!ended) {
      finish();
      HttpServerResponse r = ctx.response();
      out.afterFlush(() -> {
        if (!r.ended() && !r.closed()) {
          r.end();
        }
      });
    }
  }

  private void overflow() {
    out.sendFinal("data: " + WsSession.frame(null, null, "payload_too_large", "this client reads too slowly: "
        + "more than " + settings.queueBytes() + " characters of events waited to be sent; attach again with "
        + "GET …/executions/{exec_id}/events?from_seq=N") + "\n\n");
    end();
  }

  private void finish() {
    if (!ended) {
      ended = true;
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
      onClose.run();
    }
  }
}
