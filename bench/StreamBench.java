import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Streaming benchmarks over the WebSocket ({@code GET /v1/sandboxes/{id}/ws}), against the packaged
 * service started as its own process, with the JDK's WebSocket client; prints a Markdown table.
 *
 * <pre>bash bench/run.sh stream [bwrap|none]</pre>  (= java bench/StreamBench.java [isolation])
 *
 * <ul>
 *   <li>print-to-frame latency: the sandbox prints {@code time.time()} every 20 ms; the client subtracts
 *       it from its own clock when the frame arrives (same host, same realtime clock);
 *   <li>relay throughput: one run writes 100 MiB to stdout (64 KiB writes) to one socket; time from the
 *       {@code start} to the {@code exit} frame, every byte counted; the service's heap sampled by
 *       {@code jstat} every 100 ms;
 *   <li>500 sockets (10 on each of 50 sandboxes) each run a short program at once: time from sending
 *       {@code exec} to the {@code exit} frame.
 * </ul>
 */
public class StreamBench {
  static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  static final List<String[]> rows = new ArrayList<>();
  static String base;
  static String isolation = "bwrap";

  public static void main(String[] args) throws Exception {
    if (args.length > 0) {
      isolation = args[0];
    }
    Path dir = Files.createTempDirectory("alphora-stream-bench-");
    Process service = start(dir);
    try {
      if (!"throughput".equals(System.getenv("ONLY"))) latency();
      throughput(service.pid());
      if (!"throughput".equals(System.getenv("ONLY"))) concurrent(500, 50);
    } finally {
      service.destroy();
      service.waitFor(30, TimeUnit.SECONDS);
      new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
    }
    System.out.println();
    System.out.println("WebSocket streaming, local.isolation = " + isolation);
    System.out.println();
    System.out.println("| measurement | result | target |");
    System.out.println("|---|---|---|");
    for (String[] r : rows) {
      System.out.println("| " + r[0] + " | " + r[1] + " | " + r[2] + " |");
    }
  }

  // ---- the three measurements ----

  static void latency() throws Exception {
    String id = create("{}");
    Socket s = Socket.open(id);
    s.run("print(1)"); // warm the runner's cells and the socket path
    List<Double> ms = new ArrayList<>();
    String code = "import sys, time\nfor i in range(300):\n    sys.stdout.write(repr(time.time()) + '\\n')\n"
        + "    sys.stdout.flush()\n    time.sleep(0.02)";
    s.onFrame = f -> {
      if (f.contains("\"type\":\"stdout\"")) {
        Instant now = Instant.now();
        // one piece may carry several prints when the runner read them together
        for (String line : data(f).split("\\\\n")) {
          if (!line.isBlank()) {
            ms.add((now.getEpochSecond() + now.getNano() / 1e9 - Double.parseDouble(line.trim())) * 1000);
          }
        }
      }
    };
    s.run(code);
    List<Double> steady = ms.subList(20, ms.size()); // the first ones include the run's start
    rows.add(new String[] {"`print()` in the sandbox → frame at a WebSocket client, p50 / p90 / p99 (" + steady.size()
        + " prints, 20 ms apart)", f2(pct(steady, .5)) + " / " + f2(pct(steady, .9)) + " / " + f2(pct(steady, .99)) + " ms",
        "p50 ≤ 5 ms"});
    s.close();
  }

