package io.alphora.sandbox.impl;

import io.alphora.sandbox.BackendType;
import io.alphora.sandbox.CreateOptions;
import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.SecurityPolicy;
import io.alphora.sandbox.backend.BackendNode;
import io.alphora.sandbox.backend.BackendVerticle;
import io.alphora.sandbox.backend.WorkspaceVolumes;
import io.alphora.sandbox.backend.PipSettings;
import io.alphora.sandbox.backend.docker.DockerBackend;
import io.alphora.sandbox.backend.local.LocalBackend;
import io.alphora.sandbox.backend.local.StaleRunners;
import io.alphora.sandbox.bus.Actions;
import io.alphora.sandbox.bus.Addresses;
import io.alphora.sandbox.bus.BusClient;
import io.alphora.sandbox.cluster.ClusterRouter;
import io.alphora.sandbox.config.LocalConfig;
import io.alphora.sandbox.config.SandboxConfig;
import io.alphora.sandbox.manager.ManagerSettings;
import io.alphora.sandbox.manager.ManagerVerticle;
import io.alphora.sandbox.metrics.SandboxMetrics;
import io.alphora.sandbox.storage.Storage;
import io.alphora.sandbox.storage.bus.StorageVerticle;
import io.alphora.sandbox.storage.snapshot.Snapshots;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hosting sandboxes in this JVM: the backend worker verticles and the manager verticle on a Vert.x
 * instance, wired from a {@link SandboxConfig}.
 */
