package io.alphora.sandbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.SandboxVerticle;
import io.alphora.sandbox.config.ClusterConfig;
import io.alphora.sandbox.workspace.Workspace;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster index heals (real Hazelcast on loopback, two members in this JVM: a node of the service,
 * max_sandboxes 1, and a plain member):
 * <ul>
 *   <li>create reservations ({@code creating} entries) that nobody is left to release do not stay
 *       counted against the cluster-wide limit: one made by a member that then leaves the cluster, and
 *       one older than any create's timeout, are released once their node says it does not know the
 *       sandbox; a reservation whose node does know the sandbox stays;</li>
 *   <li>a node the others took for dead while it ran lists itself and its sandboxes again.</li>
 * </ul>
 */
class IndexHealingIT {
  private static final String INDEX = "alphora.sandbox.index";
  private Vertx node;
  private Vertx router;
  private Path base;

  /** Cluster joins and closes can take a while on a loaded machine. */
  private static <T> T await(Future<T> f) { return io.alphora.sandbox.TestSupport.await(f, 120); }

  @AfterEach
  void tearDown() throws Exception {
    if (router != null) {
      await(router.close());
    }
    if (node != null) {
      await(node.close());
    }
    if (base != null) {
      Workspace.deleteTree(base);
    }
  }

  private Future<JsonObject> create(String name) {
    return node.eventBus().<JsonObject>request("alphora.sandbox.manager", new JsonObject().put("name", name)
        .put("auto_start", false), new DeliveryOptions().addHeader("action", "create").setSendTimeout(60_000))
        .map(m -> m.body());
  }

  private static int failureCode(Future<?> f) throws Exception {
    Throwable t = f.toCompletionStage().toCompletableFuture().handle((ok, err) -> err).get(60, TimeUnit.SECONDS);
    assertThat(t).isInstanceOf(ReplyException.class);
    return ((ReplyException) t).failureCode();
  }

  /** Waits until the index entry of {@code id} matches (null = no entry); how long it took, in ms. */
  private static long awaitEntry(AsyncMap<String, JsonObject> index, String id, Predicate<JsonObject> ok,
      long timeoutMs) throws Exception {
    long t0 = System.nanoTime();
    while (System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(timeoutMs)) {
      if (ok.test(await(index.get(id)))) {
        return (System.nanoTime() - t0) / 1_000_000;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("index entry of " + id + " is still " + await(index.get(id)));
  }

  private void startCluster() throws Exception {
    int port = ThreadLocalRandom.current().nextInt(40_000, 50_000);
    List<String> members = List.of("127.0.0.1:" + port, "127.0.0.1:" + (port + 1));
    String name = "heal-" + port;
    node = await(Clustering.join(new ClusterConfig(true, members, "127.0.0.1", port, "127.0.0.1", 0, name, 0, 5)));
    router = await(Clustering.join(new ClusterConfig(true, members, "127.0.0.1", port + 1, "127.0.0.1", 0, name, 0,
        5)));
    base = Files.createTempDirectory("alphora-heal-");
    await(node.deployVerticle(new SandboxVerticle(), new DeploymentOptions().setConfig(new JsonObject()
        .put("serve_http", false).put("base_path", base.toString()).put("node_id", "res-node")
        .put("manager", new JsonObject().put("idle_sweep_seconds", 0).put("max_sandboxes", 1)))));
  }

  @Test
  void aNodeTakenForDeadListsItselfAndItsSandboxesAgain() throws Exception {
    startCluster();
    String id = await(create("survivor")).getString("sandbox_id");
    AsyncMap<String, JsonObject> nodes = await(node.sharedData().<String, JsonObject>getAsyncMap("alphora.sandbox.nodes"));
    AsyncMap<String, JsonObject> index = await(node.sharedData().<String, JsonObject>getAsyncMap(INDEX));
    // what the other routers do to a node they no longer see
    await(nodes.remove("res-node"));
    await(index.put(id, await(index.get(id)).copy().put("status", "lost")));
    awaitEntry(index, id, e -> e != null && "created".equals(e.getString("status")), 15_000);
    assertThat(await(nodes.get("res-node"))).isNotNull();
    JsonObject got = node.eventBus().<JsonObject>request("alphora.sandbox.manager", new JsonObject().put("sandbox_id", id),
        new DeliveryOptions().addHeader("action", "get")).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS).body();
    assertThat(got.getString("status")).isEqualTo("created");
  }

  @Test
  void reservationsNobodyCanReleaseStopCountingAgainstTheLimit() throws Exception {
    startCluster();
    AsyncMap<String, JsonObject> index = await(node.sharedData().<String, JsonObject>getAsyncMap(INDEX));
    String routerId = ((VertxInternal) router).clusterManager().getNodeId();
    String nodeMember = ((VertxInternal) node).clusterManager().getNodeId();

    // a member reserved a place on res-node, then leaves before its create reached the node
    await(index.put("sbx_orphanedReservation01", ClusterRouter.reservation("res-node", null, "orphan", routerId,
        System.currentTimeMillis())));
    assertThat(failureCode(create("refused"))).as("the reservation counts").isEqualTo(429);
    await(router.close());
    router = null;
    long released = awaitEntry(index, "sbx_orphanedReservation01", e -> e == null, 15_000);
    System.out.printf("IndexHealingIT: reservation of a departed member released after %d ms%n", released);
    String made = await(create("fits-now")).getString("sandbox_id");

    // a reservation past any create's timeout, by a live member, for a sandbox its node does not know
    await(index.put("sbx_staleReservation0001", ClusterRouter.reservation("res-node", null, "stale", nodeMember,
        System.currentTimeMillis() - ClusterRouter.RESERVATION_MAX_AGE_MS - 1_000)));
    // a young one of a live member (its create is still on the way) and one whose node knows the sandbox stay
    await(index.put("sbx_youngReservation0001", ClusterRouter.reservation("res-node", null, "young", nodeMember,
        System.currentTimeMillis())));
    JsonObject known = ClusterRouter.reservation("res-node", null, "fits-now", routerId, System.currentTimeMillis());
    await(index.put(made, known));
    // and one on a node that is not (any more) in the cluster: dropped, not marked lost
    await(index.put("sbx_goneNodeReservation1", ClusterRouter.reservation("gone-node", null, "gone", nodeMember,
        System.currentTimeMillis())));
    awaitEntry(index, "sbx_staleReservation0001", e -> e == null, 15_000);
    awaitEntry(index, "sbx_goneNodeReservation1", e -> e == null, 15_000);
    Thread.sleep(2 * ClusterRouter.HEAL_PERIOD_MS);
    assertThat(await(index.get("sbx_youngReservation0001"))).as("a live router's young reservation").isNotNull();
    assertThat(await(index.get(made))).as("the node knows this sandbox").isEqualTo(known);
    await(index.remove("sbx_youngReservation0001"));
  }
}
