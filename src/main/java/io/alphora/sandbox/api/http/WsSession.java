package io.alphora.sandbox.api.http;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.Ids;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.bus.Actions;
import io.alphora.sandbox.bus.BusClient;
import io.alphora.sandbox.bus.BusErrors;
import io.alphora.sandbox.bus.RunFeed;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One WebSocket on one sandbox ({@code GET /v1/sandboxes/{id}/ws}): many runs at once, each followed
 * through its bus address ({@link RunFeed}) and forwarded frame by frame; {@code stdin}, {@code cancel}
 * and {@code ping} from the client. Everything runs on the socket's event loop.
 *
 * <p>Close codes: 4401 unauthorized, 4404 sandbox not found (also when it is destroyed while the socket
 * is open), 4408 idle, 4413 a client frame over the limit or a client too slow to read its events
 * (after an {@code error} frame; see {@link BoundedSender}), 4429 too many runs in flight. Closing the
 * socket stops the forwarding; the runs go on and their results stay readable over REST.
 */
final class WsSession {
  static final short UNAUTHORIZED = 4401;
  static final short NOT_FOUND = 4404;
  static final short IDLE = 4408;
  static final short TOO_LARGE = 4413;
  static final short TOO_MANY_RUNS = 4429;
  private static final long CONTROL_TIMEOUT_MS = 60_000;
  /** Payload bytes per outgoing frame. */
  static final int FRAME_BYTES = 65_536;

  private final Vertx vertx;
  private final ServerWebSocket ws;
  private final BusClient bus;
  private final String sandboxId;
  private final StreamSettings settings;
  private final BoundedSender out;
  private final Set<String> active = new HashSet<>();
  /**
   * The runs of this socket whose exec the backend has not accepted yet: a client may send stdin or
   * cancel right behind its exec frame, and those wait for it (then go in the order they came).
   */
  private final Map<String, Future<?>> notYetAccepted = new HashMap<>();
  private final Map<String, RunFeed> feeds = new HashMap<>();
  private long lastClientFrame = System.nanoTime();
  private long lastKeepalive = System.nanoTime();
  private long timer = -1;
  private boolean closing;

  WsSession(Vertx vertx, ServerWebSocket ws, BusClient bus, String sandboxId, StreamSettings settings) {
    this.vertx = vertx;
    this.ws = ws;
    this.bus = bus;
    this.sandboxId = sandboxId;
    this.settings = settings;
    ws.setWriteQueueMaxSize(1 << 20);
    this.out = new BoundedSender(ws, this::writeText, settings.queueBytes(), this::overflow);
  }

  /**
   * One text message in frames of at most {@link #FRAME_BYTES} (the default frame limit of most
   * clients), whatever frame size the server accepts from clients. The message is UTF-8 already; only
   * the first frame must be of type text, so it carries the message's ASCII head (a JSON object starts
   * with {@code {"type":...}) and continuation frames carry the rest, cut at any byte (RFC 6455 5.6: a
   * fragment may end inside a UTF-8 sequence; the whole message is valid UTF-8).
   */
  private void writeText(Buffer message) {
    int len = message.length();
    if (len <= FRAME_BYTES) {
      ws.writeFrame(WebSocketFrame.textFrame(message.toString(StandardCharsets.UTF_8), true));
      return;
    }
    int head = 0;
    while (head < 256 && message.getByte(head) >= 0) {
      head++; // ASCII bytes: the head decodes on its own
    }
    ws.writeFrame(WebSocketFrame.textFrame(message.getString(0, head, "US-ASCII"), false));
    for (int from = head; from < len; from += FRAME_BYTES) {
      int to = Math.min(len, from + FRAME_BYTES);
      ws.writeFrame(WebSocketFrame.continuationFrame(message.slice(from, to), to == len));
    }
  }

  /** Takes over a paused, accepted socket. */
  void start() {
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(b -> error(null, null, "invalid_request", "frames must be JSON text frames"));
    ws.exceptionHandler(t -> { }); // a broken connection ends in the close handler; nothing to add here
    ws.closeHandler(v -> cleanup());
    long tick = Math.max(50, Math.min(settings.keepaliveMs(), settings.idleMs()) / 4);
    timer = vertx.setPeriodic(tick, t -> tick());
    ws.resume();
  }

  private void onText(String text) {
    lastClientFrame = System.nanoTime();
    if (closing) {
      return;
    }
    if (text.length() > settings.maxFrameBytes()) {
      error(null, null, "payload_too_large", "frame of " + text.length() + " characters is over the limit of "
          + settings.maxFrameBytes());
      close(TOO_LARGE, "frame too large");
      return;
    }
    JsonObject f;
    try {
      f = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      error(null, null, "invalid_request", "a frame must be a JSON object: " + e.getMessage());
      return;
    }
    try {
      switch (String.valueOf(f.getValue("type"))) {
        case "exec" -> exec(f);
        case "stdin" -> control(Actions.STDIN, f, new JsonObject().put("data", string(f, "data", ""))
            .put("eof", f.getBoolean("eof", false)));
        case "cancel" -> control(Actions.CANCEL, f, new JsonObject());
        case "ping" -> out.send(new JsonObject().put("type", "pong").encode());
        default -> error(string(f, "request_id", null), null, "invalid_request", "unknown frame type '"
            + f.getValue("type") + "': use exec, stdin, cancel or ping");
      }
    } catch (RuntimeException e) {
      error(string(f, "request_id", null), string(f, "exec_id", null), e);
    }
  }

