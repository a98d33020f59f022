import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cluster benchmark: two nodes of the packaged service ({@code --cluster}) on loopback, each its own
 * JVM. Reports each node's cluster join time (as the node logs it, and process start to HTTP
 * listening) and the warm run latency ({@code print(1)}, wait: true) of one sandbox on node A through
 * A (the owner) and through B (one event-bus hop more each way), interleaved.
 *
 * <pre>bash bench/run.sh cluster</pre>  (= java bench/ClusterBench.java [runs])
 */
public class ClusterBench {
  static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
  static final Pattern JOINED = Pattern.compile("joined cluster .* in (\\d+) ms \\((\\d+) members\\)");
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  record Node(String id, Path dir, Process process, int port, long joinMs, long readyMs) {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    int first = freePort();
    String members = "127.0.0.1:" + first + ",127.0.0.1:" + (first + 1);
    List<Node> nodes = new ArrayList<>();
    try {
      nodes.add(start("bench-a", first, members, "bench-" + first));
      nodes.add(start("bench-b", first + 1, members, "bench-" + first));
      Node a = nodes.get(0);
      Node b = nodes.get(1);
      String created = call(a, "POST", "/v1/sandboxes", "{\"node_id\":\"bench-a\"}");
      Matcher m = Pattern.compile("\"sandbox_id\":\"([^\"]+)\"").matcher(created);
      if (!m.find()) {
        throw new IllegalStateException("create failed: " + created);
      }
      String path = "/v1/sandboxes/" + m.group(1) + "/executions";
      String body = "{\"code\":\"print(1)\"}";
      for (int i = 0; i < 300; i++) { // warm-up: JIT on both nodes, the cluster connection
        call(a, "POST", path, body);
        call(b, "POST", path, body);
      }
      List<Double> viaOwner = new ArrayList<>();
      List<Double> viaOther = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        viaOwner.add(timed(a, path, body));
        viaOther.add(timed(b, path, body));
      }
      System.out.println();
      System.out.println("| measurement | result |");
      System.out.println("|---|---|");
      System.out.printf(Locale.ROOT, "| node A: join (first member) / process start to HTTP listening | %d ms / %d ms |%n",
          a.joinMs(), a.readyMs());
      System.out.printf(Locale.ROOT, "| node B: join (second member) / process start to HTTP listening | %d ms / %d ms |%n",
          b.joinMs(), b.readyMs());
      System.out.printf(Locale.ROOT, "| warm run through the owner (A), %d runs: p50 / p90 / p99 | %s |%n", runs,
          pct(viaOwner));
      System.out.printf(Locale.ROOT, "| warm run through another node (B), %d runs: p50 / p90 / p99 | %s |%n", runs,
          pct(viaOther));
      System.out.printf(Locale.ROOT, "| p50 difference (B - A) | %.2f ms |%n",
          p(viaOther, 0.5) - p(viaOwner, 0.5));
    } finally {
      for (Node n : nodes) {
        n.process().destroy();
      }
      for (Node n : nodes) {
        n.process().waitFor(30, TimeUnit.SECONDS);
        new ProcessBuilder("rm", "-rf", n.dir().toString()).start().waitFor();
      }
    }
  }

  static double timed(Node n, String path, String body) throws Exception {
    long t0 = System.nanoTime();
    String r = call(n, "POST", path, body);
    double ms = (System.nanoTime() - t0) / 1e6;
    if (!r.contains("\"stdout\":\"1\\n\"")) {
      throw new IllegalStateException("run failed: " + r);
    }
    return ms;
  }

  static String pct(List<Double> xs) {
    return String.format(Locale.ROOT, "%.2f / %.2f / %.2f ms", p(xs, 0.5), p(xs, 0.9), p(xs, 0.99));
  }

  static double p(List<Double> xs, double q) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(Math.min(s.size() - 1, (int) Math.floor(q * s.size())));
  }

  static String call(Node n, String method, String path, String body) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.port() + path))
        .timeout(Duration.ofSeconds(60)).method(method, HttpRequest.BodyPublishers.ofString(body)).build();
    return HTTP.send(r, HttpResponse.BodyHandlers.ofString()).body();
  }

  static int freePort() throws Exception {
    for (int i = 0; i < 50; i++) {
      int p = 20_000 + (int) (Math.random() * 20_000);
      try (ServerSocket a = new ServerSocket(p); ServerSocket b = new ServerSocket(p + 1)) {
        return p;
      } catch (java.io.IOException taken) {
        // next
      }
    }
    throw new IllegalStateException("no free ports");
  }

  static Node start(String id, int clusterPort, String members, String name) throws Exception {
    Path dir = Files.createTempDirectory("alphora-cluster-bench-");
    ProcessBuilder pb = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-jar",
        "target/alphora-sandbox.jar", "--cluster").redirectErrorStream(true);
    pb.environment().put("SANDBOX_BASE_PATH", dir.toString());
    pb.environment().put("SANDBOX_HTTP_PORT", "0");
    pb.environment().put("SANDBOX_NODE_ID", id);
    pb.environment().put("SANDBOX_LOG_LEVEL", "WARN".equals(System.getenv("BENCH_LOG")) ? "WARN" : "INFO");
    pb.environment().put("SANDBOX_CLUSTER_PORT", String.valueOf(clusterPort));
    pb.environment().put("SANDBOX_CLUSTER_MEMBERS", members);
    pb.environment().put("SANDBOX_CLUSTER_NAME", name);
    pb.environment().put("SANDBOX_CLUSTER_JOIN_WAIT", System.getenv().getOrDefault("BENCH_JOIN_WAIT", "0"));
    long t0 = System.nanoTime();
    Process p = pb.start();
    LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (Exception ignored) {
        // gone
      }
    });
    reader.setDaemon(true);
    reader.start();
    long joinMs = -1;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(1, TimeUnit.SECONDS);
      if (line == null) {
        continue;
      }
      Matcher j = JOINED.matcher(line);
      if (j.find()) {
        joinMs = Long.parseLong(j.group(1));
      }
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        return new Node(id, dir, p, Integer.parseInt(m.group(1)), joinMs, (System.nanoTime() - t0) / 1_000_000);
      }
    }
    throw new IllegalStateException(id + " did not start");
  }
}