  static void throughput(long servicePid) throws Exception {
    // two cores for the sandbox: the writing program and the runner relaying its pipe share its quota
    String id = create("{\"resource_limits\":{\"max_output_size\":209715200,\"cpu_cores\":2}}");
    Socket s = Socket.open(id);
    s.run("print(1)");
    long total = 100L << 20;
    String code = "import sys\nb = ('x' * 1023 + '\\n') * 64\nw = sys.stdout.write\nfor i in range(" + (total / 65536)
        + "):\n    w(b)";
    AtomicLong bytes = new AtomicLong();
    long[] startNanos = {0};
    s.onFrame = f -> {
      if (f.startsWith("{\"type\":\"start\"")) {
        startNanos[0] = System.nanoTime();
      } else if (f.startsWith("{\"type\":\"stdout\"")) {
        String d = data(f);
        bytes.addAndGet(d.length() - count(d, "\\n"));
      }
    };
    Heap heap = Heap.watch(servicePid);
    Thread.sleep(800);
    long before = heap.latest();
    double cpu0 = cpuSeconds(servicePid);
    double me0 = cpuSeconds(ProcessHandle.current().pid());
    try {
      s.run(code);
    } catch (IllegalStateException e) {
      throw new IllegalStateException(e.getMessage() + " after " + bytes.get() + " bytes in "
          + (System.nanoTime() - startNanos[0]) / 1e9 + " s", e);
    }
    double secs = (System.nanoTime() - startNanos[0]) / 1e9;
    double cpu = cpuSeconds(servicePid) - cpu0;
    double me = cpuSeconds(ProcessHandle.current().pid()) - me0;
    Thread.sleep(1500);
    heap.stop();
    if (bytes.get() != total) {
      throw new IllegalStateException("received " + bytes.get() + " of " + total + " bytes");
    }
    rows.add(new String[] {"relay throughput: one run writes 100 MiB to stdout, one WebSocket client (all bytes counted)",
        String.format(Locale.ROOT, "%.0f MB/s (%.2f s)", total / 1e6 / secs, secs), "≥ 100 MB/s"});
    rows.add(new String[] {"service JVM heap used (jstat, every 100 ms): before / max during / 1.5 s after",
        mb(before) + " / " + mb(heap.max) + " / " + mb(heap.latest()), "flat"});
    rows.add(new String[] {"CPU time for those 100 MiB: service JVM / this client JVM",
        String.format(Locale.ROOT, "%.2f s / %.2f s", cpu, me), "(where the time goes)"});
    s.close();
  }

