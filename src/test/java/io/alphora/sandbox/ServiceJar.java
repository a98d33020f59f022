package io.alphora.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged service as a process of its own ({@code java -jar target/alphora-sandbox.jar}, the
 * README's command) for the tests that need a real one: started on a base path and a free port, its
 * output kept line by line (and in a file if asked), called over HTTP, stopped with SIGTERM.
 */
public final class ServiceJar {
  public static final Path JAR = Path.of("target/alphora-sandbox.jar");
  private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final String name;
  private final Process process;
  /** Every line the service printed so far, oldest first (what {@link #awaitListening} read is gone). */
  public final LinkedBlockingQueue<String> log = new LinkedBlockingQueue<>();
  private volatile int port;

  private ServiceJar(String name, Process process) {
    this.name = name;
    this.process = process;
  }

  /** What to start: environment ({@code SANDBOX_BASE_PATH} and {@code SANDBOX_HTTP_PORT=0} are set), JVM flags, arguments. */
  public static final class Spec {
    private final String name;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> jvm = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private Path logFile;

    private Spec(String name, Path base) {
      this.name = name;
      env.put("SANDBOX_BASE_PATH", base.toString());
      env.put("SANDBOX_HTTP_PORT", "0");
    }

    public Spec env(String key, String value) {
      env.put(key, value);
      return this;
    }

    public Spec env(Map<String, String> more) {
      env.putAll(more);
      return this;
    }

    public Spec jvm(String flag) {
      jvm.add(flag);
      return this;
    }

    public Spec arg(String arg) {
      args.add(arg);
      return this;
    }

    /** Also writes the output to this file, for reading after a failure. */
    public Spec logTo(Path file) {
      logFile = file;
      return this;
    }

    /** Starts the process (does not wait for it to listen). */
    public ServiceJar start() throws IOException {
      assertThat(JAR).as("run 'mvn package' first: the jar is built before integration tests").exists();
      List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java"));
      cmd.addAll(jvm);
      cmd.addAll(List.of("-jar", JAR.toString()));
      cmd.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().putAll(env);
      ServiceJar s = new ServiceJar(name, pb.start());
      s.readOutput(logFile);
      return s;
    }

    /** Starts the process and waits until it listens. */
    public ServiceJar startAndAwait() throws Exception {
      return start().awaitListening(Duration.ofSeconds(120));
    }
  }

  public static Spec on(Path base) { return new Spec("service", base); }

  public static Spec named(String name, Path base) { return new Spec(name, base); }

  private void readOutput(Path logFile) {
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
          Writer w = logFile == null ? Writer.nullWriter() : Files.newBufferedWriter(logFile, StandardCharsets.UTF_8)) {
        String line;
        while ((line = r.readLine()) != null) {
          log.add(line);
          w.write(line + "\n");
          w.flush();
        }
      } catch (Exception ignored) {
        // the process is gone
      }
    }, "service-output-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /** Waits for the "listening on" line and takes the port from it; fails if the service exits first. */
  public ServiceJar awaitListening(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String line = log.poll(1, TimeUnit.SECONDS);
      if (line != null) {
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
          return this;
        }
      }
      assertThat(process.isAlive()).as(name + " exited during start-up").isTrue();
    }
    throw new AssertionError(name + " did not log 'listening on' within " + timeout.toSeconds() + " s");
  }

  public Process process() { return process; }

  public int port() { return port; }

  /** A request; {@code body} is null, a JsonObject (sent as JSON) or a String (sent as it is, no content type). */
  public HttpResponse<String> call(String method, String path, Object body, Duration timeout) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(timeout);
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else if (body instanceof JsonObject j) {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(j.encode()));
    } else {
      b.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> call(String method, String path, Object body) throws Exception {
    return call(method, path, body, Duration.ofSeconds(120));
  }

  /** A request that must answer {@code expected}; its JSON body (empty for none). */
  public JsonObject json(String method, String path, Object body, int expected) throws Exception {
    HttpResponse<String> r = call(method, path, body);
    assertThat(r.statusCode()).as(name + ": " + method + " " + path + ": " + r.body()).isEqualTo(expected);
    return r.body().isEmpty() ? new JsonObject() : new JsonObject(r.body());
  }

  /** SIGTERM (the service drains and unmounts its workspace volumes), then SIGKILL after {@code grace}. */
  public void stop(Duration grace) throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Unmounts what a service killed with -9 left mounted below {@code base} (its workspace volumes). */
  public static void unmountUnder(Path base) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String point = line.split(" ")[4];
      if (point.startsWith(base.toString() + "/")) {
        new ProcessBuilder("umount", "-l", point).inheritIO().start().waitFor();
      }
    }
  }
}
