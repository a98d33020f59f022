package io.alphora.sandbox;

import io.alphora.sandbox.app.Main;
import io.alphora.sandbox.config.ConfigSources;
import io.alphora.sandbox.config.SandboxConfig;
import io.alphora.sandbox.impl.Embedded;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Alphora Sandbox as a Vert.x module: an application deploys it on its own Vert.x (clustered or not)
 * with the deployment config in the file schema of {@code conf/sandbox.yaml} (JSON, snake_case), plus
 * one key of its own:
 * <ul>
 *   <li>{@code serve_http} (default {@code true}): also start the REST/WebSocket/MCP front end on
 *       {@code http.host:http.port}. With {@code false} the node only contributes capacity: its
 *       manager, backend workers and storage answer on the event bus ({@code docs/event-bus.md}),
 *       and on a clustered Vert.x the other nodes place sandboxes on it.</li>
 * </ul>
 * On a clustered Vert.x the node joins the application's cluster as it is ({@code cluster.*} keys
 * other than {@code cluster.labels} are not used: the application built the cluster, TLS included;
 * {@code Clustering.options} builds event-bus options with {@code cluster.tls}). Undeploying drains the node: running runs get
 * {@code shutdown_timeout}, its sandboxes stop (their files stay under {@code base_path}).
 * The environment and system properties are not read; the deployment config is the whole config.
 */
public final class SandboxVerticle extends VerticleBase {
  private Embedded.Node node;
  private int httpPort = -1;

  /** The HTTP port the front end listens on, or -1 without one. */
  public int httpPort() { return httpPort; }

  /** The manager facade of this node (it acts on the whole cluster when clustered). */
  public SandboxManager manager() { return node.manager(); }

  @Override
  public Future<?> start() {
    JsonObject c = config().copy();
    Object serve = c.remove("serve_http");
    if (serve != null && !(serve instanceof Boolean)) {
      return Future.failedFuture(new IllegalArgumentException("serve_http must be a boolean"));
    }
    c.put("cluster", c.getJsonObject("cluster", new JsonObject()).copy().put("enabled", vertx.isClustered()));
    return SandboxConfig.load(vertx, new ConfigSources(null, Map.of(), Map.of(), c)).compose(config -> {
      if (Boolean.FALSE.equals(serve)) {
        return Embedded.deploy(vertx, config).<Void>map(n -> {
          node = n;
          return null;
        });
      }
      return Main.start(vertx, config).<Void>map(s -> {
        node = s.node();
        httpPort = s.port();
        return null;
      });
    });
  }

  @Override
  public Future<?> stop() {
    return node == null ? Future.succeededFuture() : node.manager().shutdown();
  }
}
