package io.alphora.sandbox.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.ServiceJar;
import io.alphora.sandbox.Wheels;
import io.alphora.sandbox.workspace.Workspace;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged service as a real process ({@code java -jar target/alphora-sandbox.jar}): sandboxes
 * outlive a {@code kill -9}, nothing of the old instance keeps running, and SIGTERM drains.
 */
class ServiceProcessIT {
  private Path base;
  private Path wheels;
  private ServiceJar service;
  private Process process;

  @BeforeEach
  void setUp() throws Exception {
    base = Files.createTempDirectory("alphora-it-");
    wheels = Files.createTempDirectory("alphora-it-wheels-");
    Wheels.build(wheels, "tinypkg", "1.0");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (service != null) {
      service.stop(Duration.ofSeconds(30));
    }
    ServiceJar.unmountUnder(base); // a service killed with -9 leaves its volumes mounted (the next instance adopts them)
    Workspace.deleteTree(base);
    Workspace.deleteTree(wheels);
  }

  private void startService() throws Exception {
    service = ServiceJar.on(base).env("SANDBOX_SHUTDOWN_TIMEOUT", "2").env("SANDBOX_PIP_INDEX_URL", "")
        .env("SANDBOX_PIP_FIND_LINKS", wheels.toString()).env("SANDBOX_TEST_SECRET", "must-not-leak").startAndAwait();
    process = service.process();
  }

  private HttpResponse<String> call(String method, String path, String body) throws Exception {
    return service.call(method, path, body);
  }

  private JsonObject json(String method, String path, JsonObject body, int expected) throws Exception {
    return service.json(method, path, body, expected);
  }

  /**
   * Processes of this service's sandboxes: those whose command line names the base path (isolation
   * none) or that sit in one of its sandboxes' cgroups (bubblewrap hides the base path).
   */
  private long processesUnder(Path dir) {
    String needle = dir.toString();
    long self = ProcessHandle.current().pid();
    java.util.Set<String> ids = new java.util.HashSet<>();
    try (var d = Files.list(dir.resolve("sandboxes"))) {
      d.forEach(p -> ids.add(p.getFileName().toString()));
    } catch (java.io.IOException none) {
      // no sandboxes yet
    }
    return ProcessHandle.allProcesses().filter(p -> p.pid() != self && p.pid() != process.pid())
        .filter(p -> p.info().arguments().map(a -> String.join(" ", a)).orElse("").contains(needle)
            || inCgroupOf(p.pid(), ids)).count();
  }

  private static boolean inCgroupOf(long pid, java.util.Set<String> sandboxIds) {
    try {
      String cg = Files.readString(Path.of("/proc", String.valueOf(pid), "cgroup"));
      return sandboxIds.stream().anyMatch(cg::contains);
    } catch (java.io.IOException | RuntimeException gone) {
      return false;
    }
  }

