package io.alphora.sandbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.ServiceJar;
import io.alphora.sandbox.TestCerts;
import io.alphora.sandbox.workspace.Workspace;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three nodes of the packaged service ({@code java -jar target/alphora-sandbox.jar --cluster}), each a
 * separate JVM with its own base path, HTTP port and Hazelcast port on loopback, forming one real
 * Hazelcast cluster. The last test kills a node with -9.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    static final int MAX_SANDBOXES = 8;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final List<Node> NODES = new ArrayList<>();

  /** Hazelcast drops a member silent this long (cluster.failure_seconds, set on every node). */
  static final int FAILURE_SECONDS = 5;
  /** Every node's event bus uses mutual TLS with certificates made for this run. */
  private static TestCerts certs;
  private static String members;
  private static String clusterName;
  private static int firstPort;

  /** One service process. */
  static final class Node {
    final String id;
    final Path base;
    final int clusterPort;
    final String labels;
    ServiceJar jar;
    Process process;
    int port;

    Node(String id, Path base, int clusterPort, String labels) {
      this.id = id;
      this.base = base;
      this.clusterPort = clusterPort;
      this.labels = labels;
    }

    void start() throws Exception {
      jar = ServiceJar.named(id, base).jvm("-Xmx384m").arg("--cluster")
          .env("SANDBOX_NODE_ID", id)
          .env("SANDBOX_SHUTDOWN_TIMEOUT", "2")
          .env("SANDBOX_PIP_INDEX_URL", "")
          .env("SANDBOX_MAX_SANDBOXES", String.valueOf(MAX_SANDBOXES))
          .env("SANDBOX_CLUSTER_PORT", String.valueOf(clusterPort))
          .env("SANDBOX_CLUSTER_MEMBERS", members)
          .env("SANDBOX_CLUSTER_NAME", clusterName) // never joins another build's cluster
          .env("SANDBOX_CLUSTER_JOIN_WAIT", "0")
          .env("SANDBOX_CLUSTER_FAILURE_SECONDS", String.valueOf(FAILURE_SECONDS))
          .env("SANDBOX_NODE_LABELS", labels)
          .env("SANDBOX_CLUSTER_TLS", "true")
          .env("SANDBOX_CLUSTER_TLS_CERT_FILE", certs.certPem.toString())
          .env("SANDBOX_CLUSTER_TLS_KEY_FILE", certs.keyPem.toString())
          .env("SANDBOX_CLUSTER_TLS_CA_FILE", certs.caPem.toString())
          .logTo(Path.of("target", "cluster-it-" + id + ".log")) // kept for reading after a failure
          .start();
      process = jar.process();
    }

    void awaitListening() throws Exception {
      port = jar.awaitListening(Duration.ofSeconds(120)).port();
    }

    HttpResponse<String> call(String method, String path, JsonObject body) throws Exception {
      return jar.call(method, path, body);
    }

    HttpResponse<String> call(String method, String path, JsonObject body, Duration timeout) throws Exception {
      return jar.call(method, path, body, timeout);
    }

    JsonObject json(String method, String path, JsonObject body, int expected) throws Exception {
      return jar.json(method, path, body, expected);
    }
  }

  @BeforeAll
  static void startCluster() throws Exception {
    Path certDir = Files.createTempDirectory("alphora-cluster-it-certs-");
    certs = TestCerts.create(certDir);
    firstPort = freePorts(4); // the fourth is for the node that goes silent
    members = "127.0.0.1:" + firstPort + ",127.0.0.1:" + (firstPort + 1) + ",127.0.0.1:" + (firstPort + 2)
        + ",127.0.0.1:" + (firstPort + 3);
    clusterName = "it-" + firstPort; // never joins another build's cluster
    String[] labels = {"gpu", "gpu,zone=eu-1", ""};
    for (int i = 0; i < 3; i++) {
      NODES.add(new Node("it-node-" + (char) ('a' + i), Files.createTempDirectory("alphora-cluster-it-"), firstPort + i,
          labels[i]));
    }
    // the first node forms the cluster; the others, started together, join it (nodes started at the
    // same instant with no join wait could each form a cluster of their own)
    node(0).start();
    node(0).awaitListening();
    node(1).start();
    node(2).start();
    node(1).awaitListening();
    node(2).awaitListening();
  }

  /** Consecutive free ports (the cluster ports). */
  private static int freePorts(int n) throws Exception {
    for (int attempt = 0; attempt < 50; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(20_000, 40_000);
      boolean free = true;
      for (int p = base; p < base + n && free; p++) {
        try (ServerSocket s = new ServerSocket(p, 1, java.net.InetAddress.getLoopbackAddress())) {
          s.setReuseAddress(true);
        } catch (java.io.IOException taken) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IllegalStateException("no free ports");
  }

  @AfterAll
  static void stopCluster() throws Exception {
    for (Node n : NODES) {
      if (n.process != null && n.process.isAlive()) {
        n.process.destroy(); // SIGTERM: drains and unmounts the workspace volumes
      }
    }
    for (Node n : NODES) {
      if (n.process != null && !n.process.waitFor(30, TimeUnit.SECONDS)) {
        n.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      ServiceJar.unmountUnder(n.base); // a node killed with -9 leaves its volumes mounted
      Workspace.deleteTree(n.base);
    }
    if (certs != null) {
      Workspace.deleteTree(certs.caPem.getParent());
    }
  }

  private static Node node(int i) { return NODES.get(i); }

  private static List<JsonObject> list(Node via) throws Exception {
    JsonArray a = via.json("GET", "/v1/sandboxes", null, 200).getJsonArray("sandboxes");
    List<JsonObject> out = new ArrayList<>();
    a.forEach(o -> out.add((JsonObject) o));
    return out;
  }

  @Test
  @Order(1)
  void createOnARunOnBStreamOnC() throws Exception {
    Node a = node(0);
    Node b = node(1);
    Node c = node(2);
    JsonObject created = a.json("POST", "/v1/sandboxes", new JsonObject().put("name", "spread")
        .put("node_id", a.id), 201);
    String id = created.getString("sandbox_id");
    assertThat(created.getString("node_id")).isEqualTo(a.id);
    assertThat(created.getString("workspace_path")).startsWith(a.base.toString());

    // every node finds it, lists it, and runs code in it through the owner
    for (Node n : NODES) {
      assertThat(n.json("GET", "/v1/sandboxes/" + id, null, 200).getString("node_id")).isEqualTo(a.id);
      assertThat(list(n)).anyMatch(s -> s.getString("sandbox_id").equals(id));
    }
    JsonObject run = b.json("POST", "/v1/sandboxes/" + id + "/executions",
        new JsonObject().put("code", "open('from_b.txt','w').write('b'); print(6*7)"), 200);
    assertThat(run.getString("stdout")).isEqualTo("42\n");
    assertThat(run.getString("status")).isEqualTo("success");

    // live output of a run started on C streams to C's client (SSE) from A's runner, over the bus
    HttpRequest sse = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.port + "/v1/sandboxes/" + id
            + "/executions")).timeout(Duration.ofSeconds(60)).header("Accept", "text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("code",
            "import time\nfor i in range(3):\n    print('tick', i, flush=True)\n    time.sleep(0.2)\n"
                + "print(open('from_b.txt').read())").encode())).build();
    HttpResponse<Stream<String>> r = HTTP.send(sse, HttpResponse.BodyHandlers.ofLines());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    List<JsonObject> events = new ArrayList<>();
    try (Stream<String> lines = r.body()) {
      lines.filter(l -> l.startsWith("data:")).map(l -> new JsonObject(l.substring(5).trim()))
          .takeWhile(e -> {
            events.add(e);
            return !"exit".equals(e.getString("type"));
          }).forEach(e -> { });
    }
    String stdout = events.stream().filter(e -> "stdout".equals(e.getString("type")))
        .map(e -> e.getString("data")).reduce("", String::concat);
    assertThat(stdout).isEqualTo("tick 0\ntick 1\ntick 2\nb\n");
    assertThat(events.get(events.size() - 1).getString("type")).isEqualTo("exit");
    assertThat(events.get(0).getString("type")).isEqualTo("start");

    // the cluster-wide status sees every node
    JsonObject status = c.json("GET", "/v1/manager/status", null, 200);
    assertThat(status.getJsonObject("nodes").fieldNames()).containsExactlyInAnyOrder(a.id, b.id, c.id);

    a.json("DELETE", "/v1/sandboxes/" + id, null, 204);
    assertThat(c.call("GET", "/v1/sandboxes/" + id, null).statusCode()).isEqualTo(404);
  }

  @Test
  @Order(2)
  void placementByNodeLabel() throws Exception {
    Node a = node(0);
    Node b = node(1);
    Node c = node(2);
    // only b carries zone=eu-1
    JsonObject eu = c.json("POST", "/v1/sandboxes", new JsonObject().put("auto_start", false)
        .put("node_labels", new JsonArray().add("zone=eu-1")), 201);
    assertThat(eu.getString("node_id")).isEqualTo(b.id);
    // a and b carry gpu; b holds one sandbox now, so the least loaded of the two is a, then either
    JsonObject gpu1 = c.json("POST", "/v1/sandboxes", new JsonObject().put("auto_start", false)
        .put("node_labels", new JsonArray().add("gpu")), 201);
    assertThat(gpu1.getString("node_id")).isEqualTo(a.id);
    JsonObject gpu2 = b.json("POST", "/v1/sandboxes", new JsonObject().put("auto_start", false)
        .put("node_labels", new JsonArray().add("gpu").add("zone=eu-1")), 201);
    assertThat(gpu2.getString("node_id")).isEqualTo(b.id);
    // nobody carries tpu: 503 naming the label and every node's labels
    HttpResponse<String> none = a.call("POST", "/v1/sandboxes", new JsonObject()
        .put("node_labels", new JsonArray().add("tpu")));
    assertThat(none.statusCode()).as(none.body()).isEqualTo(503);
    JsonObject error = new JsonObject(none.body()).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("backend_unavailable");
    assertThat(error.getString("message")).contains("no node of the cluster carries the label 'tpu'",
        a.id + " gpu", b.id + " gpu,zone=eu-1", c.id + " (none)");
    // a chosen node must carry the labels too
    HttpResponse<String> wrongNode = a.call("POST", "/v1/sandboxes", new JsonObject().put("node_id", c.id)
        .put("node_labels", new JsonArray().add("gpu")));
    assertThat(wrongNode.statusCode()).as(wrongNode.body()).isEqualTo(503);
    assertThat(wrongNode.body()).contains("'gpu'", c.id);
    assertThat(c.json("GET", "/v1/manager/status", null, 200).getJsonObject("nodes").getJsonObject(b.id)
        .getJsonArray("labels")).containsExactly("gpu", "zone=eu-1");
    for (JsonObject s : List.of(eu, gpu1, gpu2)) {
      a.json("DELETE", "/v1/sandboxes/" + s.getString("sandbox_id"), null, 204);
    }
  }

  @Test
  @Order(4)
  void silentMemberIsDroppedWithinFailureSecondsAndTheOthersStayReady() throws Exception {
    Node a = node(0);
    Node b = node(1);
    Node d = new Node("it-node-d", Files.createTempDirectory("alphora-cluster-it-"), firstPort + 3, "");
    NODES.add(d);
    d.start();
    d.awaitListening();
    long joined = System.nanoTime();
    while (!a.json("GET", "/v1/manager/status", null, 200).getJsonObject("nodes").containsKey(d.id)) {
      assertThat(System.nanoTime() - joined).as("d in the cluster's status").isLessThan(TimeUnit.SECONDS.toNanos(30));
      Thread.sleep(200);
    }
    String id = a.json("POST", "/v1/sandboxes", new JsonObject().put("name", "silenced").put("node_id", d.id)
        .put("auto_start", false), 201).getString("sandbox_id");
    assertThat(a.call("GET", "/ready", null).statusCode()).isEqualTo(200);
    try {
      // SIGSTOP: the JVM stops answering but keeps its sockets open, so only missing heartbeats tell
      assertThat(new ProcessBuilder("kill", "-STOP", String.valueOf(d.process.pid())).start().waitFor()).isZero();
      long stopped = System.nanoTime();

      // until it is dropped, the healthy nodes stay ready, promptly, and show d as not answering
      List<CompletableFuture<HttpResponse<String>>> readies = new ArrayList<>();
      for (Node n : List.of(a, b)) {
        readies.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.port + "/ready"))
            .timeout(Duration.ofSeconds(4)).build(), HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> f : readies) {
        HttpResponse<String> ready = f.get(10, TimeUnit.SECONDS);
        assertThat(ready.statusCode()).as("/ready while d is silent: " + ready.body()).isEqualTo(200);
        JsonObject checks = new JsonObject(ready.body()).getJsonObject("checks");
        assertThat(checks.getBoolean("cluster")).isTrue();
        if (checks.getJsonObject("cluster_nodes") != null) {
          assertThat(checks.getJsonObject("cluster_nodes").getBoolean(d.id)).as(ready.body()).isFalse();
        }
      }
      assertThat((System.nanoTime() - stopped) / 1e9).as("both /ready answered before d was dropped")
          .isLessThan(FAILURE_SECONDS);

      // dropped after about failure_seconds; its sandbox is lost on the others
      int code = 0;
      while (System.nanoTime() - stopped < TimeUnit.SECONDS.toNanos(FAILURE_SECONDS + 15)) {
        try {
          code = b.call("GET", "/v1/sandboxes/" + id, null, Duration.ofSeconds(1)).statusCode();
        } catch (java.net.http.HttpTimeoutException waiting) {
          code = 0; // a look-up may wait for the silent owner: ask again
        }
        if (code == 410) {
          break;
        }
        Thread.sleep(200);
      }
      double seconds = (System.nanoTime() - stopped) / 1e9;
      System.out.printf("ClusterIT: silent member dropped, its sandbox lost %.2f s after SIGSTOP "
          + "(failure_seconds %d)%n", seconds, FAILURE_SECONDS);
      assertThat(code).as("GET through b after d went silent").isEqualTo(410);
      assertThat(seconds).as("seconds until lost").isGreaterThan(FAILURE_SECONDS - 2).isLessThan(FAILURE_SECONDS + 5);
      JsonObject ready = a.json("GET", "/ready", null, 200);
      assertThat(ready.getJsonObject("checks").getInteger("cluster_members")).isEqualTo(3);
      assertThat(list(a)).anyMatch(s -> s.getString("sandbox_id").equals(id) && s.getString("status").equals("lost"));
      a.json("POST", "/v1/manager/cleanup", new JsonObject().put("stopped", true), 200);
    } finally {
      d.process.destroyForcibly(); // SIGKILL ends a stopped process too
      d.process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(3)
  void limitHoldsAcrossTheClusterUnderConcurrentCreates() throws Exception {
    int before = list(node(0)).size();
    int perNode = 5; // 15 creates at once for the MAX_SANDBOXES - before free places
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < perNode; i++) {
      for (Node n : NODES) {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.port + "/v1/sandboxes"))
            .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString(
                new JsonObject().put("auto_start", false).encode())).build();
        all.add(HTTP.sendAsync(req, HttpResponse.BodyHandlers.ofString()));
      }
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(180, TimeUnit.SECONDS);
    long ok = all.stream().filter(f -> f.join().statusCode() == 201).count();
    long refused = all.stream().filter(f -> f.join().statusCode() == 429
        && f.join().body().contains("sandbox_limit_reached")).count();
    assertThat(ok).as(all.stream().map(f -> f.join().statusCode() + " " + f.join().body()).toList().toString())
        .isEqualTo(MAX_SANDBOXES - before);
    assertThat(ok + refused).isEqualTo(all.size());
    List<JsonObject> listed = list(node(1));
    assertThat(listed).hasSize(MAX_SANDBOXES);
    // spread evenly (least loaded first, counting creates in progress)
    java.util.Map<String, Long> perNodeCount = listed.stream().collect(java.util.stream.Collectors.groupingBy(
        s -> s.getString("node_id"), java.util.stream.Collectors.counting()));
    assertThat(perNodeCount).hasSize(3);
    assertThat(java.util.Collections.max(perNodeCount.values()) - java.util.Collections.min(perNodeCount.values()))
        .as(perNodeCount.toString()).isLessThanOrEqualTo(1);
    node(2).json("POST", "/v1/manager/destroy-all", null, 200);
    assertThat(list(node(0))).isEmpty();
  }

  @Test
  @Order(5)
  void killedOwnerSandboxesAreLostWithinTenSeconds() throws Exception {
    Node a = node(0);
    Node b = node(1);
    Node c = node(2);
    JsonObject doomed = c.json("POST", "/v1/sandboxes", new JsonObject().put("name", "doomed").put("node_id", c.id),
        201);
    String id = doomed.getString("sandbox_id");
    String kept = a.json("POST", "/v1/sandboxes", new JsonObject().put("name", "kept").put("node_id", b.id), 201)
        .getString("sandbox_id");
    // a run in flight through B when its owner dies answers sandbox_lost, not after its timeout
    CompletableFuture<HttpResponse<String>> inFlight = HTTP.sendAsync(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + b.port + "/v1/sandboxes/" + id + "/executions"))
        .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString(new JsonObject()
            .put("code", "import time\nopen('started','w').write('1')\ntime.sleep(100)").encode())).build(),
        HttpResponse.BodyHandlers.ofString());
    Path started = Path.of(doomed.getString("workspace_path"), "started");
    long waitRun = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.exists(started) && System.nanoTime() < waitRun) {
      Thread.sleep(20);
    }
    assertThat(started).as("the run started on C").exists();
    // and a run on C followed live (SSE) by a client of A
    HttpResponse<Stream<String>> sse = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.port
            + "/v1/sandboxes/" + id + "/executions")).timeout(Duration.ofSeconds(120))
        .header("Accept", "text/event-stream").POST(HttpRequest.BodyPublishers.ofString(new JsonObject()
            .put("code", "import time\nprint('go', flush=True)\ntime.sleep(100)").encode())).build(),
        HttpResponse.BodyHandlers.ofLines());
    assertThat(sse.statusCode()).isEqualTo(200);
    java.util.Iterator<JsonObject> sseEvents = sse.body().filter(l -> l.startsWith("data:"))
        .map(l -> new JsonObject(l.substring(5).trim())).iterator();
    // the line may arrive in more than one stdout event
    StringBuilder seen = new StringBuilder();
    while (!seen.toString().contains("\n")) {
      JsonObject ev = sseEvents.next();
      if ("stdout".equals(ev.getString("type"))) {
        seen.append(ev.getString("data"));
      }
    }
    assertThat(seen.toString()).isEqualTo("go\n");
    CompletableFuture<JsonObject> sseLast = CompletableFuture.supplyAsync(() -> {
      JsonObject last = null;
      while (sseEvents.hasNext()) {
        last = sseEvents.next();
      }
      return last;
    });
    c.process.destroyForcibly(); // SIGKILL
    long killed = System.nanoTime();
    c.process.waitFor(10, TimeUnit.SECONDS);

    int code = 0;
    while (System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(15)) {
      code = b.call("GET", "/v1/sandboxes/" + id, null).statusCode();
      if (code == 410) {
        break;
      }
      Thread.sleep(200);
    }
    double seconds = (System.nanoTime() - killed) / 1e9;
    System.out.printf("ClusterIT: sandbox lost %.2f s after kill -9 of its node%n", seconds);
    assertThat(code).as("GET through B after the owner died").isEqualTo(410);
    assertThat(seconds).as("seconds until lost").isLessThan(10.0);
    JsonObject sseEnd = sseLast.get(10, TimeUnit.SECONDS);
    assertThat(sseEnd.getString("type")).as(sseEnd.encode()).isEqualTo("error");
    assertThat(sseEnd.getJsonObject("error").getString("code")).isEqualTo("sandbox_lost");
    HttpResponse<String> lostRun = inFlight.get(10, TimeUnit.SECONDS);
    assertThat(lostRun.statusCode()).as(lostRun.body()).isEqualTo(410);
    assertThat(new JsonObject(lostRun.body()).getJsonObject("error").getString("code")).isEqualTo("sandbox_lost");

    HttpResponse<String> onA = a.call("POST", "/v1/sandboxes/" + id + "/executions",
        new JsonObject().put("code", "print(1)"));
    assertThat(onA.statusCode()).isEqualTo(410);
    assertThat(list(a)).anyMatch(s -> s.getString("sandbox_id").equals(id) && s.getString("status").equals("lost"))
        .anyMatch(s -> s.getString("sandbox_id").equals(kept) && s.getString("status").equals("running"));
    assertThat(a.json("GET", "/v1/manager/status", null, 200).getJsonObject("nodes").fieldNames())
        .containsExactlyInAnyOrder(a.id, b.id);
    // the survivors still serve and place new sandboxes only on live nodes
    String fresh = b.json("POST", "/v1/sandboxes", new JsonObject().put("auto_start", false), 201)
        .getString("node_id");
    assertThat(fresh).isIn(a.id, b.id);
    assertThat(b.json("POST", "/v1/sandboxes/" + kept + "/executions", new JsonObject().put("code", "print(2)"), 200)
        .getString("stdout")).isEqualTo("2\n");
    // cleanup of stopped sandboxes forgets the lost one
    a.json("POST", "/v1/manager/cleanup", new JsonObject().put("stopped", true), 200);
    assertThat(list(b)).noneMatch(s -> s.getString("sandbox_id").equals(id));
  }

  @Test
  @Order(6)
  void gracefulShutdownDrainsThenLeaves() throws Exception {
    Node a = node(0);
    Node b = node(1);
    JsonObject drained = a.json("POST", "/v1/sandboxes", new JsonObject().put("name", "drained")
        .put("node_id", b.id), 201);
    String onB = drained.getString("sandbox_id");
    CompletableFuture<HttpResponse<String>> running = HTTP.sendAsync(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + a.port + "/v1/sandboxes/" + onB + "/executions"))
        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(new JsonObject()
            .put("code", "import time\nopen('started','w').write('1')\ntime.sleep(0.5)\nprint('finished')")
            .encode())).build(),
        HttpResponse.BodyHandlers.ofString());
    Path started = Path.of(drained.getString("workspace_path"), "started");
    long t0 = System.nanoTime();
    while (!Files.exists(started) && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30)) {
      Thread.sleep(20);
    }
    assertThat(started).as("the run started on B").exists();
    b.process.destroy(); // SIGTERM
    assertThat(b.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(b.process.exitValue()).as("a drained node exits 0").isZero();
    HttpResponse<String> r = running.get(30, TimeUnit.SECONDS);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getString("stdout")).isEqualTo("finished\n");
    // once it has left, its sandboxes are lost and new ones go to the remaining node
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int code = 0;
    while (System.nanoTime() < deadline && (code = a.call("GET", "/v1/sandboxes/" + onB, null).statusCode()) != 410) {
      Thread.sleep(100);
    }
    assertThat(code).isEqualTo(410);
    assertThat(a.json("POST", "/v1/sandboxes", new JsonObject().put("auto_start", false), 201).getString("node_id"))
        .isEqualTo(a.id);
  }
}