public final class Embedded {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Embedded.class);
  /** Backend worker instances per node: blocking file and process work proceeds in parallel. */
  static final int BACKEND_WORKERS = 4;

  private Embedded() {}

  /** A deployed node: its manager facade, and how to take it down again. */
  public record Node(SandboxManager manager, BusClient bus, ManagerSettings settings, SandboxMetrics metrics,
      Future<Void> closed, Storage storage) {}

  public static Future<Node> deploy(Vertx vertx, SandboxConfig config) {
    Addresses addresses = new Addresses(config.eventBusPrefix());
    ManagerSettings settings = settings(config);
    SandboxMetrics metrics = new SandboxMetrics();
    Path runnerDir = settings.basePath().resolve("runner");
    return vertx.executeBlocking(() -> {
      Files.createDirectories(settings.basePath());
      Files.createDirectories(runnerDir);
      StaleRunners.kill(runnerDir); // an earlier instance killed with -9 may have left runners behind
      return WorkspaceVolumes.create(config.manager().workspaceQuota());
    }).compose(volumes -> {
      LocalBackend backend = new LocalBackend(Path.of(config.local().python()), runnerDir,
          (id, message) -> vertx.eventBus().send(addresses.internal(settings.nodeId()),
              new JsonObject().put("sandbox_id", id).put("message", message),
              new DeliveryOptions().addHeader(Actions.HEADER, Actions.RUNNER_DIED)),
          useBwrap(config), Path.of(config.local().bwrapPath()),
          config.pip().findLinks() == null ? null : Path.of(config.pip().findLinks()),
          config.local().cgroups() ? settings.nodeId() : null, config.local().allowedHostPaths());
      BackendNode node = new BackendNode(vertx, addresses, settings.nodeId(), backend, settings.basePath(),
          Path.of(config.local().python()), pip(config), volumes);
      DockerBackend docker = dockerBackend(vertx, config, addresses, settings, runnerDir, volumes);
      BackendNode dockerNode = new BackendNode(vertx, addresses, settings.nodeId(), docker, settings.basePath(),
          Path.of(config.local().python()), pip(config), volumes);
      Storage storage = Storage.create(vertx, config.storage());
      Snapshots snapshots = new Snapshots(vertx, storage);
      // one more instance than workers: it takes only what must stay in order (a run's stdin)
      DeploymentOptions workers = new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)
          .setInstances(BACKEND_WORKERS + 1).setConfig(new JsonObject().put("node_id", settings.nodeId()));
      // clustered: the router joins the nodes map before the manager adopts (and indexes) its sandboxes
      ClusterRouter router = vertx.isClustered() ? new ClusterRouter(settings, addresses) : null;
      return vertx.deployVerticle(() -> new BackendVerticle(node), workers).compose(backendId ->
          vertx.deployVerticle(() -> new BackendVerticle(dockerNode), workers).compose(dockerId ->
          vertx.executeBlocking(() -> {
            docker.init(config.backendType() == BackendType.DOCKER);
            return dockerId;
          })).compose(dockerId ->
          vertx.deployVerticle(new StorageVerticle(storage, addresses)).compose(storageId -> (router == null
              ? Future.succeededFuture("") : vertx.deployVerticle(router)).compose(routerId -> vertx.deployVerticle(
              new ManagerVerticle(settings, addresses, metrics, snapshots, config.persistFiles())).map(managerId -> {
            BusClient bus = new BusClient(vertx, addresses);
            io.vertx.core.Promise<Void> closed = io.vertx.core.Promise.promise();
            BusSandboxManager facade = new BusSandboxManager(vertx, addresses, () -> {
              if (!closed.future().isComplete()) {
                (router == null ? Future.<Void>succeededFuture() : router.drain())
                    .eventually(() -> drain(bus, settings))
                    .eventually(() -> vertx.undeploy(managerId))
                    .eventually(() -> router == null ? Future.succeededFuture() : vertx.undeploy(routerId))
                    .eventually(() -> vertx.undeploy(backendId))
                    .eventually(() -> vertx.undeploy(dockerId))
                    .eventually(() -> vertx.undeploy(storageId))
                    .eventually(snapshots::close)
                    .eventually(storage::close)
                    .eventually(() -> vertx.executeBlocking(() -> {
                      backend.close();
                      docker.close();
                      volumes.close();
                      return null;
                    }))
                    .onComplete(ar -> closed.tryComplete());
              }
              return closed.future();
            }, storage);
            return new Node(facade, bus, settings, metrics, closed.future(), storage);
          })))));
    });
  }

  private static DockerBackend dockerBackend(Vertx vertx, SandboxConfig config, Addresses addresses,
      ManagerSettings settings, Path runnerDir, WorkspaceVolumes volumes) {
    return new DockerBackend(config.docker(), settings.nodeId(), settings.basePath(), runnerDir,
        config.pip().findLinks() == null ? null : Path.of(config.pip().findLinks()),
        config.resourceLimits(), config.securityPolicy(),
        (id, message) -> vertx.eventBus().send(addresses.internal(settings.nodeId()),
            new JsonObject().put("sandbox_id", id).put("message", message),
            new DeliveryOptions().addHeader(Actions.HEADER, Actions.RUNNER_DIED)), volumes);
  }

  /**
   * {@code local.isolation}: bwrap (required), none (on purpose, logged), or auto (bwrap when it is
   * installed, else none with a warning).
   */
  static boolean useBwrap(SandboxConfig config) {
    LocalConfig.Isolation iso = config.local().isolation();
    boolean present = java.nio.file.Files.isExecutable(Path.of(config.local().bwrapPath()));
    if (iso == LocalConfig.Isolation.NONE || (iso == LocalConfig.Isolation.AUTO && !present)) {
      LOG.warn("local sandboxes run WITHOUT OS isolation (local.isolation={}{}): sandboxed code runs as this "
          + "service's user with its filesystem and network", iso.value(),
          iso == LocalConfig.Isolation.AUTO ? ", bubblewrap not found" : "");
      return false;
    }
    return true;
  }

  /** Refuse new runs, let running ones finish within the shutdown timeout, stop all sandboxes. */
  static Future<Object> drain(BusClient bus, ManagerSettings settings) {
    return bus.request(bus.addresses().internal(settings.nodeId()), Actions.SHUTDOWN, new JsonObject(),
        settings.shutdownTimeoutSeconds() * 1000 + 60_000);
  }

  public static ManagerSettings settings(SandboxConfig c) {
    return new ManagerSettings(Path.of(c.basePath()).toAbsolutePath(), c.nodeId(), c.manager().maxSandboxes(),
        c.manager().idleTimeoutSeconds(), c.manager().idleSweepSeconds(), c.backendType(), c.docker().image(),
        c.resourceLimits(), c.securityPolicy(), c.manager().autoCleanup(), c.shutdownTimeout(),
        c.auth().tenantMaxSandboxes(), c.auth().tenantMaxConcurrentRuns(), c.cluster().labels());
  }

  static PipSettings pip(SandboxConfig c) {
    return new PipSettings(c.pip().indexUrl(), c.pip().noIndex(), c.pip().findLinks(), c.pip().timeoutSeconds());
  }

  public static Future<Sandbox> createLocal(Vertx vertx, Path basePath, ResourceLimits limits, SecurityPolicy policy) {
    SandboxConfig config = SandboxConfig.fromJson(new JsonObject().put("base_path", basePath.toString()));
    return fromConfig(vertx, config, CreateOptions.defaults().withBackend(BackendType.LOCAL)
        .withResourceLimits(limits).withSecurityPolicy(policy));
  }

  public static Future<Sandbox> fromConfig(Vertx vertx, SandboxConfig config, CreateOptions options) {
    return deploy(vertx, config).compose(node -> node.manager().create(options)
        .<Sandbox>map(s -> new BusSandbox.Owned(node.bus(), s.id(), node.manager()::shutdown))
        .recover(t -> node.manager().shutdown().transform(v -> Future.failedFuture(t))));
  }
}