  @Test
  void sandboxesSurviveKillDashNine() throws Exception {
    startService();
    String id = json("POST", "/v1/sandboxes", new JsonObject().put("name", "durable")
        .put("security_policy", "permissive"), 201).getString("sandbox_id");
    String s = "/v1/sandboxes/" + id;
    json("PUT", s + "/env", new JsonObject().put("env", new JsonObject().put("KEPT", "yes")), 200);
    assertThat(call("PUT", s + "/files/notes.txt", "persisted").statusCode()).isEqualTo(201);
    json("POST", s + "/packages", new JsonObject().put("packages", new JsonArray().add("tinypkg")), 200);
    JsonObject env = json("POST", s + "/executions", new JsonObject().put("language", "shell")
        .put("command", "echo \"[$SANDBOX_TEST_SECRET]\""), 200);
    assertThat(env.getString("stdout")).as("the service's environment never reaches a run").isEqualTo("[]\n");
    // a run that leaves a daemon behind in the background, to prove it dies with the service
    json("POST", s + "/executions", new JsonObject().put("background", true).put("code",
        "import subprocess\nsubprocess.Popen(['/bin/sh','-c','setsid sleep 300 &'])"), 200);
    assertThat(processesUnder(base)).isPositive();

    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (processesUnder(base) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(processesUnder(base)).as("runners die with the service").isZero();

    startService();
    JsonObject info = json("GET", s, null, 200);
    assertThat(info.getString("status")).isEqualTo("stopped");
    assertThat(info.getString("name")).isEqualTo("durable");
    assertThat(json("GET", "/v1/sandboxes", null, 200).getJsonArray("sandboxes")).hasSize(1);
    assertThat(json("POST", s + "/start", null, 200).getString("status")).isEqualTo("running");
    JsonObject r = json("POST", s + "/executions", new JsonObject().put("code",
        "import os, tinypkg\nprint(open('notes.txt').read(), os.environ['KEPT'], tinypkg.VALUE)"), 200);
    assertThat(r.getString("stdout")).isEqualTo("persisted yes 1.0\n");
  }

  @Test
  void anInvalidSettingStopsStartUpNamingTheKey() throws Exception {
    assertThat(failedStart(java.util.Map.of("SANDBOX_HTTP_PORT", "abc"))).contains("SANDBOX_HTTP_PORT").contains("abc");
    Path conf = base.resolve("bad.yaml");
    Files.writeString(conf, "resource_limits:\n  memory_mb: -5\n");
    assertThat(failedStart(java.util.Map.of(), "--conf", conf.toString())).contains("resource_limits.memory_mb");
    assertThat(failedStart(java.util.Map.of("SANDBOX_HTTP_HOST", "0.0.0.0", "SANDBOX_HTTP_PORT", "0")))
        .as("no keys: refuses a non-loopback address").contains("SANDBOX_API_KEYS").contains("0.0.0.0");
  }

  private CompletableFuture<HttpResponse<String>> runAsync(String sandboxPath, String code) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return call("POST", sandboxPath + "/executions", new JsonObject().put("code", code).encode());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** Starts the jar expecting it to fail: returns what it printed, after checking it exited with 1. */
  private String failedStart(java.util.Map<String, String> env, String... args) throws Exception {
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
        System.getProperty("java.home") + "/bin/java", "-jar", ServiceJar.JAR.toString()));
    cmd.addAll(java.util.List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("SANDBOX_BASE_PATH", base.toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isEqualTo(1);
    return out;
  }

  @Test
  void sigtermDrainsRunsAndExitsZero() throws Exception {
    startService();
    String id = json("POST", "/v1/sandboxes", new JsonObject(), 201).getString("sandbox_id");
    String s = "/v1/sandboxes/" + id;
    CompletableFuture<HttpResponse<String>> quick = runAsync(s, "import time\ntime.sleep(1)\nprint('finished in time')");
    CompletableFuture<HttpResponse<String>> slow = runAsync(s, "import time\nprint('started', flush=True)\ntime.sleep(60)");
    Thread.sleep(500);
    long t0 = System.nanoTime();
    new ProcessBuilder("kill", "-TERM", String.valueOf(process.pid())).start().waitFor();
    Thread.sleep(200);
    HttpResponse<String> refused = call("POST", s + "/executions", new JsonObject().put("code", "1").encode());
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
    assertThat(new JsonObject(quick.get(30, TimeUnit.SECONDS).body()).getString("stdout"))
        .isEqualTo("finished in time\n");
    JsonObject killed = new JsonObject(slow.get(30, TimeUnit.SECONDS).body());
    assertThat(killed.getString("status")).isEqualTo("cancelled");
    assertThat(killed.getString("stdout")).isEqualTo("started\n");
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isZero();
    assertThat((System.nanoTime() - t0) / 1e9).as("within shutdown_timeout plus a margin").isLessThan(15);
    assertThat(processesUnder(base)).isZero();
  }
}
