package io.alphora.sandbox.cluster;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.Ids;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SandboxStatus;
import io.alphora.sandbox.bus.Actions;
import io.alphora.sandbox.bus.Addresses;
import io.alphora.sandbox.bus.BusErrors;
import io.alphora.sandbox.bus.Json;
import io.alphora.sandbox.manager.ManagerSettings;
import io.alphora.sandbox.manager.NodeLabels;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager address ({@code <prefix>.manager}) of a clustered node. Every node runs one, so any
 * node answers any manager command:
 * <ul>
 *   <li>{@code create}/{@code get_or_create} place the sandbox on a node (the requested
 *       {@code node_id}, else, among the nodes carrying every requested {@code node_labels}, the node
 *       with the fewest active sandboxes, then the most free memory)
 *       after a cluster-wide limit check under a cluster-wide lock, and forward to that node's
 *       manager ({@link Addresses#node});</li>
 *   <li>{@code get} finds the owner in the cluster index; a sandbox whose node has left answers
 *       {@code 410 sandbox_lost};</li>
 *   <li>{@code list}, {@code status} and the bulk commands fan out to every node and merge.</li>
 * </ul>
 * Once a second its {@link IndexHealer} compares the nodes map with the cluster's members: a node that
 * has left is removed and its sandboxes' index entries become {@code lost} (published as a {@code lost}
 * event); reservations nobody can release any more are released.
 * Per-sandbox commands never pass through here: they go to {@code <prefix>.<sandbox_id>}, which only
 * the owning node registers.
 */
public final class ClusterRouter extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterRouter.class);
  static final long CREATE_TIMEOUT_MS = 300_000;
  static final long FANOUT_TIMEOUT_MS = 30_000;
  static final long LOAD_TIMEOUT_MS = 3_000;
  static final long HEAL_PERIOD_MS = 1_000;
  /** How long {@code /ready} waits for each other node (and for the nodes map) before calling it unreachable. */
  static final long PROBE_TIMEOUT_MS = 1_000;
  /**
   * A reservation older than this is checked with its node even if the router that made it is alive:
   * past the create timeout no router still waits for it.
   */
  static final long RESERVATION_MAX_AGE_MS = CREATE_TIMEOUT_MS + 60_000;
  static final String CREATING = "creating";
  private static final Set<String> FAN_OUT = Set.of(Actions.LIST, Actions.STATUS, Actions.HEALTH_ALL,
      Actions.TOTAL_USAGE, Actions.STOP_ALL, Actions.DESTROY_ALL, Actions.CLEANUP, Actions.CLEANUP_STOPPED,
      Actions.CLEANUP_IDLE, Actions.GET_BY_NAME);

  private final ManagerSettings settings;
  private final Addresses addresses;
  private AsyncMap<String, JsonObject> index;
  private AsyncMap<String, JsonObject> nodes;
  private long healTimer = -1;
  private IndexHealer healer;
  private boolean draining;

  public ClusterRouter(ManagerSettings settings, Addresses addresses) {
    this.settings = settings;
    this.addresses = addresses;
  }

  @Override
  public Future<?> start() {
    if (!vertx.isClustered()) {
      return Future.failedFuture(new IllegalStateException("ClusterRouter needs a clustered Vert.x"));
    }
    return vertx.sharedData().<String, JsonObject>getAsyncMap(addresses.index())
        .compose(m -> {
          index = m;
          return vertx.sharedData().<String, JsonObject>getAsyncMap(addresses.nodes());
        })
        .compose(m -> {
          nodes = m;
          return nodes.put(settings.nodeId(), nodeEntry(false).put("joined_at", Json.formatTime(Instant.now())));
        })
        .compose(v -> vertx.eventBus().<JsonObject>consumer(addresses.manager(), this::onManager).completion())
        .compose(v -> vertx.eventBus().<JsonObject>localConsumer(addresses.cluster(settings.nodeId()),
            msg -> health().onComplete(ar -> msg.reply(ar.result()))).completion())
        .onSuccess(v -> {
          healer = new IndexHealer(vertx, addresses, nodes, index,
              (node, id) -> toNode(node, Actions.GET, null, new JsonObject().put("sandbox_id", id), LOAD_TIMEOUT_MS),
              settings.nodeId(), this::rejoined);
          healTimer = vertx.setPeriodic(HEAL_PERIOD_MS, t -> healer.heal());
        });
  }

  @Override
  public Future<?> stop() {
    if (healTimer >= 0) {
      vertx.cancelTimer(healTimer);
    }
    return Future.succeededFuture();
  }

  private String clusterNodeId() { return ((VertxInternal) vertx).clusterManager().getNodeId(); }

  /** This node in the nodes map: its Vert.x cluster node id, labels, and whether it drains. */
  private JsonObject nodeEntry(boolean draining) {
    return new JsonObject().put("cluster_node_id", clusterNodeId()).put("labels", new JsonArray(settings.nodeLabels()))
        .put("draining", draining);
  }

  /** Graceful shutdown: no new sandboxes are placed here; the node stays listed until it leaves. */
  public Future<Void> drain() {
    draining = true;
    return nodes.put(settings.nodeId(), nodeEntry(true));
  }

  /**
   * This node's entry is gone from the nodes map although the node runs: the others took it for dead
   * (a pause longer than failure_seconds, a network split) and it is a member again. It lists itself
   * again, and its manager writes its sandboxes' index entries again, undoing their {@code lost} marks.
   */
  private Future<?> rejoined() {
    LOG.warn("node {} was dropped from the cluster and is back: listing it and its sandboxes again",
        settings.nodeId());
    return nodes.put(settings.nodeId(), nodeEntry(draining)).compose(v -> vertx.eventBus().request(
        addresses.internal(settings.nodeId()), new JsonObject(),
        new DeliveryOptions().addHeader(Actions.HEADER, Actions.REINDEX).setSendTimeout(FANOUT_TIMEOUT_MS)));
  }

  private void onManager(Message<JsonObject> msg) {
    String action = msg.headers().get(Actions.HEADER);
    String tenant = msg.headers().get(Actions.TENANT_HEADER);
    JsonObject body = msg.body() == null ? new JsonObject() : msg.body();
    Future<?> out;
    try {
      if (Actions.CREATE.equals(action) || Actions.GET_OR_CREATE.equals(action)) {
        out = create(action, tenant, body.copy());
      } else if (Actions.GET.equals(action)) {
        out = get(tenant, body);
      } else if (FAN_OUT.contains(action)) {
        out = fanOut(action, tenant, body);
      } else {
        throw new SandboxException.InvalidRequestException("unknown manager action '" + action + "'");
      }
    } catch (RuntimeException e) {
      out = Future.failedFuture(e);
    }
    out.onComplete(ar -> {
      if (ar.succeeded()) {
        msg.reply(ar.result());
      } else {
        BusErrors.fail(msg, ar.cause());
      }
    });
  }

  private DeliveryOptions forward(String action, String tenant, long timeoutMs) {
    DeliveryOptions o = new DeliveryOptions().addHeader(Actions.HEADER, action).setSendTimeout(timeoutMs);
    if (tenant != null) {
      o.addHeader(Actions.TENANT_HEADER, tenant);
    }
    return o;
  }

  private Future<Object> toNode(String nodeId, String action, String tenant, JsonObject body, long timeoutMs) {
    return vertx.eventBus().request(addresses.node(nodeId), body, forward(action, tenant, timeoutMs))
        .map(Message::body);
  }

  /** The nodes that are members now (by their Vert.x cluster node id). */
  private Future<Map<String, JsonObject>> liveNodes() {
    return nodes.entries().map(all -> {
      Set<String> members = Set.copyOf(((VertxInternal) vertx).clusterManager().getNodes());
      Map<String, JsonObject> live = new java.util.TreeMap<>();
      all.forEach((id, n) -> {
        if (members.contains(n.getString("cluster_node_id"))) {
          live.put(id, n);
        }
      });
      return live;
    });
  }

  /**
   * For {@code /ready}: whether this node is a member of the cluster (decides readiness), and which
   * nodes answer within {@link #PROBE_TIMEOUT_MS} (informational: a member that died and is not yet
   * detected must not make the healthy nodes unready). Never fails; answers within about two probe
   * timeouts, whatever the other nodes do.
   */
  private Future<JsonObject> health() {
    var cm = ((VertxInternal) vertx).clusterManager();
    List<String> members = cm.getNodes();
    JsonObject out = new JsonObject().put("member", cm.isActive() && members.contains(cm.getNodeId()))
        .put("members", members.size());
    return nodes.entries().timeout(PROBE_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS).compose(all -> {
      Map<String, Future<Object>> probes = new java.util.TreeMap<>();
      all.forEach((id, n) -> probes.put(id, members.contains(n.getString("cluster_node_id"))
          ? toNode(id, Actions.NODE_LOAD, null, new JsonObject(), PROBE_TIMEOUT_MS)
          : Future.failedFuture("not a member")));
      return Future.join(new ArrayList<>(probes.values())).transform(ignored -> {
        JsonObject reachable = new JsonObject();
        probes.forEach((id, f) -> reachable.put(id, f.succeeded()));
        return Future.succeededFuture(out.put("nodes", reachable));
      });
    }).otherwise(t -> out.put("nodes_error", "the cluster's node list did not answer within " + PROBE_TIMEOUT_MS
        + " ms: " + t.getMessage()));
  }

  // --- create -------------------------------------------------------------------------------------

  private Future<Object> create(String action, String tenant, JsonObject body) {
    Object requested = body.remove("node_id");
    if (requested != null && !(requested instanceof String)) {
      throw new SandboxException.InvalidRequestException("'node_id' must be a string", Map.of("field", "node_id"));
    }
    if (body.getValue("sandbox_id") == null) {
      body.put("sandbox_id", Ids.sandbox());
    } else if (body.getValue("sandbox_id") instanceof String s) {
      Ids.checkSandboxId(s);
    }
    String id = String.valueOf(body.getValue("sandbox_id"));
    List<String> labels = NodeLabels.requested(body.remove(NodeLabels.FIELD));
    return candidates((String) requested, labels).compose(loads -> locked(() -> reserve(action, tenant, id, loads, body)))
        .compose(placed -> {
          if (placed.existing() != null) { // get_or_create of a sandbox that exists: its current state
            return get(tenant, new JsonObject().put("sandbox_id", id));
          }
          return toNode(placed.node(), action, tenant, body, CREATE_TIMEOUT_MS)
              .recover(t -> index.get(id).compose(e -> e != null && CREATING.equals(e.getString("status"))
                  ? index.removeIfPresent(id, e) : Future.succeededFuture(false))
                  .transform(ignored -> Future.failedFuture(t)));
        });
  }

  /**
   * Runs {@code work} holding the cluster-wide create lock. Hazelcast's lock belongs to a thread and is
   * reentrant, and Vert.x takes it on a worker thread that another create on this node may get too,
   * so a node-local lock comes first: one create per node contends for the cluster lock at a time.
   */
  private <T> Future<T> locked(java.util.function.Supplier<Future<T>> work) {
    return vertx.sharedData().getLocalLockWithTimeout(addresses.createLock(), 30_000)
        .compose(local -> vertx.sharedData().getLockWithTimeout(addresses.createLock(), 10_000)
            .compose(cluster -> work.get().eventually(() -> {
              cluster.release();
              return Future.succeededFuture();
            }))
            .eventually(() -> {
              local.release();
              return Future.succeededFuture();
            }));
  }

  /** Where a create went: the chosen node, or the entry of a sandbox that already exists. */
  private record Placed(String node, JsonObject existing) {}

  /**
   * Under the create lock: checks the cluster-wide limits, picks the node (the least loaded by the
   * index, which counts creates in progress everywhere: fewest active sandboxes (being created, created,
   * starting or running), then fewest sandboxes, then the most free memory) and records the new sandbox there as
   * {@code creating}. For get_or_create of a known id, the existing entry.
   */
  private Future<Placed> reserve(String action, String tenant, String id, List<JsonObject> loads, JsonObject body) {
    return index.entries().compose(all -> {
      JsonObject existing = all.get(id);
      if (existing != null) {
        if (Actions.GET_OR_CREATE.equals(action)) {
          return Future.succeededFuture(new Placed(null, existing));
        }
        throw new SandboxException.SandboxStateException(ErrorCode.SANDBOX_ALREADY_EXISTS,
            "sandbox '" + id + "' already exists", Map.of("sandbox_id", id));
      }
      long live = all.values().stream().filter(e -> !lost(e)).count();
      if (live >= settings.maxSandboxes()) {
        throw new SandboxException(ErrorCode.SANDBOX_LIMIT_REACHED, "maximum sandbox limit ("
            + settings.maxSandboxes() + ") reached across the cluster: destroy a sandbox or raise "
            + "manager.max_sandboxes", Map.of("max_sandboxes", settings.maxSandboxes()));
      }
      int perTenant = settings.tenantMaxSandboxes();
      if (tenant != null && perTenant > 0
          && all.values().stream().filter(e -> !lost(e) && tenant.equals(e.getString("tenant"))).count() >= perTenant) {
        throw new SandboxException(ErrorCode.SANDBOX_LIMIT_REACHED, "tenant '" + tenant + "' has reached its limit of "
            + perTenant + " sandboxes (auth.tenant_max_sandboxes): destroy one first",
            Map.of("tenant_max_sandboxes", perTenant));
      }
      Set<String> busy = Set.of("creating", "created", "starting", "running");
      String node = loads.stream().min(Comparator.<JsonObject>comparingLong(l -> count(all, l, busy))
              .thenComparingLong(l -> count(all, l, null))
              .thenComparing(Comparator.<JsonObject>comparingLong(l -> l.getLong("free_memory_mb", 0L)).reversed()))
          .map(l -> l.getString("node_id")).orElseThrow();
      return index.put(id, reservation(node, tenant, body.getValue("name") instanceof String n ? n : "sandbox-" + id,
              clusterNodeId(), System.currentTimeMillis()))
          .map(v -> new Placed(node, null));
    });
  }

  /**
   * The index entry of a create in progress: it counts against the limits until the node's own entry
   * replaces it, or the router removes it when the create fails. {@code reserved_by} (this router's
   * cluster node id) and {@code reserved_at} let the other routers release it when no router is left
   * to do so (see {@link IndexHealer}).
   */
  static JsonObject reservation(String node, String tenant, String name, String reservedBy, long reservedAtMs) {
    return new JsonObject().put("node_id", node).put("tenant", tenant).put("name", name).put("status", CREATING)
        .put("reserved_by", reservedBy).put("reserved_at", reservedAtMs);
  }

  /** Index entries on the load's node (with one of {@code statuses}, or any when null). */
  private static long count(Map<String, JsonObject> all, JsonObject load, Set<String> statuses) {
    String node = load.getString("node_id");
    return all.values().stream().filter(e -> node.equals(e.getString("node_id")))
        .filter(e -> statuses == null || statuses.contains(e.getString("status"))).count();
  }

  static boolean lost(JsonObject e) { return SandboxStatus.LOST.value().equals(e.getString("status")); }

  /**
   * The requested node, or every live node that is not draining, each with its current load; with
   * {@code labels}, only nodes that carry all of them.
   */
  private Future<List<JsonObject>> candidates(String requested, List<String> labels) {
    return liveNodes().compose(all -> {
      Map<String, JsonObject> live = new java.util.TreeMap<>();
      all.forEach((id, n) -> {
        if (NodeLabels.carries(n.getJsonArray("labels", new JsonArray()).getList(), labels)) {
          live.put(id, n);
        }
      });
      if (requested != null) {
        JsonObject n = live.get(requested);
        if (n == null && all.containsKey(requested)) {
          throw NodeLabels.noNode(labels, Map.of(requested, labelsOf(all.get(requested))));
        }
        if (n == null) {
          throw new SandboxException.InvalidRequestException("no node '" + requested + "' in the cluster (nodes: "
              + String.join(", ", all.keySet()) + ")", Map.of("field", "node_id"));
        }
        if (n.getBoolean("draining", false)) {
          throw new SandboxException(ErrorCode.BACKEND_UNAVAILABLE, "node '" + requested + "' is shutting down",
              Map.of("node_id", requested));
        }
        return Future.succeededFuture(List.of(new JsonObject().put("node_id", requested)));
      }
      if (!labels.isEmpty() && live.values().stream().allMatch(n -> n.getBoolean("draining", false))) {
        Map<String, List<String>> carried = new java.util.TreeMap<>();
        all.forEach((id, n) -> {
          if (!n.getBoolean("draining", false)) {
            carried.put(id, labelsOf(n));
          }
        });
        throw NodeLabels.noNode(labels, carried);
      }
      List<Future<JsonObject>> loads = new ArrayList<>();
      live.forEach((id, n) -> {
        if (!n.getBoolean("draining", false)) {
          loads.add(toNode(id, Actions.NODE_LOAD, null, new JsonObject(), LOAD_TIMEOUT_MS)
              .map(JsonObject.class::cast).otherwise((JsonObject) null));
        }
      });
      return Future.join(loads).map(v -> {
        List<JsonObject> ok = loads.stream().map(Future::result)
            .filter(l -> l != null && !l.getBoolean("draining", false)).toList();
        if (ok.isEmpty()) {
          throw new SandboxException(ErrorCode.BACKEND_UNAVAILABLE, "no node of the cluster can take a sandbox now",
              Map.of());
        }
        return ok;
      });
    });
  }

  private static List<String> labelsOf(JsonObject node) {
    return node.getJsonArray("labels", new JsonArray()).stream().map(String::valueOf).toList();
  }

  // --- look-ups -----------------------------------------------------------------------------------

  private Future<Object> get(String tenant, JsonObject body) {
    Object v = body.getValue("sandbox_id");
    if (!(v instanceof String id)) {
      throw new SandboxException.InvalidRequestException("'sandbox_id' must be a string", Map.of("field", "sandbox_id"));
    }
    return index.get(id).compose(e -> {
      if (e == null || (tenant != null && !tenant.equals(e.getString("tenant")))) {
        return Future.failedFuture(SandboxException.SandboxNotFoundException.forId(id));
      }
      if (lost(e)) {
        return Future.failedFuture(lostError(id, e.getString("node_id")));
      }
      return toNode(e.getString("node_id"), Actions.GET, tenant, body, FANOUT_TIMEOUT_MS).recover(t -> {
        if (t instanceof ReplyException re && re.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
          return Future.failedFuture(lostError(id, e.getString("node_id")));
        }
        return Future.failedFuture(t);
      });
    });
  }

  static SandboxException lostError(String id, String node) {
    return new SandboxException(ErrorCode.SANDBOX_LOST, "sandbox '" + id + "' is lost: its node '" + node
        + "' left the cluster. Its files stay on that node and come back (stopped) when the node rejoins; "
        + "cleanup_stopped forgets it", Map.of("sandbox_id", id, "node_id", String.valueOf(node)));
  }

  /** Sends the command to every live node and merges the answers (lost sandboxes come from the index). */
  private Future<Object> fanOut(String action, String tenant, JsonObject body) {
    return liveNodes().compose(live -> {
      Map<String, Future<Object>> answers = new java.util.TreeMap<>();
      live.keySet().forEach(id -> answers.put(id, toNode(id, action, tenant, body, FANOUT_TIMEOUT_MS)));
      return Future.join(new ArrayList<>(answers.values())).transform(ignored -> lostEntries(tenant, live.keySet())
          .compose(lostOnes -> merge(action, tenant, body, answers, lostOnes)));
    });
  }

  /**
   * The tenant's lost sandboxes: marked lost in the index, or on a node that is no longer a member
   * and not marked yet (the healer does that within a second; {@code get} already answers 410 then).
   */
  private Future<Map<String, JsonObject>> lostEntries(String tenant, Set<String> liveNodes) {
    return index.entries().map(all -> {
      Map<String, JsonObject> out = new java.util.TreeMap<>();
      all.forEach((id, e) -> {
        boolean gone = lost(e) || (!liveNodes.contains(e.getString("node_id")) && !CREATING.equals(e.getString("status")));
        if (gone && (tenant == null || tenant.equals(e.getString("tenant")))) {
          out.put(id, e);
        }
      });
      return out;
    });
  }

  private Future<Object> merge(String action, String tenant, JsonObject body, Map<String, Future<Object>> answers,
      Map<String, JsonObject> lostOnes) {
    List<JsonObject> ok = new ArrayList<>();
    Throwable firstFailure = null;
    for (Future<Object> f : answers.values()) {
      if (f.succeeded()) {
        ok.add((JsonObject) f.result());
      } else if (firstFailure == null) {
        firstFailure = f.cause();
      }
    }
    switch (action) {
      case Actions.GET_BY_NAME -> {
        for (Future<Object> f : answers.values()) {
          if (f.succeeded()) {
            return Future.succeededFuture(f.result());
          }
        }
        String name = body.getString("name");
        for (Map.Entry<String, JsonObject> e : lostOnes.entrySet()) {
          if (e.getValue().getString("name", "").equals(name)) {
            return Future.failedFuture(lostError(e.getKey(), e.getValue().getString("node_id")));
          }
        }
        return Future.failedFuture(new SandboxException.SandboxNotFoundException("no sandbox named '" + name + "'",
            Map.of("name", String.valueOf(name))));
      }
      default -> {
        // every other fan-out needs every node's answer: a node that failed fails the whole command
        if (firstFailure != null) {
          return Future.failedFuture(firstFailure);
        }
      }
    }
    switch (action) {
      case Actions.LIST -> {
        JsonArray all = new JsonArray();
        ok.forEach(o -> o.getJsonArray("sandboxes").forEach(all::add));
        String status = body.getString("status");
        String name = body.getString("name");
        String backend = body.getString("backend");
        if (status == null || SandboxStatus.LOST.value().equals(status)) {
          lostOnes.values().stream().map(ClusterRouter::lostInfo).filter(i -> i != null)
              .filter(i -> name == null || name.equals(i.getString("name")))
              .filter(i -> backend == null || backend.equals(i.getString("backend_type")))
              .forEach(all::add);
        }
        return Future.succeededFuture(new JsonObject().put("sandboxes", all));
      }
      case Actions.STATUS -> {
        JsonObject sandboxes = new JsonObject();
        JsonObject perNode = new JsonObject();
        long count = 0;
        long running = 0;
        for (Map.Entry<String, Future<Object>> e : answers.entrySet()) {
          JsonObject s = (JsonObject) e.getValue().result();
          perNode.put(e.getKey(), new JsonObject().put("sandbox_count", s.getLong("sandbox_count"))
              .put("running_count", s.getLong("running_count")).put("draining", s.getBoolean("draining"))
              .put("labels", s.getJsonArray("labels", new JsonArray())));
          sandboxes.mergeIn(s.getJsonObject("sandboxes"));
          count += s.getLong("sandbox_count");
          running += s.getLong("running_count");
        }
        lostOnes.forEach((id, e) -> sandboxes.put(id, new JsonObject().put("name", e.getString("name"))
            .put("status", SandboxStatus.LOST.value()).put("node_id", e.getString("node_id"))));
        JsonObject mine = answers.containsKey(settings.nodeId())
            ? (JsonObject) answers.get(settings.nodeId()).result() : new JsonObject();
        return Future.succeededFuture(mine.copy().put("node_id", settings.nodeId())
            .put("max_sandboxes", settings.maxSandboxes()).put("sandbox_count", count).put("running_count", running)
            .put("lost_count", lostOnes.size()).put("nodes", perNode).put("sandboxes", sandboxes));
      }
      case Actions.TOTAL_USAGE -> {
        JsonObject each = new JsonObject();
        long count = 0;
        long running = 0;
        double mem = 0;
        double cpu = 0;
        for (JsonObject o : ok) {
          each.mergeIn(o.getJsonObject("sandboxes"));
          count += o.getLong("sandbox_count");
          running += o.getLong("running_count");
          mem += o.getDouble("total_memory_mb");
          cpu += o.getDouble("total_cpu_percent");
        }
        return Future.succeededFuture(new JsonObject().put("sandbox_count", count).put("running_count", running)
            .put("total_memory_mb", Math.round(mem * 100) / 100.0)
            .put("total_cpu_percent", Math.round(cpu * 100) / 100.0).put("sandboxes", each));
      }
      case Actions.CLEANUP, Actions.CLEANUP_STOPPED, Actions.CLEANUP_IDLE -> {
        long cleaned = ok.stream().mapToLong(o -> o.getLong("cleaned", 0L)).sum();
        boolean stopped = Actions.CLEANUP_STOPPED.equals(action)
            || (Actions.CLEANUP.equals(action) && body.getBoolean("stopped", false));
        if (!stopped) {
          return Future.succeededFuture(new JsonObject().put("cleaned", cleaned));
        }
        return forget(lostOnes).map(n -> new JsonObject().put("cleaned", cleaned + n));
      }
      case Actions.DESTROY_ALL -> {
        JsonObject out = new JsonObject();
        ok.forEach(out::mergeIn);
        return forget(lostOnes).map(n -> {
          lostOnes.keySet().forEach(id -> out.put(id, true));
          return out;
        });
      }
      default -> { // health_check_all, stop_all: one flag per sandbox
        JsonObject out = new JsonObject();
        ok.forEach(out::mergeIn);
        if (Actions.HEALTH_ALL.equals(action)) {
          lostOnes.keySet().forEach(id -> out.put(id, false));
        }
        return Future.succeededFuture(out);
      }
    }
  }

  private static JsonObject lostInfo(JsonObject e) {
    JsonObject info = e.getJsonObject("info");
    return info == null ? null : info.copy().put("status", SandboxStatus.LOST.value())
        .put("status_message", "lost: node '" + e.getString("node_id") + "' left the cluster");
  }

  /** Removes lost sandboxes from the index; how many were removed. */
  private Future<Long> forget(Map<String, JsonObject> lostOnes) {
    List<Future<Boolean>> fs = new ArrayList<>();
    lostOnes.forEach((id, e) -> fs.add(index.removeIfPresent(id, e)));
    return Future.join(fs).transform(ar -> Future.succeededFuture(
        fs.stream().filter(f -> f.succeeded() && Boolean.TRUE.equals(f.result())).count()));
  }
}
