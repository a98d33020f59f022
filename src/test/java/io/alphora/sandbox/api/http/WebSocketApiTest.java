package io.alphora.sandbox.api.http;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.TestSupport;
import io.alphora.sandbox.app.Main;
import io.alphora.sandbox.config.SandboxConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/sandboxes/{id}/ws}: many runs per socket, live output, stdin, cancel, ping, keepalive,
 * idle and the close codes, auth and tenants, and a slow client. A second HTTP listener with short
 * timers and small limits (deployed next to the service's own) serves the sockets.
 */
class WebSocketApiTest extends RestTestBase {
  static final String KEY_A = "ws-key-alpha-0123456789";
  static final String KEY_B = "ws-key-beta-9876543210";
  static int wsPort;

  static JsonObject serviceConfig() {
    return new JsonObject().put("auth", new JsonObject()
        .put("api_keys", new JsonObject().put(KEY_A, "tenant-a").put(KEY_B, "tenant-b"))
        .put("tenant_max_concurrent_runs", 4));
  }

  @BeforeAll
  static void tunedListener() throws Exception {
    SandboxConfig config = TestSupport.config(base, serviceConfig());
    JsonObject c = Main.httpConfig(config).put("port", 0).put("keepalive_ms", 300).put("ws_idle_ms", 2000)
        .put("ws_max_runs", 3).put("ws_max_frame_bytes", 65536).put("stream_queue_bytes", 262144);
    HttpVerticle http = new HttpVerticle(service.node().metrics(), ApiKeys.load(config.auth()), service.node().storage());
    await(vertx.deployVerticle(http, new DeploymentOptions().setConfig(c)));
    wsPort = http.actualPort();
  }

  @AfterEach
  void cleanUp() {
    for (String k : new String[] {KEY_A, KEY_B}) {
      apiKey = k;
      post("/v1/manager/destroy-all", null);
    }
    apiKey = null;
  }

  static String sandbox(String key, JsonObject body) {
    apiKey = key;
    String id = create(body);
    apiKey = null;
    return id;
  }

  static WsTestClient open(String id, String key) {
    return WsTestClient.open(vertx, wsPort, "/v1/sandboxes/" + id + "/ws", key);
  }

  @Test
  void manyConcurrentRunsOnOneSocketEachInOrderWithLiveOutput() {
    String id = sandbox(KEY_A, new JsonObject());
    try (WsTestClient ws = open(id, KEY_A)) {
      for (int i = 1; i <= 3; i++) {
        ws.send(WsTestClient.exec("r" + i, "import time\nfor k in range(3):\n    print('run" + i + "', k, flush=True)\n"
            + "    time.sleep(0.2)"));
      }
      ws.send(new JsonObject().put("type", "ping"));
      List<JsonObject> all = new ArrayList<>();
      int exits = 0;
      while (exits < 3) {
        JsonObject f = ws.next(30);
        all.add(f);
        if ("exit".equals(f.getString("type"))) {
          exits++;
        }
      }
      assertThat(all).anyMatch(f -> "pong".equals(f.getString("type")));
      Map<String, List<JsonObject>> byRun = all.stream().filter(f -> f.getString("exec_id") != null)
          .collect(Collectors.groupingBy(f -> f.getString("exec_id")));
      assertThat(byRun).hasSize(3);
      Map<String, String> requestOf = new HashMap<>();
      byRun.forEach((exec, run) -> {
        String out = WsTestClient.checkRun(run);
        String rid = run.get(0).getString("request_id");
        requestOf.put(rid, exec);
        String n = rid.substring(1);
        assertThat(out).isEqualTo("run" + n + " 0\nrun" + n + " 1\nrun" + n + " 2\n");
        JsonObject result = run.get(run.size() - 1).getJsonObject("result");
        assertThat(result.getString("status")).isEqualTo("success");
        assertThat(result.getString("stdout")).isEqualTo(out);
        assertThat(result.getString("exec_id")).isEqualTo(exec);
      });
      assertThat(requestOf).containsOnlyKeys("r1", "r2", "r3");
      // the runs overlapped: each run's first output came before another run's exit
      assertThat(all.indexOf(all.stream().filter(f -> "exit".equals(f.getString("type"))).findFirst().orElseThrow()))
          .isGreaterThan(all.indexOf(all.stream().filter(f -> "stdout".equals(f.getString("type"))
              && f.getString("data").startsWith("run3")).findFirst().orElseThrow()));
    }
  }

  @Test
  void outputArrivesWhileTheRunIsStillGoing() {
    String id = sandbox(KEY_A, new JsonObject());
    try (WsTestClient ws = open(id, KEY_A)) {
      ws.send(WsTestClient.exec("r", "import time\nprint('first', flush=True)\ntime.sleep(1.5)\nprint('second')"));
      List<WsTestClient.Frame> frames = ws.until(WsTestClient.exitOf(null), 30);
      WsTestClient.Frame first = frames.stream().filter(f -> f.json().getString("data", "").contains("first"))
          .findFirst().orElseThrow();
      WsTestClient.Frame exit = frames.get(frames.size() - 1);
      assertThat((exit.nanos() - first.nanos()) / 1e9).as("'first' came long before the exit").isGreaterThan(1.0);
    }
  }

  @Test
  void stdinFramesAnswerInputAndCancelEndsARun() {
    String id = sandbox(KEY_A, new JsonObject());
    try (WsTestClient ws = open(id, KEY_A)) {
      ws.send(WsTestClient.exec("ask", "name = input('name? ')\nprint('hello', name)").put("exec_id", "exe_wsstdin0001"));
      ws.until(f -> f.getString("data", "").contains("name? "), 30);
      ws.send(new JsonObject().put("type", "stdin").put("exec_id", "exe_wsstdin0001").put("data", "world\n"));
      JsonObject exit = lastOf(ws, null);
      assertThat(exit.getString("exec_id")).isEqualTo("exe_wsstdin0001");
      assertThat(exit.getJsonObject("result").getString("stdout")).isEqualTo("name? hello world\n");

      ws.send(WsTestClient.exec("long", "import time\ntime.sleep(60)").put("exec_id", "exe_wscancel0001"));
      ws.until(f -> "start".equals(f.getString("type")), 30);
      ws.send(new JsonObject().put("type", "cancel").put("exec_id", "exe_wscancel0001"));
      JsonObject end = lastOf(ws, null);
      assertThat(end.getJsonObject("result").getString("status")).isEqualTo("cancelled");
      assertThat(end.getJsonObject("result").getString("error_type")).isEqualTo("Cancelled");

      ws.send(new JsonObject().put("type", "stdin").put("exec_id", "exe_nosuchrun0001").put("data", "x"));
      JsonObject err = ws.next(10);
      assertThat(err.getString("type")).isEqualTo("error");
      assertThat(err.getJsonObject("error").getString("code")).isEqualTo("execution_not_found");
      ws.send(new JsonObject().put("type", "bogus"));
      assertThat(ws.next(10).getJsonObject("error").getString("code")).isEqualTo("invalid_request");
      ws.ws.writeTextMessage("not json");
      assertThat(ws.next(10).getJsonObject("error").getString("code")).isEqualTo("invalid_request");
    }
  }

  @Test
  void stdinFramesSentRightBehindTheExecArriveAllAndInOrder() {
    String id = sandbox(KEY_A, new JsonObject());
    try (WsTestClient ws = open(id, KEY_A)) {
      for (int round = 0; round < 5; round++) {
        String exec = "exe_wsearly" + String.format("%05d", round);
        // no wait for `start`: the frames follow the exec frame at once
        ws.send(WsTestClient.exec("early", "import sys\nprint(repr(sys.stdin.read()))").put("exec_id", exec));
        for (int i = 0; i < 20; i++) {
          ws.send(new JsonObject().put("type", "stdin").put("exec_id", exec).put("data", i + ","));
        }
        ws.send(new JsonObject().put("type", "stdin").put("exec_id", exec).put("data", "end").put("eof", true));
        JsonObject exit = lastOf(ws, null);
        assertThat(exit.getString("exec_id")).isEqualTo(exec);
        assertThat(exit.getJsonObject("result").getString("stdout"))
            .isEqualTo("'0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,end'\n");
      }
    }
  }

  /** The exit frame: {@code seen} if it already is one, else the next exit frame. */
  private static JsonObject lastOf(WsTestClient ws, JsonObject seen) {
    if (seen != null && "exit".equals(seen.getString("type"))) {
      return seen;
    }
    List<WsTestClient.Frame> f = ws.until(WsTestClient.exitOf(null), 30);
    return f.get(f.size() - 1).json();
  }

  @Test
  void keepaliveFramesThenAnIdleSocketIsClosedWith4408() {
    String id = sandbox(KEY_A, new JsonObject());
    try (WsTestClient ws = open(id, KEY_A)) {
      assertThat(ws.next(5).getString("type")).isEqualTo("keepalive");
      ws.send(new JsonObject().put("type", "ping"));
      assertThat(ws.until(f -> "pong".equals(f.getString("type")), 5)).isNotEmpty();
      assertThat(ws.awaitClose(10)).isEqualTo((short) 4408);
    }
  }

  @Test
  void authByHeaderOrTokenAndOtherTenantsSandboxLooksMissing() {
    String a = sandbox(KEY_A, new JsonObject());
    try (WsTestClient none = open(a, null)) {
      assertThat(none.next(10).getJsonObject("error").getString("code")).isEqualTo("unauthorized");
      assertThat(none.awaitClose(10)).isEqualTo((short) 4401);
    }
    try (WsTestClient wrong = WsTestClient.open(vertx, wsPort, "/v1/sandboxes/" + a + "/ws?token=nope", null)) {
      assertThat(wrong.awaitClose(10)).isEqualTo((short) 4401);
    }
    try (WsTestClient other = open(a, KEY_B)) {
      assertThat(other.next(10).getJsonObject("error").getString("code")).isEqualTo("sandbox_not_found");
      assertThat(other.awaitClose(10)).isEqualTo((short) 4404);
    }
    try (WsTestClient missing = open("sbx_doesnotexist000000000", KEY_A)) {
      assertThat(missing.awaitClose(10)).isEqualTo((short) 4404);
    }
    try (WsTestClient token = WsTestClient.open(vertx, wsPort, "/v1/sandboxes/" + a + "/ws?token=" + KEY_A, null)) {
      token.send(WsTestClient.exec("t", "print(40+2)"));
      List<WsTestClient.Frame> f = token.until(WsTestClient.exitOf(null), 30);
      assertThat(f.get(f.size() - 1).json().getJsonObject("result").getString("stdout")).isEqualTo("42\n");
    }
    // a plain GET (no upgrade) is not a socket
    apiKey = KEY_A;
    expectError(get("/v1/sandboxes/" + a + "/ws"), 400, "invalid_request");
    apiKey = null;
    // a sandbox destroyed under an open socket: its next run is refused and the socket closes with 4404
    try (WsTestClient ws = open(a, KEY_A)) {
      apiKey = KEY_A;
      assertThat(delete("/v1/sandboxes/" + a).status()).isEqualTo(204);
      apiKey = null;
      ws.send(WsTestClient.exec("late", "print(1)"));
      assertThat(ws.awaitClose(10)).isEqualTo((short) 4404);
    }
  }

  @Test
  void tooManyRunsCloses4429AndTooLargeFrameCloses4413AndTenantQuotaApplies() {
    String id = sandbox(KEY_A, new JsonObject());
    try (WsTestClient ws = open(id, KEY_A)) {
      for (int i = 0; i < 4; i++) {
        ws.send(WsTestClient.exec("s" + i, "import time\ntime.sleep(20)"));
      }
      assertThat(ws.until(f -> "error".equals(f.getString("type")), 10).stream()
          .filter(f -> "error".equals(f.json().getString("type"))).findFirst().orElseThrow().json()
          .getJsonObject("error").getString("code")).isEqualTo("rate_limited");
      assertThat(ws.awaitClose(10)).isEqualTo((short) 4429);
    }
    try (WsTestClient ws = open(id, KEY_A)) {
      ws.ws.writeTextMessage(WsTestClient.exec("big", "x = '" + "a".repeat(70_000) + "'").encode());
      assertThat(ws.awaitClose(10)).isEqualTo((short) 4413);
    }
    // the three runs of the closed socket still count for tenant-a (auth.tenant_max_concurrent_runs = 4)
    try (WsTestClient ws = open(id, KEY_A)) {
      ws.send(WsTestClient.exec("q1", "import time\ntime.sleep(20)"));
      ws.until(f -> "start".equals(f.getString("type")), 10);
      ws.send(WsTestClient.exec("q2", "print(1)"));
      JsonObject err = ws.until(f -> "error".equals(f.getString("type")), 10).stream()
          .filter(f -> "error".equals(f.json().getString("type"))).findFirst().orElseThrow().json();
      assertThat(err.getString("request_id")).isEqualTo("q2");
      assertThat(err.getJsonObject("error").getString("code")).isEqualTo("rate_limited");
    }
  }

  @Test
  void aSlowClientGetsAnErrorFrameAndClose4413WhileTheRunGoesOn() throws Exception {
    String id = sandbox(KEY_A, new JsonObject().put("resource_limits", new JsonObject().put("max_output_size", 64 << 20)));
    try (WsTestClient ws = open(id, KEY_A)) {
      ws.ws.pause(); // stop reading: the server's queue for this socket fills up
      ws.send(WsTestClient.exec("flood", "import sys\nline = 'x' * 1023 + '\\n'\nfor i in range(40000):\n"
          + "    sys.stdout.write(line)\nprint('done')").put("exec_id", "exe_wsflood0001"));
      apiKey = KEY_A;
      JsonObject result = null;
      for (int i = 0; i < 300 && (result == null || "running".equals(result.getString("status"))); i++) {
        Thread.sleep(100);
        Res r = get("/v1/sandboxes/" + id + "/executions/exe_wsflood0001");
        result = r.status() == 200 ? r.json() : null;
      }
      apiKey = null;
      assertThat(result).isNotNull();
      assertThat(result.getString("status")).as("the run went on to the end").isEqualTo("success");
      ws.ws.resume();
      List<WsTestClient.Frame> frames = ws.until(f -> "error".equals(f.getString("type")), 30);
      JsonObject err = frames.get(frames.size() - 1).json();
      assertThat(err.getJsonObject("error").getString("code")).isEqualTo("payload_too_large");
      assertThat(frames.stream().noneMatch(f -> "exit".equals(f.json().getString("type"))))
          .as("the events beyond the queue were dropped, not buffered").isTrue();
      assertThat(ws.awaitClose(10)).isEqualTo((short) 4413);
    }
  }

  @Test
  void theSocketForwardsExactlyWhatIsPublishedOnTheRunsBusAddress() {
    String id = sandbox(KEY_A, new JsonObject());
    String exec = "exe_wsbusmirror01";
    List<JsonObject> onBus = new java.util.concurrent.CopyOnWriteArrayList<>();
    // a plain Vert.x consumer, as any application on the (clustered) bus would register it
    var consumer = vertx.eventBus().<JsonObject>consumer("alphora.sandbox." + id + ".exec." + exec, m -> onBus.add(m.body()));
    await(consumer.completion());
    try (WsTestClient ws = open(id, KEY_A)) {
      ws.send(WsTestClient.exec("m", "import sys\nprint('out')\nprint('err', file=sys.stderr)\nprint('more')")
          .put("exec_id", exec));
      List<JsonObject> frames = ws.until(WsTestClient.exitOf(exec), 30).stream().map(WsTestClient.Frame::json).toList();
      WsTestClient.checkRun(frames);
      assertThat(frames.stream().map(JsonObject::encode).toList())
          .isEqualTo(onBus.stream().map(JsonObject::encode).toList());
    } finally {
      consumer.unregister();
    }
  }

  @Test
  void streamedRunsAreAuditedForTheirTenant() {
    String id = sandbox(KEY_A, new JsonObject());
    List<JsonObject> audit = new java.util.concurrent.CopyOnWriteArrayList<>();
    var consumer = vertx.eventBus().<JsonObject>consumer(io.alphora.sandbox.bus.Addresses.defaults().audit(),
        m -> audit.add(m.body()));
    await(consumer.completion());
    try (WsTestClient ws = open(id, KEY_A)) {
      ws.send(WsTestClient.exec("a", "print(input())").put("exec_id", "exe_wsaudit00001"));
      ws.until(f -> "start".equals(f.getString("type")), 30);
      ws.send(new JsonObject().put("type", "stdin").put("exec_id", "exe_wsaudit00001").put("data", "x\n").put("eof", true));
      ws.until(WsTestClient.exitOf("exe_wsaudit00001"), 30);
      for (int i = 0; i < 50 && audit.stream().noneMatch(e -> "stdin".equals(e.getString("action"))); i++) {
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    } finally {
      consumer.unregister();
    }
    assertThat(audit).anySatisfy(e -> {
      assertThat(e.getString("action")).isEqualTo("exec");
      assertThat(e.getString("sandbox_id")).isEqualTo(id);
      assertThat(e.getString("tenant")).isEqualTo("tenant-a");
    });
    assertThat(audit).anySatisfy(e -> assertThat(e.getString("action")).isEqualTo("stdin"));
  }
}