  static void concurrent(int clients, int sandboxes) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < sandboxes; i++) {
      ids.add(create("{\"resource_limits\":{\"max_processes\":40,\"max_threads\":200}}"));
    }
    List<Socket> sockets = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      sockets.add(Socket.open(ids.get(i % sandboxes)));
    }
    ConcurrentLinkedQueue<Double> times = new ConcurrentLinkedQueue<>();
    AtomicLong ok = new AtomicLong();
    CountDownLatch done = new CountDownLatch(clients);
    long t0 = System.nanoTime();
    for (Socket s : sockets) {
      long sent = System.nanoTime();
      s.onExit = f -> {
        times.add((System.nanoTime() - sent) / 1e6);
        if (f.contains("\"status\":\"success\"")) {
          ok.incrementAndGet();
        }
        done.countDown();
      };
      s.send("{\"type\":\"exec\",\"language\":\"python\",\"code\":\"import os\\nprint('client', os.getpid(), sum(range(1000)))\"}");
    }
    if (!done.await(180, TimeUnit.SECONDS)) {
      throw new IllegalStateException((clients - done.getCount()) + " of " + clients + " runs finished in 180 s");
    }
    double wall = (System.nanoTime() - t0) / 1e6;
    List<Double> t = new ArrayList<>(times);
    rows.add(new String[] {clients + " WebSocket clients (" + clients / sandboxes + " on each of " + sandboxes
        + " sandboxes) run a short program at once: succeeded; exec → exit p50 / p99 / max; all done after",
        ok.get() + "/" + clients + "; " + f2(pct(t, .5)) + " / " + f2(pct(t, .99)) + " / " + f2(pct(t, 1)) + " ms; "
        + String.format(Locale.ROOT, "%.0f ms", wall), "all complete"});
    for (Socket s : sockets) {
      s.close();
    }
    call("POST", "/v1/manager/destroy-all", null);
  }

  // ---- helpers ----

  /** One WebSocket with the JDK client: whole text messages to {@code onFrame}; {@link #run} waits for the exit. */
  static final class Socket implements WebSocket.Listener {
    WebSocket ws;
    final StringBuilder part = new StringBuilder();
    volatile Consumer<String> onFrame = f -> { };
    volatile Consumer<String> onExit = f -> { };

    static Socket open(String sandboxId) throws Exception {
      Socket s = new Socket();
      s.ws = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
          .buildAsync(URI.create(base.replace("http", "ws") + "/v1/sandboxes/" + sandboxId + "/ws"), s)
          .get(60, TimeUnit.SECONDS);
      return s;
    }

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
      part.append(data);
      if (last) {
        String f = part.toString();
        part.setLength(0);
        try {
          onFrame.accept(f);
          if (f.startsWith("{\"type\":\"exit\"")) {
            onExit.accept(f);
          }
        } catch (RuntimeException e) {
          System.err.println("frame handler failed on " + f.substring(0, Math.min(200, f.length())) + ": " + e);
        }
      }
      w.request(1);
      return null;
    }

    void send(String frame) { ws.sendText(frame, true).join(); }

    /** Runs Python code on this socket and waits for its exit frame. */
    void run(String code) throws Exception {
      run(code, 300);
    }

    void run(String code, int seconds) throws Exception {
      CompletableFuture<String> exit = new CompletableFuture<>();
      onExit = exit::complete;
      send("{\"type\":\"exec\",\"language\":\"python\",\"code\":" + quote(code) + "}");
      String f = exit.get(seconds, TimeUnit.SECONDS);
      if (!f.contains("\"status\":\"success\"")) {
        throw new IllegalStateException("run failed: " + f.substring(0, Math.min(f.length(), 2000)));
      }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
      onExit.accept("closed by the service: " + code + " " + reason);
      return null;
    }

    void close() { ws.sendClose(WebSocket.NORMAL_CLOSURE, "done"); }
  }

  /** Samples the service's used heap (S0U + S1U + EU + OU, KiB) with jstat every 100 ms. */
  static final class Heap {
    final Process jstat;
    volatile long max;
    volatile long last;

    Heap(Process p) { jstat = p; }

    static Heap watch(long pid) throws Exception {
      Process p = new ProcessBuilder(System.getProperty("java.home") + "/bin/jstat", "-gc", String.valueOf(pid), "100")
          .redirectErrorStream(true).start();
      Heap h = new Heap(p);
      Thread t = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          String[] head = r.readLine().trim().split("\\s+");
          String line;
          while ((line = r.readLine()) != null) {
            String[] v = line.trim().split("\\s+");
            double used = 0;
            for (int i = 0; i < head.length && i < v.length; i++) {
              if (List.of("S0U", "S1U", "EU", "OU").contains(head[i])) {
                used += Double.parseDouble(v[i]);
              }
            }
            h.last = (long) used;
            h.max = Math.max(h.max, h.last);
          }
        } catch (Exception ignored) {
          // jstat stopped
        }
      });
      t.setDaemon(true);
      t.start();
      return h;
    }

    long latest() { return last; }

    void stop() { jstat.destroy(); }
  }

  /** utime + stime of a process, from /proc (clock ticks of 10 ms). */
  static double cpuSeconds(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }

  static String mb(long kib) { return String.format(Locale.ROOT, "%.0f MB", kib / 1024.0); }

  static String data(String frame) {
    int i = frame.indexOf("\"data\":\"") + 8;
    return frame.substring(i, frame.lastIndexOf('"'));
  }

  static long count(String s, String what) {
    long n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + what.length())) {
      n++;
    }
    return n;
  }

  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }

  static double pct(List<Double> xs, double p) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(Math.min(s.size() - 1, (int) Math.round(p * (s.size() - 1))));
  }

  static String f2(double v) { return String.format(Locale.ROOT, "%.2f", v); }

  static Process start(Path dir) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-jar",
        "target/alphora-sandbox.jar").redirectErrorStream(true);
    pb.environment().put("SANDBOX_BASE_PATH", dir.toString());
    pb.environment().put("SANDBOX_HTTP_PORT", "0");
    pb.environment().put("SANDBOX_MAX_SANDBOXES", "500");
    pb.environment().put("SANDBOX_IDLE_TIMEOUT", "0");
    pb.environment().put("SANDBOX_LOCAL_ISOLATION", isolation);
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

  static String create(String body) throws Exception {
    Matcher m = Pattern.compile("\"sandbox_id\"\\s*:\\s*\"([^\"]*)\"").matcher(call("POST", "/v1/sandboxes", body));
    if (!m.find()) {
      throw new IllegalStateException("no sandbox_id");
    }
    return m.group(1);
  }
}
