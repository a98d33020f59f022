package io.alphora.sandbox.manager;

import io.alphora.sandbox.BackendType;
import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.Ids;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SandboxStatus;
import io.alphora.sandbox.backend.EnvVars;
import io.alphora.sandbox.bus.Actions;
import io.alphora.sandbox.bus.Addresses;
import io.alphora.sandbox.config.Limits;
import io.alphora.sandbox.config.Policies;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** The commands on the manager address: create, list, bulk operations, cleanup, drain. */
final class ManagerCommands {
  private static final Set<String> CREATE_FIELDS = Set.of("name", "sandbox_id", "backend", "image",
      "resource_limits", "security_policy", "env", "idle_timeout_seconds", "metadata", "from_snapshot",
      "auto_start", "node_id", NodeLabels.FIELD);

  private final ManagerVerticle m;

  ManagerCommands(ManagerVerticle m) { this.m = m; }

  Object handle(String action, String tenant, JsonObject b) {
    switch (action == null ? "" : action) {
      case Actions.CREATE -> {
        return create(tenant, b);
      }
      case Actions.GET_OR_CREATE -> {
        String id = b.getString("sandbox_id");
        SandboxRecord r = id == null ? null : m.sandboxes.get(id);
        if (r != null && r.live()) {
          return m.info(m.visible(id, tenant));
        }
        return create(tenant, b, true);
      }
      case Actions.GET -> {
        return m.info(m.visible(str(b, "sandbox_id"), tenant));
      }
      case Actions.GET_BY_NAME -> {
        String name = b.getString("name");
        return visible(tenant).stream().filter(r -> r.name.equals(name)).findFirst().map(m::info)
            .orElseThrow(() -> new SandboxException.SandboxNotFoundException("no sandbox named '" + name + "'",
                Map.of("name", String.valueOf(name))));
      }
      case Actions.LIST -> {
        return list(tenant, b);
      }
      case Actions.STATUS -> {
        return status(tenant);
      }
      case Actions.NODE_LOAD -> {
        return load();
      }
      case Actions.HEALTH_ALL -> {
        return healthAll(tenant);
      }
      case Actions.TOTAL_USAGE -> {
        return totalUsage(tenant);
      }
      case Actions.STOP_ALL -> {
        return bulk(tenant, r -> m.lifecycle.stop(r).mapEmpty());
      }
      case Actions.DESTROY_ALL -> {
        return bulk(tenant, r -> m.lifecycle.destroy(r, "destroyed"));
      }
      case Actions.CLEANUP_STOPPED -> {
        return cleanup(tenant, true, null);
      }
      case Actions.CLEANUP_IDLE -> {
        return cleanup(tenant, false, b.getLong("idle_seconds", 3600L));
      }
      case Actions.CLEANUP -> {
        return cleanup(tenant, b.getBoolean("stopped", false), b.getLong("idle_seconds"));
      }
      default -> throw new SandboxException.InvalidRequestException("unknown manager action '" + action + "'");
    }
  }

  private Future<JsonObject> create(String tenant, JsonObject b) { return create(tenant, b, false); }

