package io.alphora.sandbox.bus;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows the events of one run on its address ({@code <prefix>.<sandbox_id>.exec.<exec_id>}) and hands
 * them to a sink in {@code seq} order, each once, ending after {@code exit}. This is how the WebSocket,
 * SSE and {@code Sandbox.execStream} read a run: they forward the bus events, nothing else.
 *
 * <p>{@link #subscribe} is for a run not started yet (the caller chose its {@code exec_id}: register,
 * then send {@code exec}). {@link #attach} joins a running or recent run: it registers first, then asks
 * the hosting node for the events still buffered from {@code fromSeq} ({@code get_events}) and merges
 * the two, holding back live events until the replay is in and dropping any it already delivered.
 * Call everything on one context (the one that created the feed).
 */
public final class RunFeed {
  private final Handler<JsonObject> sink;
  private MessageConsumer<JsonObject> consumer;
  private Handler<Void> endHandler;
  private List<JsonObject> held;
  private long next;
  private boolean closed;
  private boolean ended;
  private Handler<Throwable> lostHandler;
  private Runnable unwatch;

  private RunFeed(Handler<JsonObject> sink) { this.sink = sink; }

  /** Registers on a run that has not started yet; the future completes once no event can be missed. */
  public static Future<RunFeed> subscribe(BusClient bus, String sandboxId, String execId, Handler<JsonObject> sink) {
    RunFeed f = new RunFeed(sink);
    return f.register(bus, sandboxId, execId).map(f);
  }

  /**
   * Joins a running or recently finished run, replaying the buffered events with {@code seq >= fromSeq}
   * first. Fails like {@code get_events}: {@code sandbox_not_found}, {@code execution_not_found}.
   */
  public static Future<RunFeed> attach(BusClient bus, String sandboxId, String execId, long fromSeq,
      Handler<JsonObject> sink) {
    RunFeed f = new RunFeed(sink);
    f.held = new ArrayList<>();
    f.next = fromSeq;
    return f.register(bus, sandboxId, execId)
        .compose(v -> bus.sandbox(sandboxId, Actions.EVENTS, new JsonObject().put("exec_id", execId)
            .put("from_seq", fromSeq)))
        .map(reply -> {
          JsonObject r = (JsonObject) reply;
          List<JsonObject> live = f.held;
          f.held = null;
          JsonArray events = r.getJsonArray("events", new JsonArray());
          for (int i = 0; i < events.size(); i++) {
            f.offer(events.getJsonObject(i));
          }
          live.forEach(f::offer);
          if (r.getBoolean("done", false) && !f.closed) {
            f.finish(); // nothing at or after fromSeq is left of a finished run
          }
          return f;
        })
        .onFailure(t -> f.close());
  }

  private Future<Void> register(BusClient bus, String sandboxId, String execId) {
    consumer = bus.eventBus().consumer(bus.addresses().exec(sandboxId, execId), m -> offer(m.body()));
    if (bus.vertx().isClustered()) {
      // the run's node may die: no exit event will come, so the lost sandbox ends the feed instead
      io.vertx.core.Context ctx = bus.vertx().getOrCreateContext();
      unwatch = LostWatch.of(bus.vertx(), bus.addresses()).watch(sandboxId, t -> ctx.runOnContext(v -> lost(t)));
    }
    return consumer.completion();
  }

  /**
   * Clustered: called instead of the end when the sandbox's node leaves the cluster during the run
   * (with a {@code sandbox_lost} SandboxException). Without a handler the feed just ends.
   */
  public RunFeed lostHandler(Handler<Throwable> h) {
    lostHandler = h;
    return this;
  }

  private void lost(Throwable t) {
    if (closed) {
      return;
    }
    if (lostHandler == null) {
      finish();
      return;
    }
    close();
    ended = true;
    lostHandler.handle(t);
  }

  /** Called once after the {@code exit} event was handed over (or when an attach found the run over). */
  public RunFeed endHandler(Handler<Void> h) {
    endHandler = h;
    if (ended && h != null) {
      h.handle(null);
    }
    return this;
  }

  private void offer(JsonObject e) {
    if (closed) {
      return;
    }
    if (held != null) {
      held.add(e);
      return;
    }
    long seq = e.getLong("seq", -1L);
    if (seq < next) {
      return; // already delivered from the replay
    }
    next = seq + 1;
    sink.handle(e);
    if ("exit".equals(e.getString("type"))) {
      finish();
    }
  }

  private void finish() {
    close();
    ended = true;
    if (endHandler != null) {
      endHandler.handle(null);
    }
  }

  /** Stops listening (the run goes on). */
  public void close() {
    if (!closed) {
      closed = true;
      if (consumer != null) {
        consumer.unregister();
      }
      if (unwatch != null) {
        unwatch.run();
      }
    }
  }

  /** True once closed, by {@link #close()} or after the {@code exit} event. */
  public boolean closed() { return closed; }
}
