package io.alphora.sandbox.app;

import io.alphora.sandbox.api.http.ApiKeys;
import io.alphora.sandbox.api.bridge.TcpBridge;
import io.alphora.sandbox.api.http.HttpVerticle;
import io.alphora.sandbox.bus.Addresses;
import io.alphora.sandbox.cluster.Clustering;
import io.alphora.sandbox.config.ConfigSources;
import io.alphora.sandbox.config.SandboxConfig;
import io.alphora.sandbox.impl.Embedded;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * {@code java -jar alphora-sandbox.jar [--conf FILE] [--cluster]}: one node with embedded defaults
 * (local backend, files under the base path). SIGTERM drains: new runs are refused, running ones get
 * {@code shutdown_timeout} to finish, sandboxes are stopped, and the process exits 0.
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    Path conf = null;
    boolean cluster = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--conf" -> {
          if (i + 1 >= args.length) {
            fail("--conf needs a file name");
          }
          conf = Path.of(args[++i]);
        }
        case "--cluster" -> cluster = true;
        case "-h", "--help" -> {
          System.out.println("usage: java -jar alphora-sandbox.jar [--conf FILE] [--cluster]\n"
              + "  --cluster: join a cluster of nodes (cluster.* settings; README \"Running a cluster\")\n"
              + "  settings: conf/sandbox.yaml (or --conf FILE), SANDBOX_* environment variables; see README.md");
          return;
        }
        default -> fail("unknown argument '" + args[i] + "' (try --help)");
      }
    }
    JvmTuning.apply();
    ConfigSources sources = ConfigSources.standard(conf);
    if (cluster) {
      sources = sources.withOverrides(new JsonObject().put("cluster", new JsonObject().put("enabled", true)));
    }
    Vertx vertx = Vertx.vertx();
    try {
      SandboxConfig config = SandboxConfig.load(vertx, sources).toCompletionStage().toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
      if (config.cluster().enabled()) {
        // the configuration says how to join, so it is read on a plain Vert.x that the clustered one replaces
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        vertx = Clustering.join(config.cluster()).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        LOG.info("joined cluster '{}' as node {} in {} ms ({} members)", config.cluster().name(), config.nodeId(),
            (System.nanoTime() - t0) / 1_000_000,
            ((io.vertx.core.internal.VertxInternal) vertx).clusterManager().getNodes().size());
      }
      Started s = start(vertx, config).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
      onSigterm(vertx, s.node());
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      LOG.error("start-up failed: {}", cause.getMessage());
      vertx.close();
      System.exit(1);
    }
  }

  /** A running service: the node and the HTTP port it listens on. */
  public record Started(Embedded.Node node, int port) {}

  public static Future<Started> start(Vertx vertx, SandboxConfig config) {
    if (config.cluster().enabled() != vertx.isClustered()) {
      return Future.failedFuture(new IllegalStateException(config.cluster().enabled()
          ? "cluster.enabled needs a clustered Vert.x (Clustering.join)" : "a clustered Vert.x needs cluster.enabled"));
    }
    ApiKeys keys;
    try {
      keys = ApiKeys.load(config.auth());
      checkBind(config, keys);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return Embedded.deploy(vertx, config).compose(node -> {
      HttpVerticle http = new HttpVerticle(node.metrics(), keys, node.storage());
      return vertx.deployVerticle(http, new io.vertx.core.DeploymentOptions().setConfig(httpConfig(config)))
          .compose(id -> !config.bridge().enabled() ? Future.succeededFuture()
              : TcpBridge.start(vertx, config.bridge(), new Addresses(config.eventBusPrefix()), keys))
          .map(id -> new Started(node, http.actualPort()));
    });
  }

  /** Without API keys the service is open, so it (and its event-bus bridge) only listens on loopback. */
  static void checkBind(SandboxConfig config, ApiKeys keys) {
    if (!loopback(config.http().host()) && !keys.enabled()) {
      throw new IllegalStateException("refusing to listen on " + config.http().host() + " without API keys: set "
          + "SANDBOX_API_KEYS (auth.api_keys) or bind to 127.0.0.1 (SANDBOX_HTTP_HOST)");
    }
    if (config.bridge().enabled() && !loopback(config.bridge().host()) && !keys.enabled()) {
      throw new IllegalStateException("refusing to open the event-bus bridge on " + config.bridge().host()
          + " without API keys: set SANDBOX_API_KEYS (auth.api_keys) or bind it to 127.0.0.1 (SANDBOX_BRIDGE_HOST)");
    }
  }

  private static boolean loopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }

  public static JsonObject httpConfig(SandboxConfig config) {
    return new JsonObject().put("host", config.http().host()).put("port", config.http().port())
        .put("max_body_bytes", config.http().maxBodyBytes())
        .put("staging_dir", Path.of(config.basePath()).toAbsolutePath().resolve("tmp").toString())
        .put("python", config.local().python()).put("event_bus_prefix", config.eventBusPrefix())
        .put("node_id", config.nodeId()).put("backend_type", config.backendType().value())
        .put("ws_max_runs", config.http().streaming().wsMaxRuns())
        .put("ws_max_frame_bytes", config.http().streaming().wsMaxFrameBytes())
        .put("stream_queue_bytes", config.http().streaming().queueBytes())
        .put("keepalive_ms", config.http().streaming().keepaliveSeconds() * 1000L)
        .put("ws_idle_ms", config.http().streaming().wsIdleSeconds() * 1000L);
  }

  private static void onSigterm(Vertx vertx, Embedded.Node node) {
    CountDownLatch once = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), sig -> {
      if (once.getCount() == 0) {
        return;
      }
      once.countDown();
      LOG.info("SIGTERM: draining (shutdown_timeout {} s)", node.settings().shutdownTimeoutSeconds());
      new Thread(() -> {
        try {
          node.manager().shutdown().toCompletionStage().toCompletableFuture()
              .get(node.settings().shutdownTimeoutSeconds() + 60, TimeUnit.SECONDS);
          vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
          LOG.info("stopped");
          System.exit(0);
        } catch (Exception e) {
          LOG.error("unclean shutdown: {}", e.toString());
          System.exit(1);
        }
      }, "sandbox-shutdown").start();
    });
  }

  private static void fail(String message) {
    System.err.println("error: " + message);
    System.exit(2);
  }
}
