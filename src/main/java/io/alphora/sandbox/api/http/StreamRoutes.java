package io.alphora.sandbox.api.http;

import io.alphora.sandbox.Ids;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.bus.Actions;
import io.alphora.sandbox.bus.BusClient;
import io.alphora.sandbox.bus.BusErrors;
import io.alphora.sandbox.bus.RunFeed;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * Live runs over HTTP: the WebSocket {@code GET /v1/sandboxes/{id}/ws}, Server-Sent Events for
 * {@code POST …/executions} with {@code Accept: text/event-stream}, and {@code GET
 * …/executions/{exec_id}/events} to attach to a run. Both forward the run's bus events ({@link RunFeed}).
 */
final class StreamRoutes {
  /** Set by the authentication handler on a WebSocket upgrade without a valid key: closed with 4401. */
  static final String WS_UNAUTHORIZED = "alphora.ws_unauthorized";
  static final String WS_PATH = "/v1/sandboxes/:id/ws";
  private static final long EXEC_REPLY_MS = 60_000;

  private final Vertx vertx;
  private final StreamSettings settings;

  StreamRoutes(Vertx vertx, StreamSettings settings) {
    this.vertx = vertx;
    this.settings = settings;
  }

  /** Is this request a WebSocket handshake on a sandbox's socket path? */
  static boolean isWsUpgrade(io.vertx.core.http.HttpServerRequest req) {
    return req.path().matches("/v1/sandboxes/[^/]+/ws") && "websocket".equalsIgnoreCase(req.getHeader("Upgrade"));
  }

  void mount(Router r) {
    r.get(WS_PATH).handler(this::webSocket);
    r.get("/v1/sandboxes/:id/executions/:exec/events").handler(SandboxRoutes.h(this::attach));
  }

  private void webSocket(RoutingContext ctx) {
    if (!isWsUpgrade(ctx.request())) {
      Http.error(ctx, 400, "invalid_request", "this endpoint is a WebSocket: connect with 'Upgrade: websocket'");
      return;
    }
    String unauthorized = ctx.get(WS_UNAUTHORIZED);
    BusClient bus = Http.bus(ctx);
    String id = ctx.pathParam("id");
    ctx.request().toWebSocket().onSuccess(ws -> {
      ws.pause();
      if (unauthorized != null) {
        ws.writeTextMessage(WsSession.frame(null, null, "unauthorized", unauthorized));
        ws.close(WsSession.UNAUTHORIZED, "unauthorized");
        return;
      }
      bus.sandbox(id, Actions.INFO, null).onComplete(ar -> {
        if (ar.succeeded()) {
          new WsSession(vertx, ws, bus, id, settings).start();
          return;
        }
        SandboxException e = BusErrors.toSandboxException(ar.cause());
        ws.writeTextMessage(WsSession.frame(null, null, e.code().code(), e.getMessage()));
        ws.close(e.status() == 404 ? WsSession.NOT_FOUND : 1011, e.status() == 404 ? "sandbox not found" : "error");
      });
    });
  }

  /** {@code POST …/executions} with {@code Accept: text/event-stream}: the run's events as SSE. */
  void execute(RoutingContext ctx, JsonObject msg) {
    BusClient bus = Http.bus(ctx);
    String id = ctx.pathParam("id");
    String execId = msg.getValue("exec_id") == null ? Ids.exec() : Ids.checkExecId(String.valueOf(msg.getValue("exec_id")));
    msg.put("exec_id", execId).put("wait", false).put("stream", true);
    SseStream sse = new SseStream(vertx, ctx, settings);
    RunFeed.subscribe(bus, id, execId, sse::event)
        .compose(feed -> {
          feed.endHandler(v -> sse.end());
          feed.lostHandler(t -> lost(sse, execId, t));
          sse.onClose(feed::close);
          return bus.sandbox(id, Actions.EXEC, msg, EXEC_REPLY_MS).onFailure(t -> feed.close());
        })
        .onSuccess(v -> sse.open())
        .onFailure(t -> Http.error(ctx, t));
  }

  /** {@code GET …/executions/{exec_id}/events?from_seq=N} (or {@code Last-Event-ID}): replay, then live. */
  private void attach(RoutingContext ctx) {
    long from = fromSeq(ctx);
    SseStream sse = new SseStream(vertx, ctx, settings);
    RunFeed.attach(Http.bus(ctx), ctx.pathParam("id"), ctx.pathParam("exec"), from, sse::event)
        .onSuccess(feed -> {
          sse.onClose(feed::close);
          feed.endHandler(v -> sse.end());
          feed.lostHandler(t -> lost(sse, ctx.pathParam("exec"), t));
          sse.open();
        })
        .onFailure(t -> Http.error(ctx, t));
  }

  /** Clustered: the run's node left; the stream ends with an {@code error} event (sandbox_lost). */
  private static void lost(SseStream sse, String execId, Throwable t) {
    SandboxException e = BusErrors.toSandboxException(t);
    sse.event(new JsonObject().put("type", "error").put("exec_id", execId)
        .put("error", new JsonObject().put("code", e.code().code()).put("message", e.getMessage())));
    sse.end();
  }

  private static long fromSeq(RoutingContext ctx) {
    String q = ctx.request().getParam("from_seq");
    String last = ctx.request().getHeader("Last-Event-ID");
    try {
      if (q != null && !q.isEmpty()) {
        long v = Long.parseLong(q);
        if (v >= 0) {
          return v;
        }
      } else if (last != null && !last.isBlank()) {
        return Long.parseLong(last.trim()) + 1;
      } else {
        return 0;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new SandboxException.InvalidRequestException("'from_seq' (or Last-Event-ID) must be a non-negative "
        + "integer, got '" + (q != null ? q : last) + "'", Map.of("field", "from_seq"));
  }

  static boolean wantsEvents(RoutingContext ctx) {
    String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
    return accept != null && accept.contains("text/event-stream");
  }
}
