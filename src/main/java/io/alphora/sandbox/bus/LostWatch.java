package io.alphora.sandbox.bus;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Clustered: a request to a sandbox whose node dies while the request is in flight gets no answer
 * (the event bus drops it with the connection). This watch fails such requests with
 * {@code 410 sandbox_lost} as soon as the cluster router publishes the sandbox's {@code lost} event
 * on {@code <prefix>.events}, instead of leaving them to their reply timeout (up to an hour for runs).
 * One per Vert.x instance and prefix.
 */
final class LostWatch implements Shareable {
  private static final String MAP = "alphora.sandbox.lost-watch";
  private final Map<String, Set<Promise<Object>>> pending = new ConcurrentHashMap<>();

  private LostWatch() {}

  static LostWatch of(Vertx vertx, Addresses addresses) {
    var map = vertx.sharedData().<String, LostWatch>getLocalMap(MAP);
    LostWatch w = map.get(addresses.prefix());
    if (w == null) {
      LostWatch fresh = new LostWatch();
      w = map.putIfAbsent(addresses.prefix(), fresh);
      if (w == null) {
        w = fresh;
        // a cluster-wide consumer: the node that marks the sandbox lost may be another one
        vertx.eventBus().<JsonObject>consumer(addresses.events(), m -> {
          if ("lost".equals(m.body().getString("event"))) {
            fresh.lost(m.body().getString("sandbox_id"), m.body().getString("node_id"));
          }
        });
      }
    }
    return w;
  }

  /** {@code request}'s outcome, or sandbox_lost if the sandbox is reported lost first. */
  Future<Object> guard(String sandboxId, Future<Object> request) {
    Promise<Object> p = Promise.promise();
    Set<Promise<Object>> set = pending.computeIfAbsent(sandboxId, k -> ConcurrentHashMap.newKeySet());
    set.add(p);
    request.onComplete(ar -> {
      set.remove(p);
      pending.computeIfPresent(sandboxId, (k, s) -> s.isEmpty() ? null : s);
      if (ar.succeeded()) {
        p.tryComplete(ar.result());
      } else {
        p.tryFail(ar.cause());
      }
    });
    return p.future();
  }

  /**
   * Calls {@code handler} (on the thread that learns of it) if the sandbox is reported lost before the
   * returned cancel runs. For followers of a run, which have no request in flight.
   */
  Runnable watch(String sandboxId, io.vertx.core.Handler<Throwable> handler) {
    Promise<Object> p = Promise.promise();
    Set<Promise<Object>> set = pending.computeIfAbsent(sandboxId, k -> ConcurrentHashMap.newKeySet());
    set.add(p);
    p.future().onFailure(handler);
    return () -> {
      set.remove(p);
      pending.computeIfPresent(sandboxId, (k, s) -> s.isEmpty() ? null : s);
    };
  }

  private void lost(String sandboxId, String nodeId) {
    Set<Promise<Object>> set = pending.remove(sandboxId);
    if (set != null) {
      set.forEach(p -> p.tryFail(new SandboxException(ErrorCode.SANDBOX_LOST, "sandbox '" + sandboxId
          + "' is lost: its node '" + nodeId + "' left the cluster with this request in flight",
          Map.of("sandbox_id", sandboxId, "node_id", String.valueOf(nodeId)))));
    }
  }
}
