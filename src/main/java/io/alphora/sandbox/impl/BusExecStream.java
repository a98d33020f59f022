package io.alphora.sandbox.impl;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.ExecEvent;
import io.alphora.sandbox.ExecStream;
import io.alphora.sandbox.ExecutionResult;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.bus.Actions;
import io.alphora.sandbox.bus.BusClient;
import io.alphora.sandbox.bus.Json;
import io.alphora.sandbox.bus.RunFeed;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Map;

/**
 * {@link ExecStream} over the event bus: a {@link RunFeed} on the run's address, with demand-based flow
 * control in front of it. All state lives on one Vert.x context; calls from other threads hop onto it.
 */
final class BusExecStream implements ExecStream {
  private static final long CONTROL_TIMEOUT_MS = 60_000;

  private final BusClient bus;
  private final String sandboxId;
  private final String execId;
  private final Context context;
  private final Promise<ExecutionResult> result = Promise.promise();
  private final ArrayDeque<ExecEvent> queue = new ArrayDeque<>();
  private long queuedChars;
  private long demand = Long.MAX_VALUE;
  private Handler<ExecEvent> handler;
  private Handler<Throwable> exceptionHandler;
  private Handler<Void> endHandler;
  private boolean upstreamEnded;
  private boolean done;
  private RunFeed feed;

  private BusExecStream(BusClient bus, Vertx vertx, String sandboxId, String execId) {
    this.bus = bus;
    this.sandboxId = sandboxId;
    this.execId = execId;
    this.context = vertx.getOrCreateContext();
  }

  /** Registers on the run's address, then starts the run ({@code exec}, {@code stream: true}). */
  static Future<ExecStream> start(BusClient bus, Vertx vertx, String sandboxId, String execId, JsonObject request,
      boolean stdinOpen) {
    BusExecStream s = new BusExecStream(bus, vertx, sandboxId, execId);
    Promise<ExecStream> started = Promise.promise();
    s.context.runOnContext(v -> RunFeed.subscribe(bus, sandboxId, execId, s::onEvent)
        .compose(feed -> {
          s.feed = feed;
          feed.endHandler(x -> s.onUpstreamEnd());
          feed.lostHandler(t -> { // clustered: the run's node left, no exit will come
            SandboxException e = io.alphora.sandbox.bus.BusErrors.toSandboxException(t);
            s.result.tryFail(e);
            s.fail(e);
          });
          JsonObject msg = new JsonObject().put("request", request).put("exec_id", execId).put("wait", false)
              .put("stream", true).put("stdin_open", stdinOpen);
          return bus.sandbox(sandboxId, Actions.EXEC, msg, CONTROL_TIMEOUT_MS).onFailure(t -> feed.close());
        })
        .<ExecStream>map(x -> s)
        .onComplete(started));
    return started.future();
  }

  private void onEvent(JsonObject e) {
    ExecEvent ev = toEvent(e);
    if (ev.isExit()) {
      result.tryComplete(ev.result());
    }
    if (done) {
      return;
    }
    queue.addLast(ev);
    queuedChars += ev.data() == null ? 0 : ev.data().length();
    if (queuedChars > MAX_BUFFERED_CHARS) {
      fail(new SandboxException(ErrorCode.PAYLOAD_TOO_LARGE, "the consumer of run '" + execId + "' fell more than "
          + MAX_BUFFERED_CHARS + " output characters behind; the run goes on: read its result with result() "
          + "or Sandbox.execution(id)", Map.of("exec_id", execId)));
      return;
    }
    drain();
  }

  private void onUpstreamEnd() {
    upstreamEnded = true;
    drain();
  }

  private void drain() {
    // without a handler nothing is taken: events wait (bounded) until one is set
    while (!done && handler != null && demand > 0 && !queue.isEmpty()) {
      ExecEvent ev = queue.pollFirst();
      queuedChars -= ev.data() == null ? 0 : ev.data().length();
      if (demand != Long.MAX_VALUE) {
        demand--;
      }
      handler.handle(ev);
    }
    if (!done && upstreamEnded && queue.isEmpty()) {
      done = true;
      Handler<Void> h = endHandler;
      if (h != null) {
        h.handle(null);
      }
    }
  }

  /** Stops delivering; the feed stays open until the exit event, which completes {@link #result()}. */
  private void fail(Throwable t) {
    done = true;
    queue.clear();
    queuedChars = 0;
    Handler<Throwable> h = exceptionHandler;
    if (h != null) {
      h.handle(t);
    }
  }

  static ExecEvent toEvent(JsonObject e) {
    ExecEvent.Type type = ExecEvent.Type.from(e.getString("type"));
    JsonObject r = e.getJsonObject("result");
    return new ExecEvent(type, e.getString("exec_id"), e.getLong("seq", -1L), e.getString("request_id"),
        e.getString("data"), r == null ? null : Json.fromJson(r, ExecutionResult.class, "exit event"),
        e.getBoolean("output_clipped", false));
  }

  private void onContext(Runnable r) {
    if (Vertx.currentContext() == context) {
      r.run();
    } else {
      context.runOnContext(v -> r.run());
    }
  }

  @Override
  public String execId() { return execId; }

  @Override
  public Future<ExecutionResult> result() { return result.future(); }

  @Override
  public Future<Void> writeStdin(String data) {
    return bus.sandbox(sandboxId, Actions.STDIN, new JsonObject().put("exec_id", execId).put("data", data),
        CONTROL_TIMEOUT_MS).mapEmpty();
  }

  @Override
  public Future<Void> closeStdin() {
    return bus.sandbox(sandboxId, Actions.STDIN, new JsonObject().put("exec_id", execId).put("data", "")
        .put("eof", true), CONTROL_TIMEOUT_MS).mapEmpty();
  }

  @Override
  public Future<ExecutionResult> cancel() {
    return bus.sandbox(sandboxId, Actions.CANCEL, new JsonObject().put("exec_id", execId), CONTROL_TIMEOUT_MS)
        .map(r -> Json.fromJson((JsonObject) r, ExecutionResult.class, "reply"));
  }

  @Override
  public ExecStream exceptionHandler(Handler<Throwable> h) {
    onContext(() -> exceptionHandler = h);
    return this;
  }

  @Override
  public ExecStream handler(Handler<ExecEvent> h) {
    onContext(() -> {
      handler = h;
      drain();
    });
    return this;
  }

  @Override
  public ExecStream pause() {
    onContext(() -> demand = 0);
    return this;
  }

  @Override
  public ExecStream resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public ExecStream fetch(long amount) {
    if (amount < 0) {
      throw new IllegalArgumentException("fetch amount must be >= 0: " + amount);
    }
    onContext(() -> {
      demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount; // saturate on overflow
      drain();
    });
    return this;
  }

  @Override
  public ExecStream endHandler(Handler<Void> h) {
    onContext(() -> {
      endHandler = h;
      drain();
    });
    return this;
  }
}