  /** {@code restorePersisted}: get_or_create brings back a workspace saved by persist_files. */
  private Future<JsonObject> create(String tenant, JsonObject b, boolean restorePersisted) {
    for (String k : b.fieldNames()) {
      if (!CREATE_FIELDS.contains(k)) {
        throw new SandboxException.InvalidRequestException("unknown field '" + k + "' in the create request",
            Map.of("field", k));
      }
    }
    if (m.draining) {
      throw Lifecycle.draining();
    }
    Object node = b.getValue("node_id");
    if (node != null && !m.settings.nodeId().equals(node)) {
      // clustered, the router places the sandbox and removes node_id; here there is only this node
      throw new SandboxException.InvalidRequestException("no node '" + node + "' (this node is '"
          + m.settings.nodeId() + "' and is not part of a cluster)", Map.of("field", "node_id"));
    }
    List<String> labels = NodeLabels.requested(b.getValue(NodeLabels.FIELD));
    if (!NodeLabels.carries(m.settings.nodeLabels(), labels)) {
      throw NodeLabels.noNode(labels, Map.of(m.settings.nodeId(), m.settings.nodeLabels()));
    }
    String fromSnapshot = Persistence.fromSnapshot(b);
    String id = b.getValue("sandbox_id") == null ? m.newId() : Ids.checkSandboxId(str(b, "sandbox_id"));
    if (m.sandboxes.containsKey(id)) {
      throw new SandboxException.SandboxStateException(ErrorCode.SANDBOX_ALREADY_EXISTS,
          "sandbox '" + id + "' already exists", Map.of("sandbox_id", id));
    }
    if (m.liveCount() >= m.settings.maxSandboxes()) {
      throw new SandboxException(ErrorCode.SANDBOX_LIMIT_REACHED, "maximum sandbox limit ("
          + m.settings.maxSandboxes() + ") reached: destroy a sandbox or raise manager.max_sandboxes",
          Map.of("max_sandboxes", m.settings.maxSandboxes()));
    }
    int perTenant = m.settings.tenantMaxSandboxes();
    if (tenant != null && perTenant > 0 && visible(tenant).size() >= perTenant) {
      throw new SandboxException(ErrorCode.SANDBOX_LIMIT_REACHED, "tenant '" + tenant + "' has reached its limit of "
          + perTenant + " sandboxes (auth.tenant_max_sandboxes): destroy one first",
          Map.of("tenant_max_sandboxes", perTenant));
    }
    SandboxRecord r = new SandboxRecord(id);
    r.name = b.getValue("name") == null ? "sandbox-" + id : name(str(b, "name"));
    r.tenant = tenant;
    r.backendType = b.getValue("backend") == null ? m.settings.defaultBackend() : BackendType.from(str(b, "backend"));
    r.image = b.getValue("image") == null ? (r.backendType == BackendType.DOCKER ? m.settings.defaultImage() : null)
        : str(b, "image");
    r.limits = Limits.parse(b.getValue("resource_limits"), m.settings.defaultLimits(), "resource_limits");
    r.policy = Policies.parse(b.getValue("security_policy"), m.settings.defaultPolicy(), "security_policy");
    r.env.putAll(stringMap(b, "env", true));
    r.metadata.putAll(stringMap(b, "metadata", false));
    Object idle = b.getValue("idle_timeout_seconds");
    if (idle != null) {
      if (!(idle instanceof Number n) || n.longValue() < 0) {
        throw new SandboxException.InvalidRequestException(
            "'idle_timeout_seconds' must be a number >= 0 (0: never)", Map.of("field", "idle_timeout_seconds"));
      }
      r.idleTimeoutSeconds = n.longValue();
    }
    Object autoStart = b.getValue("auto_start", true);
    if (!(autoStart instanceof Boolean)) {
      throw new SandboxException.InvalidRequestException("'auto_start' must be a boolean", Map.of("field", "auto_start"));
    }
    r.dir = io.alphora.sandbox.backend.SandboxSpec.dirFor(m.settings.basePath(), id);
    r.createdAt = Instant.now();
    r.lastActivityAt = r.createdAt;
    m.sandboxes.put(id, r);
    Future<Void> ready = m.persistence.restore(r, fromSnapshot, restorePersisted)
        .compose(v -> m.lifecycle.register(r))
        .compose(v -> m.registerConsumer(r))
        .compose(v -> m.save(r))
        .onSuccess(v -> m.publish("created", r))
        .recover(t -> {
          m.sandboxes.remove(id);
          m.unregisterConsumer(id);
          return Future.failedFuture(t);
        });
    if ((Boolean) autoStart) {
      return ready.compose(v -> m.lifecycle.start(r));
    }
    return ready.map(v -> m.info(r));
  }

  private static String name(String n) {
    if (n.isBlank() || n.length() > 128 || n.chars().anyMatch(Character::isISOControl)) {
      throw new SandboxException.InvalidRequestException(
          "'name' must be 1-128 printable characters", Map.of("field", "name"));
    }
    return n;
  }

  private static String str(JsonObject b, String field) {
    Object v = b.getValue(field);
    if (!(v instanceof String s)) {
      throw new SandboxException.InvalidRequestException("'" + field + "' must be a string", Map.of("field", field));
    }
    return s;
  }

