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
    s.countStdout = bytes;
    s.onFrame = f -> {
      if (f.startsWith("{\"type\":\"start\"")) {
        startNanos[0] = System.nanoTime();
      }
    };
    // warm-up: the same run with 8 x 32 MiB, so the service's JIT has compiled the relay path
    for (int i = 0; i < 3; i++) {
      bytes.set(0);
      s.run("import sys\nb = ('x' * 1023 + '\\n') * 64\nfor i in range(512):\n    sys.stdout.write(b)");
      if (bytes.get() != 32L << 20) {
        throw new IllegalStateException("warm-up: received " + bytes.get() + " of " + (32L << 20) + " bytes");
      }
    }
    bytes.set(0);
    Heap heap = Heap.watch(servicePid);
    gc(servicePid);
    Thread.sleep(800);
    long before = heap.latest();
    heap.max = before;
    // three 100 MiB runs back to back: the first may still pay for the JIT (C2) compiling the relay path
    List<String> rates = new ArrayList<>();
    double cpu = 0;
    double me = 0;
    for (int round = 1; round <= 3; round++) {
      bytes.set(0);
      double cpu0 = cpuSeconds(servicePid);
      java.util.Map<String, Double> threads0 = threadCpu(servicePid);
      double me0 = cpuSeconds(ProcessHandle.current().pid());
      try {
        s.run(code);
      } catch (IllegalStateException e) {
        throw new IllegalStateException(e.getMessage() + " after " + bytes.get() + " bytes in "
            + (System.nanoTime() - startNanos[0]) / 1e9 + " s", e);
      }
      double secs = (System.nanoTime() - startNanos[0]) / 1e9;
      cpu = cpuSeconds(servicePid) - cpu0;
      me = cpuSeconds(ProcessHandle.current().pid()) - me0;
      if (System.getenv("BENCH_THREADS") != null) { // where the service's CPU went, per thread (name)
        java.util.Map<String, Double> by = new java.util.TreeMap<>();
        threadCpu(servicePid).forEach((k, v) -> by.merge(k.substring(k.indexOf(' ') + 1), v - threads0.getOrDefault(k, 0.0), Double::sum));
        System.err.println("run " + round + ":");
        by.entrySet().stream().filter(e -> e.getValue() > 0.005).sorted((x, y) -> Double.compare(y.getValue(), x.getValue()))
            .forEach(e -> System.err.printf(Locale.ROOT, "%6.2f s  %s%n", e.getValue(), e.getKey()));
      }
      if (bytes.get() != total) {
        throw new IllegalStateException("received " + bytes.get() + " of " + total + " bytes");
      }
      rates.add(String.format(Locale.ROOT, "%.0f", total / 1e6 / secs));
    }
    gc(servicePid);
    Thread.sleep(800);
    heap.stop();
    rows.add(new String[] {"relay throughput: a run writes 100 MiB to stdout (64 KiB writes), one WebSocket client, "
        + "all bytes counted; 3 runs back to back", String.join(" / ", rates) + " MB/s", "≥ 100 MB/s"});
    rows.add(new String[] {"service JVM heap used (jstat, every 100 ms): before (after a full GC) / max during the 300 MiB / after (full GC)",
        mb(before) + " / " + mb(heap.max) + " / " + mb(heap.latest()), "flat"});
    rows.add(new String[] {"CPU time for the last 100 MiB: service JVM / this client JVM",
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

  /**
   * One WebSocket, written by hand over a plain socket (like Bench's HTTP client: the JDK's WebSocket
   * client decodes and copies every fragment and cannot read 100 MB/s): a reader thread hands whole
   * text messages to {@code onFrame}; large stdout messages are only counted when {@code countStdout}
   * is set. {@link #run} sends Python code and waits for the exit frame.
   */
  static final class Socket {
    final java.net.Socket socket;
    final java.io.InputStream in;
    final java.io.OutputStream out;
    volatile Consumer<String> onFrame = f -> { };
    volatile Consumer<String> onExit = f -> { };
    volatile AtomicLong countStdout;
    private final java.util.Random random = new java.util.Random();

    Socket(java.net.Socket socket) throws Exception {
      this.socket = socket;
      this.in = new java.io.BufferedInputStream(socket.getInputStream(), 1 << 16);
      this.out = socket.getOutputStream();
    }

    static Socket open(String sandboxId) throws Exception {
      URI u = URI.create(base);
      java.net.Socket raw = new java.net.Socket(u.getHost(), u.getPort());
      raw.setTcpNoDelay(true);
      raw.setReceiveBufferSize(1 << 20);
      Socket s = new Socket(raw);
      String key = java.util.Base64.getEncoder().encodeToString(new byte[16]);
      s.out.write(("GET /v1/sandboxes/" + sandboxId + "/ws HTTP/1.1\r\nHost: " + u.getHost() + ":" + u.getPort()
          + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
          + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      s.out.flush();
      String status = s.line();
      if (!status.startsWith("HTTP/1.1 101")) {
        throw new IllegalStateException("handshake: " + status);
      }
      while (!s.line().isEmpty()) {
        // headers
      }
      Thread t = new Thread(s::readLoop, "ws-" + sandboxId);
      t.setDaemon(true);
      t.start();
      return s;
    }

    private String line() throws Exception {
      StringBuilder b = new StringBuilder();
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) {
          throw new IllegalStateException("connection closed");
        }
        if (c != '\r') {
          b.append((char) c);
        }
      }
      return b.toString();
    }

    private void readLoop() {
      java.io.ByteArrayOutputStream msg = new java.io.ByteArrayOutputStream();
      byte[] buf = new byte[1 << 16];
      boolean counting = false;
      int[] state = new int[2]; // quotes seen, pending escape
      try {
        while (true) {
          int b0 = in.read();
          int b1 = in.read();
          if (b0 < 0 || b1 < 0) {
            onExit.accept("closed by the service: connection ended");
            return;
          }
          boolean fin = (b0 & 0x80) != 0;
          int op = b0 & 0x0f;
          long len = b1 & 0x7f;
          if (len == 126) {
            len = (in.read() << 8) | in.read();
          } else if (len == 127) {
            len = new java.io.DataInputStream(in).readLong();
          }
          if (op == 8) {
            byte[] p = in.readNBytes((int) len);
            int code = p.length >= 2 ? ((p[0] & 0xff) << 8) | (p[1] & 0xff) : 1005;
            onExit.accept("closed by the service: " + code + " " + new String(p, 2, Math.max(0, p.length - 2), StandardCharsets.UTF_8));
            return;
          }
          if (op == 1 && countStdout != null && len >= 16) {
            byte[] head = in.readNBytes(16);
            len -= 16;
            if (new String(head, StandardCharsets.US_ASCII).equals("{\"type\":\"stdout\"")) {
              counting = true;
              state[0] = 4; // the quotes of "type" and "stdout"
              state[1] = 0;
            } else {
              msg.write(head);
            }
          }
          while (len > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, len));
            if (n < 0) {
              throw new IllegalStateException("connection closed mid-frame");
            }
            len -= n;
            if (counting) {
              countStdout.addAndGet(count(buf, n, state));
            } else {
              msg.write(buf, 0, n);
            }
          }
          if (fin) {
            if (!counting) {
              String f = msg.toString(StandardCharsets.UTF_8);
              msg.reset();
              try {
                onFrame.accept(f);
                if (f.startsWith("{\"type\":\"exit\"")) {
                  onExit.accept(f);
                }
              } catch (RuntimeException e) {
                System.err.println("frame handler failed on " + f.substring(0, Math.min(200, f.length())) + ": " + e);
              }
            }
            counting = false;
          }
        }
      } catch (Exception e) {
        onExit.accept("closed by the service: " + e);
      }
    }

    /**
     * Bytes of the "data" string of a stdout event, {"type":"stdout","exec_id":"…","seq":n,"data":"…"}:
     * those after the 13th quote up to the closing one, an escape pair counting as one (ASCII output).
     */
    private static long count(byte[] b, int n, int[] st) {
      long c = 0;
      for (int i = 0; i < n; i++) {
        byte x = b[i];
        if (st[0] < 13) {
          if (x == '"') {
            st[0]++;
          }
        } else if (st[0] == 13) {
          if (st[1] == 1) {
            st[1] = 0;
            c++;
          } else if (x == '\\') {
            st[1] = 1;
          } else if (x == '"') {
            st[0]++;
          } else {
            c++;
          }
        }
      }
      return c;
    }

    void send(String text) {
      try {
        byte[] p = text.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream f = new java.io.ByteArrayOutputStream(p.length + 14);
        f.write(0x81);
        if (p.length < 126) {
          f.write(0x80 | p.length);
        } else if (p.length < 65536) {
          f.write(0x80 | 126);
          f.write(p.length >>> 8);
          f.write(p.length & 0xff);
        } else {
          f.write(0x80 | 127);
          f.write(java.nio.ByteBuffer.allocate(8).putLong(p.length).array());
        }
        byte[] mask = new byte[4];
        random.nextBytes(mask);
        f.write(mask);
        for (int i = 0; i < p.length; i++) {
          p[i] ^= mask[i & 3];
        }
        f.write(p);
        synchronized (out) {
          out.write(f.toByteArray());
          out.flush();
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    /** Runs Python code on this socket and waits for its exit frame. */
    void run(String code) throws Exception {
      CompletableFuture<String> exit = new CompletableFuture<>();
      onExit = exit::complete;
      send("{\"type\":\"exec\",\"language\":\"python\",\"code\":" + quote(code) + "}");
      String f = exit.get(300, TimeUnit.SECONDS);
      if (!f.contains("\"status\":\"success\"")) {
        throw new IllegalStateException("run failed: " + f.substring(0, Math.min(f.length(), 2000)));
      }
    }

    void close() {
      try {
        socket.close();
      } catch (Exception ignored) {
        // gone
      }
    }
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

  /** CPU seconds per thread ("tid name") of a process, from /proc/PID/task. */
  static java.util.Map<String, Double> threadCpu(long pid) throws Exception {
    java.util.Map<String, Double> out = new java.util.HashMap<>();
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : tasks.toList()) {
        try {
          String stat = Files.readString(t.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+$", "#");
          out.put(t.getFileName() + " " + name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0);
        } catch (Exception gone) {
          // the thread ended
        }
      }
    }
    return out;
  }

  /** A full GC of the service ({@code jcmd GC.run}), so "before" and "after" show what is retained. */
  static void gc(long pid) throws Exception {
    new ProcessBuilder(System.getProperty("java.home") + "/bin/jcmd", String.valueOf(pid), "GC.run")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
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
    List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java"));
    String opts = System.getenv("SERVICE_JAVA_OPTS"); // e.g. a flight recording of the service
    if (opts != null && !opts.isBlank()) {
      cmd.addAll(List.of(opts.trim().split("\\s+")));
    }
    cmd.addAll(List.of("-jar", "target/alphora-sandbox.jar"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
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
