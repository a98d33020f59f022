package io.alphora.sandbox.impl;

import io.alphora.sandbox.BackendType;
import io.alphora.sandbox.CreateOptions;
import io.alphora.sandbox.ManagerStatus;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxInfo;
import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.SandboxStatus;
import io.alphora.sandbox.TotalUsage;
import io.alphora.sandbox.bus.Actions;
import io.alphora.sandbox.bus.Addresses;
import io.alphora.sandbox.bus.BusClient;
import io.alphora.sandbox.bus.Json;
import io.alphora.sandbox.storage.Storage;
import io.alphora.sandbox.storage.bus.BusStorage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** {@link SandboxManager} over the event bus. */
public final class BusSandboxManager implements SandboxManager {
  private final BusClient bus;
  private final Supplier<Future<Void>> onShutdown;
  private final Storage storage;

  public BusSandboxManager(Vertx vertx, Addresses addresses, Supplier<Future<Void>> onShutdown) {
    this(vertx, addresses, onShutdown, null);
  }

  /** {@code storage}: the node's own store (null: the store of whoever answers on the bus). */
  public BusSandboxManager(Vertx vertx, Addresses addresses, Supplier<Future<Void>> onShutdown, Storage storage) {
    this.bus = new BusClient(vertx, addresses);
    this.onShutdown = onShutdown;
    this.storage = storage != null ? storage : new BusStorage(vertx, bus);
  }

  @Override
  public Storage storage() { return storage; }

  @Override
  public Future<Sandbox> createFromSnapshot(String snapshotKey, CreateOptions options) {
    return bus.managerJson(Actions.CREATE, createBody(options).put("from_snapshot", snapshotKey)).map(this::handle);
  }

  static JsonObject createBody(CreateOptions o) {
    JsonObject b = new JsonObject();
    putIf(b, "name", o.name());
    putIf(b, "sandbox_id", o.sandboxId());
    putIf(b, "backend", o.backend() == null ? null : o.backend().value());
    putIf(b, "image", o.image());
    putIf(b, "resource_limits", o.resourceLimits() == null ? null : Json.toJson(o.resourceLimits()));
    putIf(b, "security_policy", o.securityPolicy() == null ? null : Json.toJson(o.securityPolicy()));
    putIf(b, "env", o.env() == null ? null : new JsonObject(new LinkedHashMap<>(o.env())));
    putIf(b, "idle_timeout_seconds", o.idleTimeoutSeconds());
    putIf(b, "metadata", o.metadata() == null ? null : new JsonObject(new LinkedHashMap<>(o.metadata())));
    putIf(b, "auto_start", o.autoStart());
    return b;
  }

  private static void putIf(JsonObject b, String k, Object v) {
    if (v != null) {
      b.put(k, v);
    }
  }

  private Sandbox handle(JsonObject info) { return new BusSandbox(bus, info.getString("sandbox_id")); }

  @Override
  public Future<Sandbox> create(CreateOptions options) {
    return bus.managerJson(Actions.CREATE, createBody(options)).map(this::handle);
  }

  @Override
  public Future<Sandbox> getOrCreate(String sandboxId, CreateOptions options) {
    return bus.managerJson(Actions.GET_OR_CREATE, createBody(options.withSandboxId(sandboxId))).map(this::handle);
  }

  @Override
  public Future<Sandbox> get(String sandboxId) {
    return bus.managerJson(Actions.GET, new JsonObject().put("sandbox_id", sandboxId)).map(this::handle);
  }

  @Override
  public Future<Sandbox> getByName(String name) {
    return bus.managerJson(Actions.GET_BY_NAME, new JsonObject().put("name", name)).map(this::handle);
  }

  @Override
  public Sandbox sandbox(String sandboxId) { return new BusSandbox(bus, sandboxId); }

  @Override
  public Future<List<SandboxInfo>> list(SandboxStatus status, BackendType backend) {
    JsonObject q = new JsonObject();
    putIf(q, "status", status == null ? null : status.value());
    putIf(q, "backend", backend == null ? null : backend.value());
    return bus.managerJson(Actions.LIST, q).map(j -> {
      List<SandboxInfo> out = new ArrayList<>();
      j.getJsonArray("sandboxes").forEach(o -> out.add(Json.fromJson((JsonObject) o, SandboxInfo.class, "reply")));
      return out;
    });
  }

  @Override
  public Future<ManagerStatus> status() {
    // clustered, the answer also has per-node figures (nodes, lost_count) that the record does not carry
    return bus.managerJson(Actions.STATUS, new JsonObject()).map(j -> {
      JsonObject s = j.copy();
      s.remove("nodes");
      s.remove("lost_count");
      return Json.fromJson(s, ManagerStatus.class, "reply");
    });
  }

  @Override
  public Future<TotalUsage> totalUsage() {
    return bus.managerJson(Actions.TOTAL_USAGE, new JsonObject())
        .map(j -> Json.fromJson(j, TotalUsage.class, "reply"));
  }

  @Override
  public Future<Map<String, Boolean>> healthCheckAll() { return flags(Actions.HEALTH_ALL); }

  @Override
  public Future<Map<String, Boolean>> stopAll() { return flags(Actions.STOP_ALL); }

  @Override
  public Future<Map<String, Boolean>> destroyAll() { return flags(Actions.DESTROY_ALL); }

  private Future<Map<String, Boolean>> flags(String action) {
    return bus.managerJson(action, new JsonObject()).map(j -> {
      Map<String, Boolean> out = new LinkedHashMap<>();
      j.forEach(e -> out.put(e.getKey(), (Boolean) e.getValue()));
      return out;
    });
  }

  @Override
  public Future<Integer> cleanupStopped() {
    return bus.managerJson(Actions.CLEANUP_STOPPED, new JsonObject()).map(j -> j.getInteger("cleaned"));
  }

  @Override
  public Future<Integer> cleanupIdle(long idleSeconds) {
    return bus.managerJson(Actions.CLEANUP_IDLE, new JsonObject().put("idle_seconds", idleSeconds))
        .map(j -> j.getInteger("cleaned"));
  }

  @Override
  public Future<Void> shutdown() { return onShutdown == null ? Future.succeededFuture() : onShutdown.get(); }
}
