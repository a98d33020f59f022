package io.alphora.sandbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.SandboxVerticle;
import io.alphora.sandbox.config.ClusterConfig;
import io.alphora.sandbox.workspace.Workspace;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Embedding: an application's own clustered Vert.x deploys {@link SandboxVerticle} without HTTP (it
 * only contributes capacity), and another cluster member with nothing of Alphora deployed creates a
 * sandbox and runs code with the plain messages of docs/event-bus.md.
 */
class SandboxVerticleClusterIT {
  private Vertx host;
  private Vertx client;
  private Path base;

  /** Cluster joins and closes can take a while on a loaded machine. */
  private static <T> T await(Future<T> f) { return io.alphora.sandbox.TestSupport.await(f, 120); }

  @AfterEach
  void tearDown() throws Exception {
    if (host != null) {
      await(host.close()); // undeploys the verticle: drains, unmounts
    }
    if (client != null) {
      await(client.close());
    }
    if (base != null) {
      Workspace.deleteTree(base);
    }
  }

  @Test
  void plainClusterMemberCreatesAndRunsOnABackendOnlyNode() throws Exception {
    int port = ThreadLocalRandom.current().nextInt(40_000, 50_000);
    String name = "embed-" + port;
    ClusterConfig hostCluster = new ClusterConfig(true, List.of("127.0.0.1:" + port, "127.0.0.1:" + (port + 1)),
        "127.0.0.1", port, "127.0.0.1", 0, name, 0, 5);
    ClusterConfig clientCluster = new ClusterConfig(true, hostCluster.members(), "127.0.0.1", port + 1,
        "127.0.0.1", 0, name, 0, 5);
    host = await(Clustering.join(hostCluster));
    client = await(Clustering.join(clientCluster));
    base = Files.createTempDirectory("alphora-embed-");

    SandboxVerticle verticle = new SandboxVerticle();
    String deployment = await(host.deployVerticle(verticle, new DeploymentOptions().setConfig(
        new JsonObject().put("serve_http", false).put("base_path", base.toString()).put("node_id", "embedded-1")
            .put("manager", new JsonObject().put("idle_sweep_seconds", 0)))));
    assertThat(deployment).isNotBlank();

    DeliveryOptions create = new DeliveryOptions().addHeader("action", "create").setSendTimeout(60_000);
    JsonObject info = await(client.eventBus().<JsonObject>request("alphora.sandbox.manager",
        new JsonObject().put("name", "from-client"), create)).body();
    String id = info.getString("sandbox_id");
    assertThat(info.getString("node_id")).isEqualTo("embedded-1");
    assertThat(info.getString("status")).isEqualTo("running");

    // the run's events reach the client's consumer over the cluster
    String execId = "exe_embeddedClient01";
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    Promise<Void> exit = Promise.promise();
    MessageConsumer<JsonObject> feed = client.eventBus().consumer("alphora.sandbox." + id + ".exec." + execId, m -> {
      events.add(m.body());
      if ("exit".equals(m.body().getString("type"))) {
        exit.tryComplete();
      }
    });
    await(feed.completion());
    JsonObject result = await(client.eventBus().<JsonObject>request("alphora.sandbox." + id, new JsonObject()
        .put("request", new JsonObject().put("code", "print(6*7)")).put("exec_id", execId),
        new DeliveryOptions().addHeader("action", "exec").setSendTimeout(120_000))).body();
    assertThat(result.getString("stdout")).isEqualTo("42\n");
    await(exit.future());
    assertThat(events.get(0).getString("type")).isEqualTo("start");

    // the cluster-wide list, from the client
    JsonObject list = await(client.eventBus().<JsonObject>request("alphora.sandbox.manager", new JsonObject(),
        new DeliveryOptions().addHeader("action", "list"))).body();
    assertThat(list.getJsonArray("sandboxes")).hasSize(1);
    // the Java facade's status reads the cluster's answer too
    assertThat(await(verticle.manager().status()).sandboxCount()).isEqualTo(1);

    // a failure carries the documented error JSON
    Throwable t = client.eventBus().request("alphora.sandbox.manager", new JsonObject().put("sandbox_id", "sbx_none"),
        new DeliveryOptions().addHeader("action", "get")).toCompletionStage().toCompletableFuture()
        .handle((ok, err) -> err).get(60, TimeUnit.SECONDS);
    assertThat(t).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) t).failureCode()).isEqualTo(404);
    assertThat(new JsonObject(t.getMessage()).getJsonObject("error").getString("code")).isEqualTo("sandbox_not_found");

    await(client.eventBus().request("alphora.sandbox.manager", new JsonObject(),
        new DeliveryOptions().addHeader("action", "destroy_all")));
  }
}
