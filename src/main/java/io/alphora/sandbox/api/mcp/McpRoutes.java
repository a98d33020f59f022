package io.alphora.sandbox.api.mcp;

import io.alphora.sandbox.api.Callers;
import io.alphora.sandbox.bus.BusErrors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Objects;

/**
 * The MCP server at {@value #PATH}: Streamable HTTP transport, JSON-RPC 2.0, tools only.
 * <ul>
 *   <li>{@code POST}: one JSON-RPC message per request (a batch is refused with {@code -32600}: MCP
 *       2025-06-18 dropped batching). {@code initialize} opens a new session and answers its id in
 *       {@code Mcp-Session-Id}; every later message must carry it (400 without, 404 when unknown or
 *       expired). Notifications and responses answer 202 without a body. A request answers one JSON
 *       object, or an SSE stream with one {@code message} event when the client's {@code Accept}
 *       prefers {@code text/event-stream} over {@code application/json}.</li>
 *   <li>{@code DELETE} ends the session and destroys its sandbox; {@code GET} is 405: this server
 *       never sends requests or notifications of its own.</li>
 * </ul>
 * Protocol errors ({@code -32700}, a message that is not JSON-RPC) answer HTTP 400; method errors
 * answer 200 with the JSON-RPC error.
 */
public final class McpRoutes {
  public static final String PATH = "/mcp";
  /** A session unused for this long ends, and its sandbox is destroyed. */
  public static final Duration DEFAULT_SESSION_IDLE_TIMEOUT = Duration.ofMinutes(30);
  static final String SESSION_HEADER = "Mcp-Session-Id";
  static final String VERSION_HEADER = "MCP-Protocol-Version";

  private final Callers callers;
  private final McpSessions sessions;

  public McpRoutes(Vertx vertx, Callers callers) { this(vertx, callers, DEFAULT_SESSION_IDLE_TIMEOUT); }

  /** Call from the verticle that serves the router: the idle sweep's timer belongs to its context. */
  public McpRoutes(Vertx vertx, Callers callers, Duration sessionIdleTimeout) {
    this.callers = callers;
    this.sessions = new McpSessions(vertx, sessionIdleTimeout);
  }

  public void mount(Router r) {
    r.post(PATH).handler(this::post);
    r.delete(PATH).handler(this::delete);
    r.get(PATH).handler(ctx -> ctx.response().setStatusCode(405).putHeader("Allow", "POST, DELETE")
        .putHeader("Content-Type", "application/json").end(new JsonObject().put("error", new JsonObject()
            .put("code", "method_not_allowed").put("message", "this MCP server offers no server-to-client stream: "
                + "POST JSON-RPC messages to " + PATH).put("details", new JsonObject())).encode()));
  }

  /** Live sessions on this node (for tests and metrics). */
  public int sessionCount() { return sessions.size(); }

  private void post(RoutingContext ctx) {
    Object parsed;
    try {
      Buffer body = ctx.body().buffer();
      parsed = io.vertx.core.json.Json.decodeValue(body == null ? Buffer.buffer() : body);
    } catch (DecodeException e) {
      send(ctx, 400, JsonRpc.error(null, JsonRpc.PARSE_ERROR, "Parse error: the body is not valid JSON"));
      return;
    }
    if (parsed instanceof JsonArray) {
      send(ctx, 400, JsonRpc.error(null, JsonRpc.INVALID_REQUEST, "batch requests are not supported: send one "
          + "JSON-RPC message per POST (MCP 2025-06-18 removed batching)"));
      return;
    }
    if (!(parsed instanceof JsonObject msg)) {
      send(ctx, 400, JsonRpc.error(null, JsonRpc.INVALID_REQUEST, "a JSON-RPC message must be a JSON object"));
      return;
    }
    Object id = msg.getValue("id");
    boolean request = msg.containsKey("method") && msg.containsKey("id");
    Object replyId = id instanceof String || id instanceof Number ? id : null;
    String problem = shapeProblem(msg, request);
    if (problem != null) {
      send(ctx, 400, JsonRpc.error(replyId, JsonRpc.INVALID_REQUEST, "Invalid Request: " + problem));
      return;
    }
    Object params = msg.getValue("params");
    if (request && "initialize".equals(msg.getString("method"))) {
      // always a new session, even when a stale Mcp-Session-Id comes along: that is how a client recovers
      initialize(ctx, id, params);
      return;
    }
    McpSession session = session(ctx, replyId);
    if (session == null) {
      return;
    }
    if (!request) {
      ctx.response().setStatusCode(202).end(); // a notification or a client's response: nothing to answer
      return;
    }
    answer(ctx, session, id, msg.getString("method"), params);
  }

