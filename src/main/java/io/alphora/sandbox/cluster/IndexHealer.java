package io.alphora.sandbox.cluster;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxStatus;
import io.alphora.sandbox.bus.Addresses;
import io.alphora.sandbox.bus.Json;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the cluster index true to the cluster's members: the sandboxes of a node that has left become
 * {@code lost}, and create reservations that nobody is left to release are released.
 */
final class IndexHealer {
  private static final Logger LOG = LoggerFactory.getLogger(IndexHealer.class);

  private final Vertx vertx;
  private final Addresses addresses;
  private final AsyncMap<String, JsonObject> nodes;
  private final AsyncMap<String, JsonObject> index;
  /** Asks a node ({@code node_id}) for a sandbox ({@code sandbox_id}): its info, or its failure. */
  private final BiFunction<String, String, Future<Object>> ask;
  /** This node's id, and what to do when its entry has gone from the nodes map while it runs. */
  private final String self;
  private final Supplier<Future<?>> rejoined;
  private boolean healing;

  IndexHealer(Vertx vertx, Addresses addresses, AsyncMap<String, JsonObject> nodes, AsyncMap<String, JsonObject> index,
      BiFunction<String, String, Future<Object>> ask, String self, Supplier<Future<?>> rejoined) {
    this.vertx = vertx;
    this.addresses = addresses;
    this.nodes = nodes;
    this.index = index;
    this.ask = ask;
    this.self = self;
    this.rejoined = rejoined;
  }

  /**
   * Once a second (every router): nodes that are no longer members leave the nodes map, and the index
   * entries of sandboxes whose node is not a live member become {@code lost}, except reservations
   * (creates in progress), which are released: no sandbox came of them. A reservation whose router has
   * left the cluster, or that is older than {@link ClusterRouter#RESERVATION_MAX_AGE_MS}, has nobody
   * left to release it if its create fails, so it is released once its node says it does not know the
   * sandbox. Every router does this; the writes are conditional, so concurrent healers agree.
   */
  void heal() {
    if (healing) {
      return;
    }
    healing = true;
    Set<String> members = Set.copyOf(((VertxInternal) vertx).clusterManager().getNodes());
    nodes.entries().compose(all -> {
      Set<String> live = new java.util.HashSet<>();
      List<Future<?>> fs = new ArrayList<>();
      live.add(self); // this node runs, whatever the map says
      if (!all.containsKey(self)) {
        fs.add(rejoined.get());
      }
      all.forEach((id, n) -> {
        if (id.equals(self)) {
          return;
        }
        if (members.contains(n.getString("cluster_node_id"))) {
          live.add(id);
        } else {
          LOG.warn("node {} left the cluster: its sandboxes are lost", id);
          fs.add(nodes.removeIfPresent(id, n));
        }
      });
      return Future.join(fs).transform(ar -> index.entries()).compose(entries -> {
        List<Future<?>> marks = new ArrayList<>();
        long now = System.currentTimeMillis();
        entries.forEach((id, e) -> {
          boolean reserved = ClusterRouter.CREATING.equals(e.getString("status"));
          if (!ClusterRouter.lost(e) && !live.contains(e.getString("node_id"))) {
            marks.add(reserved ? release(id, e, "its node '" + e.getString("node_id") + "' left the cluster")
                : markLost(id, e));
          } else if (reserved && orphaned(e, members, now)) {
            marks.add(releaseIfUnknown(id, e));
          }
        });
        return Future.join(marks);
      });
    }).onComplete(ar -> {
      healing = false;
      if (ar.failed()) {
        LOG.warn("cluster index check failed: {}", ar.cause().getMessage());
      }
    });
  }

  private Future<Boolean> markLost(String id, JsonObject e) {
    JsonObject marked = e.copy().put("status", SandboxStatus.LOST.value());
    return index.replaceIfPresent(id, e, marked).onSuccess(done -> {
      if (done) {
        vertx.eventBus().publish(addresses.events(), new JsonObject().put("event", "lost")
            .put("sandbox_id", id).put("name", e.getString("name")).put("status", SandboxStatus.LOST.value())
            .put("node_id", e.getString("node_id")).put("timestamp", Json.formatTime(Instant.now())));
      }
    });
  }

  /** A reservation whose router has left, or that is past any create's timeout. */
  static boolean orphaned(JsonObject e, Set<String> members, long nowMs) {
    String by = e.getString("reserved_by");
    long at = e.getLong("reserved_at", 0L);
    return by == null || !members.contains(by) || nowMs - at > ClusterRouter.RESERVATION_MAX_AGE_MS;
  }

  /**
   * Releases an orphaned reservation once its node answers that it does not know the sandbox (its create
   * never arrived or failed). A node that knows it writes its own entry when the create ends; a node
   * that does not answer is asked again at the next check.
   */
  private Future<Boolean> releaseIfUnknown(String id, JsonObject e) {
    return ask.apply(e.getString("node_id"), id)
        .map(known -> false)
        .recover(t -> t instanceof ReplyException re && re.failureCode() == ErrorCode.SANDBOX_NOT_FOUND.status()
            ? release(id, e, "the router that made it left the cluster or it is older than "
                + ClusterRouter.RESERVATION_MAX_AGE_MS / 1000 + " s, and node '" + e.getString("node_id")
                + "' does not know it")
            : Future.succeededFuture(false));
  }

  private Future<Boolean> release(String id, JsonObject e, String why) {
    return index.removeIfPresent(id, e).onSuccess(done -> {
      if (done) {
        LOG.warn("released the reservation of sandbox {} (create in progress): {}", id, why);
      }
    });
  }
}
