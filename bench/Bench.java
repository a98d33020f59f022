import java.io.BufferedReader;
import java.io.InputStreamReader;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark harness: starts the packaged service as its own process (embedded defaults, a
 * temporary base path) and measures it through REST, printing a Markdown table.
 *
 * <pre>bash bench/run.sh</pre>  (= mvn -q -B package -DskipTests && java bench/Bench.java); warm runs are
 * measured early and once the JIT settled, after {@code -Dbench.settle=6000} runs.
 */
public class Bench {
  static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static String base;
  static final List<String[]> rows = new ArrayList<>();

  static String isolation = "bwrap";

  /**
   * {@code args[0]}: what to measure: the local backend with {@code bwrap} (default) or {@code none}
   * isolation, or {@code docker} (the Docker backend; needs dockerd and the runtime image).
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0) {
      isolation = args[0];
    }
    Path dir = Files.createTempDirectory("alphora-bench-");
    Process service = start(dir);
    try {
      if (isolation.equals("docker")) {
        BenchDocker.run(dir);
      } else {
        run(service);
      }
    } finally {
      service.destroy();
      service.waitFor(30, TimeUnit.SECONDS);
      if (isolation.equals("docker")) {
        BenchDocker.removeContainers(dir);
      }
      new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
    }
    System.out.println();
    System.out.println(isolation.equals("docker") ? "backend = docker" : "local.isolation = " + isolation);
    System.out.println();
    System.out.println("| measurement | result | target |");
    System.out.println("|---|---|---|");
    for (String[] r : rows) {
      System.out.println("| " + r[0] + " | " + r[1] + " | " + r[2] + " |");
    }
  }

  static Process start(Path dir) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-jar",
        "target/alphora-sandbox.jar").redirectErrorStream(true);
    pb.environment().put("SANDBOX_BASE_PATH", dir.toString());
    pb.environment().put("SANDBOX_HTTP_PORT", "0");
    pb.environment().put("SANDBOX_MAX_SANDBOXES", "500");
    pb.environment().put("SANDBOX_IDLE_TIMEOUT", "0");
    if (isolation.equals("docker")) {
      pb.environment().put("SANDBOX_BACKEND", "docker");
      pb.environment().put("SANDBOX_DOCKER_POOL_SIZE", "2");
    } else {
      pb.environment().put("SANDBOX_LOCAL_ISOLATION", isolation);
    }
    Process p = pb.start();
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = r.readLine()) != null) {
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        base = "http://127.0.0.1:" + m.group(1);
        Thread drain = new Thread(() -> {
          try {
            while (r.readLine() != null) {
              // keep the pipe drained
            }
          } catch (Exception ignored) {
            // service gone
          }
        });
        drain.setDaemon(true);
        drain.start();
        return p;
      }
    }
    throw new IllegalStateException("service did not start");
  }

  static String call(String method, String path, String body) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json").build();
    HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      throw new IllegalStateException(method + " " + path + " -> " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + name + " in " + json);
    }
    return m.group(1);
  }

  static String create() throws Exception { return field(call("POST", "/v1/sandboxes", "{}"), "sandbox_id"); }

  static final String PRINT1 = "{\"language\":\"python\",\"code\":\"print(1)\"}";

  /**
   * One keep-alive HTTP/1.1 connection per thread, written by hand: the JDK HttpClient adds about a
   * millisecond of its own per request, which would be measured as the service's.
   */
  static final ThreadLocal<Conn> CONN = ThreadLocal.withInitial(Conn::new);

  static final class Conn {
    java.net.Socket socket;
    java.io.InputStream in;
    java.io.OutputStream out;

    Conn() {
      try {
        URI u = URI.create(base);
        socket = new java.net.Socket(u.getHost(), u.getPort());
        socket.setTcpNoDelay(true);
        in = new java.io.BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    String post(String path, String body) throws Exception {
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      out.write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
          + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(b);
      out.flush();
      int length = -1;
      String line = readLine();
      if (!line.startsWith("HTTP/1.1 200")) {
        throw new IllegalStateException("unexpected status: " + line);
      }
      while (!(line = readLine()).isEmpty()) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      byte[] resp = in.readNBytes(length);
      return new String(resp, StandardCharsets.UTF_8);
    }

    String readLine() throws Exception {
      StringBuilder sb = new StringBuilder();
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) {
          throw new IllegalStateException("connection closed");
        }
        if (c != '\r') {
          sb.append((char) c);
        }
      }
      return sb.toString();
    }
  }

  static void exec(String id) throws Exception {
    String out = CONN.get().post("/v1/sandboxes/" + id + "/executions", PRINT1);
    if (!out.contains("\"stdout\":\"1\\n\"")) {
      throw new IllegalStateException("unexpected result " + out);
    }
  }