  /** Runs a session's request and answers its result or JSON-RPC error (HTTP 200 either way). */
  private static void answer(RoutingContext ctx, McpSession session, Object id, String method, Object params) {
    if (params != null && !(params instanceof JsonObject)) {
      send(ctx, 200, JsonRpc.error(id, JsonRpc.INVALID_PARAMS, "params must be an object"));
      return;
    }
    Future<JsonObject> result;
    try {
      result = McpMethods.call(session, method, params == null ? new JsonObject() : (JsonObject) params);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      session.touch(); // a long tool call is activity until it ends
      if (ar.succeeded()) {
        send(ctx, 200, JsonRpc.result(id, ar.result()));
      } else if (ar.cause() instanceof JsonRpc.Failure f) {
        send(ctx, 200, JsonRpc.error(id, f.code, f.getMessage()));
      } else {
        send(ctx, 200, JsonRpc.error(id, JsonRpc.INTERNAL_ERROR, BusErrors.toSandboxException(ar.cause()).getMessage()));
      }
    });
  }

  /** Null when {@code msg} is a well-formed request, notification or response. */
  private static String shapeProblem(JsonObject msg, boolean request) {
    if (!"2.0".equals(msg.getValue("jsonrpc"))) {
      return "'jsonrpc' must be \"2.0\"";
    }
    if (msg.containsKey("method")) {
      if (!(msg.getValue("method") instanceof String)) {
        return "'method' must be a string";
      }
      Object id = msg.getValue("id");
      return !request || id instanceof String || id instanceof Number ? null
          : "'id' must be a string or a number (MCP forbids null ids)";
    }
    return msg.containsKey("id") && (msg.containsKey("result") || msg.containsKey("error")) ? null
        : "a message needs 'method' (a request or notification) or 'result'/'error' (a response)";
  }

  private void initialize(RoutingContext ctx, Object id, Object params) {
    if (!(params instanceof JsonObject p) || !(p.getValue("protocolVersion") instanceof String requested)) {
      send(ctx, 200, JsonRpc.error(id, JsonRpc.INVALID_PARAMS, "initialize needs params.protocolVersion (a string)"));
      return;
    }
    String version = McpMethods.negotiate(requested);
    McpSession s = sessions.create(callers.tenant(ctx), callers.bus(ctx), version);
    ctx.response().putHeader(SESSION_HEADER, s.id);
    send(ctx, 200, JsonRpc.result(id, McpMethods.initializeResult(version)));
  }

  /** The request's session, or null after answering 400/404. */
  private McpSession session(RoutingContext ctx, Object replyId) {
    String sid = ctx.request().getHeader(SESSION_HEADER);
    if (sid == null || sid.isBlank()) {
      send(ctx, 400, JsonRpc.error(replyId, JsonRpc.INVALID_REQUEST, "the " + SESSION_HEADER + " header is required: "
          + "send initialize first and repeat the session id it answers with"));
      return null;
    }
    McpSession s = sessions.get(sid);
    if (s == null || !Objects.equals(s.tenant, callers.tenant(ctx))) {
      send(ctx, 404, JsonRpc.error(replyId, JsonRpc.SESSION_NOT_FOUND, "MCP session '" + sid
          + "' not found: it ended or expired; send initialize to start a new one"));
      return null;
    }
    String version = ctx.request().getHeader(VERSION_HEADER);
    if (version != null && !McpMethods.PROTOCOL_VERSIONS.contains(version)) {
      send(ctx, 400, JsonRpc.error(replyId, JsonRpc.INVALID_REQUEST, "unsupported " + VERSION_HEADER + " '" + version
          + "': this server speaks " + String.join(", ", McpMethods.PROTOCOL_VERSIONS)));
      return null;
    }
    s.touch();
    return s;
  }

  private void delete(RoutingContext ctx) {
    McpSession s = session(ctx, null);
    if (s != null) {
      sessions.end(s.id).onComplete(ar -> ctx.response().setStatusCode(204).end());
    }
  }

  /** JSON, or one SSE {@code message} event when the client prefers the event stream. */
  private static void send(RoutingContext ctx, int status, JsonObject message) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    if (status == 200 && Accept.prefersEventStream(ctx.request().getHeader("Accept"))) {
      ctx.response().setStatusCode(200).putHeader("Content-Type", "text/event-stream")
          .end("event: message\ndata: " + message.encode() + "\n\n");
    } else {
      ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(message.encode());
    }
  }
}