  private static Map<String, String> stringMap(JsonObject b, String field, boolean envRules) {
    Object v = b.getValue(field);
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof JsonObject o)) {
      throw new SandboxException.InvalidRequestException("'" + field + "' must be an object of strings",
          Map.of("field", field));
    }
    Map<String, String> out = new java.util.LinkedHashMap<>();
    o.forEach(e -> {
      if (!(e.getValue() instanceof String s)) {
        throw new SandboxException.InvalidRequestException("'" + field + "." + e.getKey() + "' must be a string",
            Map.of("field", field + "." + e.getKey()));
      }
      out.put(envRules ? EnvVars.checkKey(e.getKey()) : e.getKey(), envRules ? EnvVars.checkValue(e.getKey(), s) : s);
    });
    return out;
  }

  private List<SandboxRecord> visible(String tenant) {
    return m.sandboxes.values().stream().filter(SandboxRecord::live)
        .filter(r -> tenant == null || tenant.equals(r.tenant)).toList();
  }

  private JsonObject list(String tenant, JsonObject b) {
    SandboxStatus status = b.getString("status") == null ? null : SandboxStatus.from(b.getString("status"));
    BackendType backend = b.getString("backend") == null ? null : BackendType.from(b.getString("backend"));
    String name = b.getString("name");
    JsonArray out = new JsonArray();
    visible(tenant).stream()
        .filter(r -> status == null || r.status == status)
        .filter(r -> backend == null || r.backendType == backend)
        .filter(r -> name == null || r.name.equals(name))
        .forEach(r -> out.add(m.info(r)));
    return new JsonObject().put("sandboxes", out);
  }

  private JsonObject status(String tenant) {
    List<SandboxRecord> all = visible(tenant);
    JsonObject each = new JsonObject();
    all.forEach(r -> each.put(r.id, new JsonObject().put("name", r.name).put("status", r.status.value())
        .put("backend", r.backendType.value())));
    return new JsonObject().put("node_id", m.settings.nodeId()).put("base_path", m.settings.basePath().toString())
        .put("default_backend", m.settings.defaultBackend().value()).put("max_sandboxes", m.settings.maxSandboxes())
        .put("sandbox_count", all.size())
        .put("running_count", all.stream().filter(r -> r.status == SandboxStatus.RUNNING).count())
        .put("draining", m.draining).put("labels", new JsonArray(m.settings.nodeLabels())).put("sandboxes", each);
  }

  /** For placing creates in a cluster: running sandboxes, live ones, free memory, draining. */
  private JsonObject load() {
    long running = m.sandboxes.values().stream().filter(r -> r.status == SandboxStatus.RUNNING).count();
    long free = -1;
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      free = os.getFreeMemorySize() >> 20;
    }
    return new JsonObject().put("node_id", m.settings.nodeId()).put("running_count", running)
        .put("sandbox_count", m.liveCount()).put("free_memory_mb", free).put("draining", m.draining);
  }

  private Future<JsonObject> healthAll(String tenant) {
    JsonObject out = new JsonObject();
    List<Future<?>> fs = new ArrayList<>();
    for (SandboxRecord r : visible(tenant)) {
      if (r.status != SandboxStatus.RUNNING) {
        out.put(r.id, false);
        continue;
      }
      fs.add(m.lifecycle.backend(r, Actions.BACKEND_HEALTH, new JsonObject(), 10_000)
          .map(o -> out.put(r.id, ((JsonObject) o).getBoolean("healthy")))
          .otherwise(t -> out.put(r.id, false)));
    }
    return Future.join(fs).transform(ar -> Future.succeededFuture(out));
  }

  private Future<JsonObject> totalUsage(String tenant) {
    JsonObject each = new JsonObject();
    List<Future<?>> fs = new ArrayList<>();
    List<SandboxRecord> all = visible(tenant);
    for (SandboxRecord r : all) {
      if (r.status == SandboxStatus.RUNNING) {
        fs.add(m.lifecycle.backend(r, Actions.USAGE, new JsonObject(), 10_000).map(o -> each.put(r.id, o))
            .otherwise(t -> null));
      }
    }
    return Future.join(fs).transform(ar -> {
      double mem = 0;
      double cpu = 0;
      for (String id : each.fieldNames()) {
        mem += each.getJsonObject(id).getDouble("memory_mb", 0.0);
        cpu += each.getJsonObject(id).getDouble("cpu_percent", 0.0);
      }
      return Future.succeededFuture(new JsonObject().put("sandbox_count", all.size())
          .put("running_count", all.stream().filter(r -> r.status == SandboxStatus.RUNNING).count())
          .put("total_memory_mb", Math.round(mem * 100) / 100.0).put("total_cpu_percent", Math.round(cpu * 100) / 100.0)
          .put("sandboxes", each));
    });
  }

  private Future<JsonObject> bulk(String tenant, java.util.function.Function<SandboxRecord, Future<?>> op) {
    JsonObject out = new JsonObject();
    List<Future<?>> fs = new ArrayList<>();
    for (SandboxRecord r : visible(tenant)) {
      fs.add(op.apply(r).map(v -> out.put(r.id, true)).otherwise(t -> out.put(r.id, false)));
    }
    return Future.join(fs).transform(ar -> Future.succeededFuture(out));
  }

  /** Destroys stopped/errored sandboxes and/or those idle longer than {@code idleSeconds}. */
  private Future<JsonObject> cleanup(String tenant, boolean stopped, Long idleSeconds) {
    Instant now = Instant.now();
    Predicate<SandboxRecord> isStopped = r -> stopped
        && (r.status == SandboxStatus.STOPPED || r.status == SandboxStatus.ERROR);
    Predicate<SandboxRecord> isIdle = r -> idleSeconds != null && idle(r, now, idleSeconds);
    List<Future<?>> fs = new ArrayList<>();
    int[] n = {0};
    for (SandboxRecord r : visible(tenant)) {
      if (isStopped.test(r) || isIdle.test(r)) {
        String event = isIdle.test(r) ? "idle_cleaned" : "destroyed";
        fs.add(m.lifecycle.destroy(r, event).onSuccess(v -> n[0]++));
      }
    }
    return Future.join(fs).transform(ar -> Future.succeededFuture(new JsonObject().put("cleaned", n[0])));
  }

  static boolean idle(SandboxRecord r, Instant now, long seconds) {
    return r.activeRuns == 0 && r.lastActivityAt != null
        && Duration.between(r.lastActivityAt, now).toMillis() >= seconds * 1000;
  }

  /** The periodic sweep: each sandbox's own idle_timeout_seconds, else the configured default. */
  void sweepIdle() {
    Instant now = Instant.now();
    for (SandboxRecord r : List.copyOf(m.sandboxes.values())) {
      if (!r.live()) {
        continue;
      }
      long timeout = r.idleTimeoutSeconds != null ? r.idleTimeoutSeconds : m.settings.idleTimeoutSeconds();
      if (timeout > 0 && idle(r, now, timeout)) {
        m.lifecycle.destroy(r, "idle_cleaned");
      } else if (r.status == SandboxStatus.RUNNING) {
        m.save(r); // keeps execution_count and last activity on disk
      }
    }
  }

  /** Notices from this node's own backend and launcher (see {@link Addresses#internal}). */
  Object internal(String action, JsonObject b) {
    SandboxRecord r = b.getString("sandbox_id") == null ? null : m.sandboxes.get(b.getString("sandbox_id"));
    switch (action == null ? "" : action) {
      case Actions.RUN_FINISHED -> {
        if (r != null) {
          r.activeRuns = Math.max(0, r.activeRuns - 1);
          r.executionCount++;
          r.diskCheckedAtNanos = 0;
          r.touch();
          m.metrics.run(b.getString("status"), b.getDouble("execution_time", 0.0));
        }
        return new JsonObject();
      }
      case Actions.RUNNER_DIED -> {
        if (r != null) {
          m.lifecycle.runnerDied(r, b.getString("message"));
        }
        return new JsonObject();
      }
      case Actions.SHUTDOWN -> {
        return drain();
      }
      case Actions.NODE_LOAD -> {
        return load();
      }
      case Actions.REINDEX -> {
        List<Future<Void>> all = m.sandboxes.values().stream().filter(SandboxRecord::live).map(m::indexed).toList();
        return Future.join(all).transform(ar -> Future.succeededFuture(new JsonObject().put("reindexed", all.size())));
      }
      default -> throw new SandboxException.InvalidRequestException("unknown internal action '" + action + "'");
    }
  }

  /** SIGTERM: refuse new work, give running runs the shutdown timeout, then stop everything. */
  private Future<JsonObject> drain() {
    m.draining = true;
    Promise<Void> quiet = Promise.promise();
    long deadline = System.nanoTime() + m.settings.shutdownTimeoutSeconds() * 1_000_000_000L;
    long[] timer = new long[1];
    timer[0] = m.vertx().setPeriodic(50, t -> {
      boolean busy = m.sandboxes.values().stream().anyMatch(r -> r.activeRuns > 0);
      if (!busy || System.nanoTime() > deadline) {
        m.vertx().cancelTimer(timer[0]);
        quiet.tryComplete();
      }
    });
    return quiet.future().compose(v -> bulk(null, r -> m.lifecycle.stop(r)))
        .map(stopped -> new JsonObject().put("stopped", stopped));
  }
}
