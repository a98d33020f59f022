package io.alphora.sandbox;

import io.alphora.sandbox.bus.Addresses;
import io.alphora.sandbox.config.SandboxConfig;
import io.alphora.sandbox.impl.BusSandboxManager;
import io.alphora.sandbox.impl.Embedded;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;

/**
 * Creates, finds and manages sandboxes (the seed's {@code SandboxManager}). {@link #deploy} hosts
 * sandboxes in this JVM (manager and backend verticles); {@link #client} only talks to a manager
 * deployed elsewhere on the same (clustered) event bus.
 */
public interface SandboxManager extends AutoCloseable {

  /** Deploys the manager and the local backend on {@code vertx} with {@code config}. */
  static Future<SandboxManager> deploy(Vertx vertx, SandboxConfig config) {
    return Embedded.deploy(vertx, config).map(n -> n.manager());
  }

  /**
   * Whether a Docker daemon answers at {@code config}'s {@code docker.docker_host} (the seed's
   * {@code is_docker_available()}); never fails. It says nothing about the runtime image; the
   * {@code /ready} endpoint does.
   */
  static Future<Boolean> isDockerAvailable(Vertx vertx, SandboxConfig config) {
    return vertx.executeBlocking(() -> io.alphora.sandbox.backend.docker.DockerClients.isAvailable(config.docker()), false)
        .otherwise(false);
  }

  /** {@link #isDockerAvailable(Vertx, SandboxConfig)} for the default daemon, or {@code SANDBOX_DOCKER_HOST}. */
  static Future<Boolean> isDockerAvailable(Vertx vertx) {
    String host = System.getenv("SANDBOX_DOCKER_HOST");
    io.vertx.core.json.JsonObject docker = new io.vertx.core.json.JsonObject();
    if (host != null && !host.isBlank()) {
      docker.put("docker_host", host);
    }
    return Future.<SandboxConfig>future(p -> p.complete(
            SandboxConfig.fromJson(new io.vertx.core.json.JsonObject().put("docker", docker))))
        .compose(c -> isDockerAvailable(vertx, c))
        .otherwise(false);
  }

  /** A client of a manager already deployed on this event bus (default address prefix). */
  static SandboxManager client(Vertx vertx) { return new BusSandboxManager(vertx, Addresses.defaults(), null); }

  Future<Sandbox> create(CreateOptions options);

  /**
   * Creates a sandbox whose workspace is restored from a snapshot ({@link Sandbox#snapshot()}):
   * {@code object_not_found} when the key does not exist, {@code invalid_request} (and nothing
   * created) when the archive has entries that leave the workspace, links or devices.
   */
  Future<Sandbox> createFromSnapshot(String snapshotKey, CreateOptions options);

  /**
   * The object storage configured for the service ({@code storage.*}): local directory, S3 or MinIO.
   * For {@link #deploy}: this node's store, streaming included; for {@link #client}: the store of
   * the node answering on the bus, with objects up to 16 MiB.
   */
  io.alphora.sandbox.storage.Storage storage();

  /** The sandbox with this id, or a new one with this id and {@code options}. */
  Future<Sandbox> getOrCreate(String sandboxId, CreateOptions options);

  Future<Sandbox> get(String sandboxId);

  Future<Sandbox> getByName(String name);

  /** A handle without asking the manager first (the next call on it fails if the id is unknown). */
  Sandbox sandbox(String sandboxId);

  Future<List<SandboxInfo>> list(SandboxStatus status, BackendType backend);

  default Future<List<SandboxInfo>> list() { return list(null, null); }

  Future<ManagerStatus> status();

  Future<TotalUsage> totalUsage();

  Future<Map<String, Boolean>> healthCheckAll();

  Future<Map<String, Boolean>> stopAll();

  Future<Map<String, Boolean>> destroyAll();

  /** Destroys stopped and errored sandboxes; returns how many. */
  Future<Integer> cleanupStopped();

  /** Destroys sandboxes with no activity for {@code idleSeconds}; returns how many. */
  Future<Integer> cleanupIdle(long idleSeconds);

  /** For {@link #deploy}: drains and undeploys everything; for {@link #client}: nothing. */
  Future<Void> shutdown();

  @Override
  default void close() { shutdown(); }
}