  static double pct(List<Double> xs, double p) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(Math.min(s.size() - 1, (int) Math.round(p * (s.size() - 1))));
  }

  static String ms(double v) { return String.format(Locale.ROOT, "%.2f ms", v); }

  /**
   * Warm {@code print(1)} runs on one sandbox, as two rows: 500 runs after 100 (a service just
   * started: the JIT is still compiling the request path, which on two cores takes CPU from it), and
   * 1000 runs once {@code SETTLE} runs have gone through (the service as it runs for hours: C2 compiles
   * a method called once per request only after thousands of requests).
   */
  static void warmRows(String id, String what) throws Exception {
    for (int i = 0; i < 100; i++) {
      exec(id);
    }
    List<Double> early = timedRuns(id, 500);
    for (int i = 600; i < SETTLE; i++) {
      exec(id);
    }
    List<Double> settled = timedRuns(id, 1000);
    rows.add(new String[] {"warm `print(1)` through REST" + what + ", p50 / p90 / p99, runs 101-600 after start",
        ms(pct(early, .5)) + " / " + ms(pct(early, .9)) + " / " + ms(pct(early, .99)), "p50 ≤ 5 ms"});
    rows.add(new String[] {"the same, runs " + (SETTLE + 1) + "-" + (SETTLE + 1000) + " (JIT settled)",
        ms(pct(settled, .5)) + " / " + ms(pct(settled, .9)) + " / " + ms(pct(settled, .99)), "p50 ≤ 5 ms"});
  }

  static final int SETTLE = Integer.getInteger("bench.settle", 6000);

  static List<Double> timedRuns(String id, int n) throws Exception {
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      exec(id);
      ms.add((System.nanoTime() - t0) / 1e6);
    }
    return ms;
  }

  static void run(Process service) throws Exception {
    String id = create();
    warmRows(id, "");
    List<Double> spawn = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      long t0 = System.nanoTime();
      Process p = new ProcessBuilder("/usr/bin/python3", "-c", "print(1)").start();
      p.getInputStream().readAllBytes();
      p.waitFor();
      spawn.add((System.nanoTime() - t0) / 1e6);
    }
    rows.add(new String[] {"fresh `/usr/bin/python3 -c print(1)` spawn, p50 (50, same machine, same run)",
        ms(pct(spawn, .5)), "(reference)"});

    List<Double> first = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      long t0 = System.nanoTime();
      String s = create();
      exec(s);
      first.add((System.nanoTime() - t0) / 1e6);
      call("DELETE", "/v1/sandboxes/" + s, null);
    }
    rows.add(new String[] {"`POST /v1/sandboxes` to first finished run, median (30)", ms(pct(first, .5)),
        "≤ 100 ms"});

    int clients = 8;
    AtomicLong done = new AtomicLong();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    CountDownLatch latch = new CountDownLatch(clients);
    for (int c = 0; c < clients; c++) {
      new Thread(() -> {
        try {
          while (System.nanoTime() < until) {
            exec(id);
            done.incrementAndGet();
          }
        } catch (Exception e) {
          e.printStackTrace();
        } finally {
          latch.countDown();
        }
      }).start();
    }
    latch.await();
    rows.add(new String[] {"8 concurrent clients × `print(1)`, one sandbox, 10 s",
        String.format(Locale.ROOT, "%.0f runs/s", done.get() / 10.0), "≥ 200 runs/s"});

    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 99; i++) {
      ids.add(create());
    }
    Thread.sleep(15000); // idle: no request for 15 s
    List<Double> runnerRss = new ArrayList<>();
    List<Double> treePss = new ArrayList<>();
    for (ProcessHandle h : service.toHandle().children().toList()) {
      // the runner: the service's child itself, or (isolated) the first python below bubblewrap
      ProcessHandle runner = h.info().command().orElse("").contains("python") ? h
          : h.descendants().filter(d -> d.info().command().orElse("").contains("python")).findFirst().orElse(h);
      runnerRss.add(rssKb(runner.pid()) / 1024.0);
      long pss = pssKb(h.pid());
      for (ProcessHandle d : h.descendants().toList()) {
        pss += pssKb(d.pid());
      }
      treePss.add(pss / 1024.0);
    }
    rows.add(new String[] {"idle sandbox: runner resident memory (VmRSS), median of " + runnerRss.size(),
        String.format(Locale.ROOT, "%.1f MB", pct(runnerRss, .5)), "≤ 15 MB"});
    rows.add(new String[] {"idle sandbox: all its processes (runner, cells" + ("bwrap".equals(isolation) ? ", bwrap" : "")
        + "), proportional set size, median",
        String.format(Locale.ROOT, "%.1f MB", pct(treePss, .5)), "(all processes of a sandbox)"});
    rows.add(new String[] {"service JVM resident memory with " + (ids.size() + 1) + " idle sandboxes",
        String.format(Locale.ROOT, "%.0f MB", rssKb(service.pid()) / 1024.0), "≤ 300 MB"});
    call("POST", "/v1/manager/destroy-all", null);
  }

  static long pssKb(long pid) {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
        if (l.startsWith("Pss:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
      }
    } catch (Exception e) {
      // the process went away
    }
    return 0;
  }

  static long rssKb(long pid) throws Exception {
    for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (l.startsWith("VmRSS:")) {
        return Long.parseLong(l.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }
}

/** The Docker backend's figures: warm run (beside {@code docker exec}), create-to-first-run, idle memory. */
class BenchDocker {
  static void run(Path dir) throws Exception {
    String id = Bench.create();
    Bench.warmRows(id, " on a Docker sandbox");
    String container = containers(dir).get(0);
    List<Double> dockerExec = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      long t0 = System.nanoTime();
      sh("docker", "exec", container, "python3", "-c", "print(1)");
      dockerExec.add((System.nanoTime() - t0) / 1e6);
    }
    Bench.rows.add(new String[] {"`docker exec <container> python3 -c print(1)` (CLI), p50 (20, same container)",
        Bench.ms(Bench.pct(dockerExec, .5)), "(what a run per exec would cost)"});

    Bench.rows.add(new String[] {"`POST /v1/sandboxes` (docker) to first finished run, from the warm pool, median (30)",
        Bench.ms(Bench.pct(firstRun("{}", 30), .5)), "≤ 50 ms"});
    Bench.rows.add(new String[] {"`POST /v1/sandboxes` (docker) to first finished run, new container (no pool), median (30)",
        Bench.ms(Bench.pct(firstRun("{\"resource_limits\":\"minimal\"}", 30), .5)), "≤ 400 ms"});

    for (int i = 0; i < 49; i++) {
      Bench.create();
    }
    Thread.sleep(15000); // idle: no request for 15 s
    List<Double> pss = new ArrayList<>();
    List<Double> cgroup = new ArrayList<>();
    for (String c : containers(dir)) {
      String[] f = sh("docker", "inspect", "-f", "{{.Id}} {{.State.Pid}} {{.Name}}", c).trim().split(" ");
      if (f[2].contains("-pool-")) {
        continue;
      }
      long init = Long.parseLong(f[1]);
      long shim = ProcessHandle.of(init).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L);
      long kb = Bench.pssKb(shim) + Bench.pssKb(init);
      for (ProcessHandle d : ProcessHandle.of(init).map(h -> h.descendants().toList()).orElse(List.of())) {
        kb += Bench.pssKb(d.pid());
      }
      pss.add(kb / 1024.0);
      Path usage = Path.of("/sys/fs/cgroup/memory/docker", f[0], "memory.usage_in_bytes");
      if (Files.isReadable(usage)) {
        cgroup.add(Long.parseLong(Files.readString(usage).trim()) / 1048576.0);
      }
    }
    Bench.rows.add(new String[] {"idle Docker sandbox (" + pss.size() + " running): host memory of its processes "
        + "(containerd shim, docker-init, runner, cells), PSS, median",
        String.format(Locale.ROOT, "%.1f MB", Bench.pct(pss, .5)), "(report)"});
    if (!cgroup.isEmpty()) {
      Bench.rows.add(new String[] {"idle Docker sandbox: its container's memory cgroup usage (incl. page cache), median",
          String.format(Locale.ROOT, "%.1f MB", Bench.pct(cgroup, .5)), "(report)"});
    }
    Bench.call("POST", "/v1/manager/destroy-all", null);
  }

  static List<Double> firstRun(String body, int n) throws Exception {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Thread.sleep(400); // let the pool refill and the previous container go, outside the measurement
      long t0 = System.nanoTime();
      String s = Bench.field(Bench.call("POST", "/v1/sandboxes", body), "sandbox_id");
      Bench.exec(s);
      out.add((System.nanoTime() - t0) / 1e6);
      Bench.call("DELETE", "/v1/sandboxes/" + s, null);
    }
    return out;
  }

  static List<String> containers(Path dir) throws Exception {
    String out = sh("docker", "ps", "-q", "--no-trunc", "--filter", "label=io.alphora.sandbox.base=" + dir);
    return out.isBlank() ? List.of() : List.of(out.trim().split("\\s+"));
  }

  static void removeContainers(Path dir) throws Exception {
    String out = sh("docker", "ps", "-aq", "--filter", "label=io.alphora.sandbox.base=" + dir);
    for (String c : out.isBlank() ? new String[0] : out.trim().split("\\s+")) {
      sh("docker", "rm", "-f", c);
    }
  }

  static String sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
    }
    return out;
  }
}