  private void exec(JsonObject f) {
    String requestId = string(f, "request_id", null);
    if (active.size() >= settings.maxRuns()) {
      error(requestId, null, "rate_limited", "more than " + settings.maxRuns() + " runs in flight on one socket");
      close(TOO_MANY_RUNS, "too many runs");
      return;
    }
    String execId = f.getValue("exec_id") == null ? Ids.exec() : Ids.checkExecId(string(f, "exec_id", null));
    if (!active.add(execId)) {
      throw new SandboxException.InvalidRequestException("exec_id '" + execId + "' is already running on this socket");
    }
    boolean stdinOpen = f.getBoolean("stdin_open", true);
    JsonObject req = f.copy();
    for (String k : new String[] {"type", "request_id", "exec_id", "stdin_open"}) {
      req.remove(k);
    }
    JsonObject msg = new JsonObject().put("request", req).put("exec_id", execId).put("wait", false)
        .put("stream", true).put("stdin_open", stdinOpen);
    if (requestId != null) {
      msg.put("request_id", requestId);
    }
    Future<Object> accepted = RunFeed.subscribe(bus, sandboxId, execId, e -> out.send(EventFrames.encode(e)))
        .compose(feed -> {
          feeds.put(execId, feed);
          feed.endHandler(v -> {
            feeds.remove(execId);
            active.remove(execId);
          });
          feed.lostHandler(t -> { // clustered: the run's node left, no exit will come
            feeds.remove(execId);
            active.remove(execId);
            error(requestId, execId, t);
          });
          if (closing) {
            feed.close();
          }
          return bus.sandbox(sandboxId, Actions.EXEC, msg, CONTROL_TIMEOUT_MS);
        });
    notYetAccepted.put(execId, accepted);
    accepted.onComplete(ar -> notYetAccepted.remove(execId, accepted));
    accepted.onFailure(t -> {
      RunFeed feed = feeds.remove(execId);
      if (feed != null) {
        feed.close();
      }
      active.remove(execId);
      error(requestId, execId, t);
    });
  }

  private void control(String action, JsonObject f, JsonObject body) {
    String execId = string(f, "exec_id", null);
    if (execId == null) {
      throw new SandboxException.InvalidRequestException("'exec_id' is required in a " + f.getValue("type") + " frame");
    }
    String requestId = string(f, "request_id", null);
    notYetAccepted.getOrDefault(execId, Future.succeededFuture())
        .compose(v -> bus.sandbox(sandboxId, action, body.put("exec_id", execId), CONTROL_TIMEOUT_MS))
        .onFailure(t -> error(requestId, execId, t));
  }

  private void tick() {
    long now = System.nanoTime();
    if (active.isEmpty() && now - lastClientFrame >= settings.idleMs() * 1_000_000L) {
      error(null, null, "invalid_request", "idle: no run and no frame for " + settings.idleMs() + " ms");
      close(IDLE, "idle");
      return;
    }
    if (now - lastKeepalive >= settings.keepaliveMs() * 1_000_000L) {
      lastKeepalive = now;
      out.send("{\"type\":\"keepalive\"}");
      // an open socket keeps its sandbox from being idle-cleaned; a sandbox that is gone ends it
      bus.sandbox(sandboxId, Actions.KEEPALIVE, null).onFailure(t -> {
        if (BusErrors.toSandboxException(t).code() == ErrorCode.SANDBOX_NOT_FOUND) {
          error(null, null, t);
          close(NOT_FOUND, "sandbox not found");
        }
      });
    }
  }

  private void overflow() {
    out.sendFinal(frame(null, null, "payload_too_large", "this client reads too slowly: more than "
        + settings.queueBytes() + " characters of events waited to be sent, so the socket is closed; the runs "
        + "go on and their results can be read with GET /v1/sandboxes/" + sandboxId + "/executions/{exec_id}"));
    close(TOO_LARGE, "client too slow");
  }

  private void error(String requestId, String execId, Throwable t) {
    SandboxException e = BusErrors.toSandboxException(t);
    error(requestId, execId, e.code().code(), e.getMessage());
    if (e.code() == ErrorCode.SANDBOX_NOT_FOUND) {
      close(NOT_FOUND, "sandbox not found");
    }
  }

  private void error(String requestId, String execId, String code, String message) {
    out.send(frame(requestId, execId, code, message));
  }

  static String frame(String requestId, String execId, String code, String message) {
    JsonObject e = new JsonObject().put("type", "error");
    if (requestId != null) {
      e.put("request_id", requestId);
    }
    if (execId != null) {
      e.put("exec_id", execId);
    }
    return e.put("error", new JsonObject().put("code", code).put("message", message)).encode();
  }

  private void close(short code, String reason) {
    if (!closing) {
      closing = true;
      ws.close(code, reason);
      cleanup();
    }
  }

  private void cleanup() {
    closing = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    feeds.values().forEach(RunFeed::close);
    feeds.clear();
    active.clear();
    out.stop();
  }

  private static String string(JsonObject f, String key, String dflt) {
    Object v = f.getValue(key);
    return v == null ? dflt : String.valueOf(v);
  }
}
