package io.alphora.sandbox.manager;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.Ids;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SandboxStatus;
import io.alphora.sandbox.bus.Actions;
import io.alphora.sandbox.bus.Addresses;
import io.alphora.sandbox.bus.BusErrors;
import io.alphora.sandbox.bus.Json;
import io.alphora.sandbox.metrics.SandboxMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the state of this node's sandboxes: a plain map on one event loop (no locks), persisted under
 * the base path. Answers manager commands on {@code <prefix>.manager} and each sandbox's commands on
 * {@code <prefix>.<id>}, forwarding blocking work to the node's backend workers, and runs the idle
 * sweep. Lifecycle operations on one sandbox are serialised; different sandboxes proceed in parallel.
 */
public final class ManagerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ManagerVerticle.class);

  final ManagerSettings settings;
  final Addresses addresses;
  final SandboxMetrics metrics;
  final Map<String, SandboxRecord> sandboxes = new LinkedHashMap<>();
  final Map<String, MessageConsumer<JsonObject>> consumers = new HashMap<>();
  Registry registry;
  Lifecycle lifecycle;
  AuditLog audit;
  private SandboxCommands commands;
  private ManagerCommands managerCommands;
  private long sweepTimer = -1;
  boolean draining;
  private final io.alphora.sandbox.storage.snapshot.Snapshots snapshots;
  private final boolean persistFiles;
  Persistence persistence;
  /** Clustered: the cluster-wide index this node keeps its own sandboxes' entries in; else null. */
  private Future<io.vertx.core.shareddata.AsyncMap<String, JsonObject>> index;
  /** Index writes of this node, one after the other so that a later state never loses to an earlier one. */
  private Future<?> indexTail = Future.succeededFuture();

  public ManagerVerticle(ManagerSettings settings, Addresses addresses, SandboxMetrics metrics) {
    this(settings, addresses, metrics, null, false);
  }

  /** With storage: snapshots, {@code from_snapshot} and (when {@code persistFiles}) persisted workspaces. */
  public ManagerVerticle(ManagerSettings settings, Addresses addresses, SandboxMetrics metrics,
      io.alphora.sandbox.storage.snapshot.Snapshots snapshots, boolean persistFiles) {
    this.settings = settings;
    this.addresses = addresses;
    this.metrics = metrics;
    this.snapshots = snapshots;
    this.persistFiles = persistFiles;
  }

  @Override
  public Future<?> start() {
    if (vertx.isClustered()) {
      index = vertx.sharedData().<String, JsonObject>getAsyncMap(addresses.index());
    }
    registry = new Registry(vertx, settings.basePath());
    lifecycle = new Lifecycle(this);
    persistence = new Persistence(this, snapshots, persistFiles);
    commands = new SandboxCommands(this);
    managerCommands = new ManagerCommands(this);
    return AuditLog.open(vertx, settings.basePath(), addresses.audit())
        .compose(a -> {
          audit = a;
          return vertx.executeBlocking(registry::loadAll);
        })
        .compose(records -> {
          Future<?> all = Future.succeededFuture();
          for (SandboxRecord r : records) {
            all = all.compose(v -> adopt(r));
          }
          return all;
        })
        .compose(v -> vertx.eventBus().<JsonObject>consumer(
            vertx.isClustered() ? addresses.node(settings.nodeId()) : addresses.manager(), this::onManager).completion())
        .compose(v -> vertx.eventBus().<JsonObject>localConsumer(addresses.internal(settings.nodeId()),
            msg -> reply(msg, () -> managerCommands.internal(msg.headers().get(Actions.HEADER), body(msg))))
            .completion())
        .onSuccess(v -> armSweep());
  }

  /** A sandbox found on disk at start-up: it comes back stopped, with its files, env and packages. */
  private Future<Void> adopt(SandboxRecord r) {
    if (r.status != SandboxStatus.STOPPED && r.status != SandboxStatus.CREATED) {
      r.status = SandboxStatus.STOPPED;
      r.stoppedAt = r.stoppedAt == null ? Instant.now() : r.stoppedAt;
      r.statusMessage = "stopped: the service restarted";
    }
    sandboxes.put(r.id, r);
    return lifecycle.register(r).compose(v -> registerConsumer(r)).compose(v -> save(r))
        .compose(v -> indexed(r))
        .onFailure(t -> LOG.warn("could not adopt sandbox {}: {}", r.id, t.getMessage()));
  }

  Future<Void> registerConsumer(SandboxRecord r) {
    MessageConsumer<JsonObject> c =
        vertx.eventBus().consumer(addresses.sandbox(r.id), m -> onSandbox(r.id, m));
    consumers.put(r.id, c);
    return c.completion();
  }

  Future<Void> unregisterConsumer(String id) {
    MessageConsumer<JsonObject> c = consumers.remove(id);
    return c == null ? Future.succeededFuture() : c.unregister();
  }

  private void armSweep() {
    if (settings.idleSweepSeconds() > 0) {
      sweepTimer = vertx.setPeriodic(settings.idleSweepSeconds() * 1000, id -> managerCommands.sweepIdle());
    }
  }

  private void onManager(Message<JsonObject> msg) {
    String action = msg.headers().get(Actions.HEADER);
    String tenant = tenant(msg);
    Object out = reply(msg, () -> managerCommands.handle(action, tenant, body(msg)));
    if (!Actions.GET.equals(action) && !Actions.LIST.equals(action) && !Actions.STATUS.equals(action)) {
      audited(out, tenant, null, action);
    }
  }

  private void onSandbox(String id, Message<JsonObject> msg) {
    String action = msg.headers().get(Actions.HEADER);
    String tenant = tenant(msg);
    SandboxRecord known = sandboxes.get(id);
    boolean audit = known != null && known.policy.auditEnabled();
    Object out = reply(msg, () -> {
      SandboxRecord r = visible(id, tenant);
      return commands.handle(action, r, body(msg), msg);
    });
    if (audit && !Actions.READ_CHUNK.equals(action)) {
      audited(out, tenant, id, action);
    }
  }

  /** Appends the operation's outcome to the audit trail once it is known. */
  private void audited(Object out, String tenant, String sandboxId, String action) {
    if (out instanceof Future<?> f) {
      f.onComplete(ar -> audit.record(tenant, sandboxId, action, ar.failed() ? ar.cause() : null));
    } else {
      audit.record(tenant, sandboxId, action, out instanceof Throwable t ? t : null);
    }
  }

  static JsonObject body(Message<JsonObject> msg) { return msg.body() == null ? new JsonObject() : msg.body(); }

  static String tenant(Message<?> msg) { return msg.headers().get(Actions.TENANT_HEADER); }

  /** Another tenant's sandbox is indistinguishable from a missing one. */
  SandboxRecord visible(String id, String tenant) {
    SandboxRecord r = sandboxes.get(id);
    if (r == null || !r.live() || (tenant != null && !tenant.equals(r.tenant))) {
      throw SandboxException.SandboxNotFoundException.forId(id);
    }
    return r;
  }

  /**
   * Replies with a value, a Future's value, or the error; {@code NO_REPLY} when already answered.
   * Returns what the work produced (a value, a Future, or the Throwable it threw) for the audit trail.
   */
  static Object reply(Message<?> msg, java.util.concurrent.Callable<Object> work) {
    try {
      Object out = work.call();
      if (out instanceof Future<?> f) {
        f.onComplete(ar -> {
          if (ar.succeeded()) {
            if (ar.result() != NO_REPLY) {
              msg.reply(ar.result());
            }
          } else {
            BusErrors.fail(msg, ar.cause());
          }
        });
      } else if (out != NO_REPLY) {
        msg.reply(out);
      }
      return out;
    } catch (Throwable t) {
      BusErrors.fail(msg, t);
      return t;
    }
  }

  static final Object NO_REPLY = new Object();

  Future<Void> save(SandboxRecord r) {
    if (r.persisting) {
      r.persistAgain = true;
      return Future.succeededFuture();
    }
    r.persisting = true;
    return registry.save(r).eventually(() -> {
      r.persisting = false;
      if (r.persistAgain && r.live()) {
        r.persistAgain = false;
        return save(r);
      }
      return Future.succeededFuture();
    }).onFailure(t -> LOG.error("could not persist sandbox {}: {}", r.id, t.getMessage()));
  }

  /**
   * Clustered: writes the sandbox's entry ({@code node_id}, {@code tenant}, {@code status},
   * {@code info}) into the cluster index, or removes it once destroyed. Completes when written.
   */
  Future<Void> indexed(SandboxRecord r) {
    if (index == null) {
      return Future.succeededFuture();
    }
    JsonObject entry = r.live() ? new JsonObject().put("node_id", settings.nodeId()).put("tenant", r.tenant)
        .put("name", r.name).put("status", r.status.value()).put("info", info(r)) : null;
    Future<Void> done = indexTail.transform(ignored -> index.compose(map -> entry == null
        ? map.remove(r.id).<Void>mapEmpty() : map.put(r.id, entry)));
    indexTail = done;
    return done.onFailure(t -> LOG.warn("cluster index: could not record sandbox {}: {}", r.id, t.getMessage()));
  }

  void publish(String event, SandboxRecord r) {
    indexed(r);
    metrics.sandboxCounts(sandboxes.values().stream().filter(SandboxRecord::live)
        .collect(java.util.stream.Collectors.groupingBy(x -> x.status.value(), java.util.stream.Collectors.counting())));
    vertx.eventBus().publish(addresses.events(), new JsonObject().put("event", event).put("sandbox_id", r.id)
        .put("name", r.name).put("status", r.status.value()).put("node_id", settings.nodeId())
        .put("timestamp", Json.formatTime(Instant.now())));
  }

  JsonObject info(SandboxRecord r) { return Json.toJson(r.info(settings.nodeId())); }

  long liveCount() { return sandboxes.values().stream().filter(SandboxRecord::live).count(); }

  String newId() {
    String id;
    do {
      id = Ids.sandbox();
    } while (sandboxes.containsKey(id));
    return id;
  }

  static SandboxException notRunning(SandboxRecord r) {
    return new SandboxException.SandboxStateException(ErrorCode.SANDBOX_NOT_RUNNING, "sandbox '" + r.id
        + "' is not running (status " + r.status.value() + "): start it first", Map.of("sandbox_id", r.id,
        "status", r.status.value()));
  }

  io.vertx.core.Vertx vertx() { return vertx; }

  @Override
  public Future<?> stop() {
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    return audit == null ? Future.succeededFuture() : audit.close();
  }
}
