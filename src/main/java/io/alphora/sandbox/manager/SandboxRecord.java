package io.alphora.sandbox.manager;

import io.alphora.sandbox.BackendType;
import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.SandboxInfo;
import io.alphora.sandbox.SandboxStatus;
import io.alphora.sandbox.SecurityPolicy;
import io.alphora.sandbox.backend.SandboxSpec;
import io.alphora.sandbox.bus.Json;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The manager's mutable state of one sandbox. Confined to the manager's event loop: no locks. The
 * persisted form ({@link #toJson()}) is what survives a restart.
 */
final class SandboxRecord {
  final String id;
  String name;
  String tenant;
  SandboxStatus status = SandboxStatus.CREATED;
  BackendType backendType;
  String image;
  Path dir;
  Instant createdAt;
  Instant startedAt;
  Instant stoppedAt;
  Instant lastActivityAt;
  ResourceLimits limits;
  SecurityPolicy policy;
  final Map<String, String> env = new LinkedHashMap<>();
  Map<String, String> metadata = new LinkedHashMap<>();
  Long idleTimeoutSeconds;
  long executionCount;
  String statusMessage;
  String isolation;

  // transient
  int activeRuns;
  long fileCount;
  double totalSizeMb;
  long diskCheckedAtNanos;
  Future<?> lifecycle = Future.succeededFuture();
  boolean persisting;
  boolean persistAgain;

  SandboxRecord(String id) { this.id = id; }

  SandboxSpec spec() { return new SandboxSpec(id, backendType, image, dir, limits, policy); }

  void touch() { lastActivityAt = Instant.now(); }

  boolean live() { return status != SandboxStatus.DESTROYED; }

  SandboxInfo info(String nodeId) {
    return new SandboxInfo(id, name, status, backendType, image, dir.resolve("workspace").toString(), createdAt,
        startedAt, stoppedAt, lastActivityAt, limits, policy, executionCount, fileCount, totalSizeMb,
        Map.copyOf(metadata), nodeId, idleTimeoutSeconds, isolation, statusMessage);
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("version", 1)
        .put("sandbox_id", id).put("name", name).put("tenant", tenant).put("status", status.value())
        .put("backend_type", backendType.value()).put("image", image).put("dir", dir.toString())
        .put("created_at", Json.formatTime(createdAt)).put("started_at", Json.formatTime(startedAt))
        .put("stopped_at", Json.formatTime(stoppedAt)).put("last_activity_at", Json.formatTime(lastActivityAt))
        .put("resource_limits", Json.toJson(limits)).put("security_policy", Json.toJson(policy))
        .put("env", new JsonObject(new LinkedHashMap<>(env))).put("metadata", new JsonObject(new LinkedHashMap<>(metadata)))
        .put("idle_timeout_seconds", idleTimeoutSeconds).put("execution_count", executionCount)
        .put("status_message", statusMessage);
  }

  static SandboxRecord fromJson(JsonObject j) {
    SandboxRecord r = new SandboxRecord(j.getString("sandbox_id"));
    r.name = j.getString("name");
    r.tenant = j.getString("tenant");
    r.status = SandboxStatus.from(j.getString("status"));
    r.backendType = BackendType.from(j.getString("backend_type"));
    r.image = j.getString("image");
    r.dir = Path.of(j.getString("dir"));
    r.createdAt = time(j, "created_at");
    r.startedAt = time(j, "started_at");
    r.stoppedAt = time(j, "stopped_at");
    r.lastActivityAt = time(j, "last_activity_at");
    r.limits = Json.fromJson(j.getJsonObject("resource_limits"), ResourceLimits.class, "resource_limits");
    r.policy = Json.fromJson(j.getJsonObject("security_policy"), SecurityPolicy.class, "security_policy");
    j.getJsonObject("env", new JsonObject()).forEach(e -> r.env.put(e.getKey(), String.valueOf(e.getValue())));
    j.getJsonObject("metadata", new JsonObject()).forEach(e -> r.metadata.put(e.getKey(), String.valueOf(e.getValue())));
    r.idleTimeoutSeconds = j.getLong("idle_timeout_seconds");
    r.executionCount = j.getLong("execution_count", 0L);
    r.statusMessage = j.getString("status_message");
    return r;
  }

  private static Instant time(JsonObject j, String key) {
    String v = j.getString(key);
    return v == null ? null : Instant.parse(v);
  }
}
