package io.alphora.sandbox.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Sandboxes, executions, env vars, manager and service endpoints through HTTP. */
class SandboxesApiTest extends RestTestBase {

  @Test
  void serviceEndpoints() {
    assertThat(get("/health").json().getString("status")).isEqualTo("ok");
    Res ready = get("/ready");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().getJsonObject("checks").getBoolean("manager")).isTrue();
    Res api = get("/openapi.yaml");
    assertThat(api.status()).isEqualTo(200);
    assertThat(api.body()).startsWith("openapi: 3");
    String id = create(new JsonObject());
    exec(id, new JsonObject().put("code", "print(1)"));
    Res metrics = get("/metrics");
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.body()).contains("alphora_executions_total{status=\"success\"}")
        .contains("alphora_sandboxes{status=\"running\"}").contains("alphora_http_requests_total")
        .contains("jvm_memory_used_bytes");
    delete("/v1/sandboxes/" + id);
    expectError(get("/v1/nope"), 404, "not_found");
    expectError(call("PATCH", "/v1/sandboxes", "{}"), 405, "method_not_allowed");
  }

  @Test
  void createGetListDestroy() {
    Res r = post("/v1/sandboxes", new JsonObject().put("name", "alpha").put("metadata", new JsonObject().put("k", "v"))
        .put("resource_limits", "minimal").put("security_policy", new JsonObject().put("allow_shell", false)));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    JsonObject info = r.json();
    String id = info.getString("sandbox_id");
    assertThat(id).matches("sbx_[A-Za-z0-9]{24}");
    assertThat(info.getString("status")).isEqualTo("running");
    assertThat(info.getString("backend_type")).isEqualTo("local");
    assertThat(info.getString("created_at")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(info.getJsonObject("resource_limits").getInteger("memory_mb")).isEqualTo(128);
    assertThat(info.getJsonObject("security_policy").getBoolean("allow_shell")).isFalse();
    assertThat(info.getJsonObject("security_policy").getBoolean("audit_enabled")).isTrue();
    assertThat(info.getJsonObject("metadata").getString("k")).isEqualTo("v");
    for (String f : new String[] {"name", "image", "workspace_path", "started_at", "stopped_at", "last_activity_at",
        "execution_count", "file_count", "total_size_mb", "node_id"}) {
      assertThat(info.containsKey(f)).as(f).isTrue();
    }
    assertThat(get("/v1/sandboxes/" + id).json().getString("name")).isEqualTo("alpha");
    JsonArray all = get("/v1/sandboxes?name=alpha").json().getJsonArray("sandboxes");
    assertThat(all).hasSize(1);
    assertThat(get("/v1/sandboxes?status=stopped&name=alpha").json().getJsonArray("sandboxes")).isEmpty();
    assertThat(get("/v1/sandboxes?backend=local&name=alpha").json().getJsonArray("sandboxes")).hasSize(1);
    expectError(get("/v1/sandboxes?status=bogus"), 400, "invalid_request");
    assertThat(delete("/v1/sandboxes/" + id).status()).isEqualTo(204);
    expectError(get("/v1/sandboxes/" + id), 404, "sandbox_not_found");
    expectError(delete("/v1/sandboxes/" + id), 404, "sandbox_not_found");
  }

  @Test
  void badCreateRequests() {
    assertThat(expectError(call("POST", "/v1/sandboxes", "{not json"), 400, "invalid_request")).contains("JSON");
    expectError(call("POST", "/v1/sandboxes", "[1,2]"), 400, "invalid_request");
    assertThat(expectError(post("/v1/sandboxes", new JsonObject().put("nmae", "x")), 400, "invalid_request"))
        .contains("nmae");
    assertThat(expectError(post("/v1/sandboxes", new JsonObject().put("resource_limits",
        new JsonObject().put("memory_mb", -1))), 400, "invalid_request")).contains("memory_mb");
    assertThat(expectError(post("/v1/sandboxes", new JsonObject().put("resource_limits", "huge")), 400,
        "invalid_request")).contains("huge");
    expectError(post("/v1/sandboxes", new JsonObject().put("backend", "k8s")), 400, "invalid_request");
    // node_id: without a cluster only this node's own id is a place
    assertThat(expectError(post("/v1/sandboxes", new JsonObject().put("node_id", "elsewhere")), 400,
        "invalid_request")).contains("elsewhere", "not part of a cluster");
    // node_labels: this node carries none, so a labelled create has nowhere to go
    assertThat(expectError(post("/v1/sandboxes", new JsonObject().put("node_labels", new JsonArray().add("gpu"))),
        503, "backend_unavailable")).contains("no node carries the label 'gpu'", "SANDBOX_NODE_LABELS");
    expectError(post("/v1/sandboxes", new JsonObject().put("node_labels", "gpu")), 400, "invalid_request");
    expectError(post("/v1/sandboxes", new JsonObject().put("sandbox_id", "../../etc")), 400, "invalid_request");
    expectError(post("/v1/sandboxes", new JsonObject().put("env", new JsonObject().put("1BAD", "x"))), 400,
        "invalid_request");
    String id = create(new JsonObject().put("sandbox_id", "fixed-id-1").put("auto_start", false));
    assertThat(get("/v1/sandboxes/" + id).json().getString("status")).isEqualTo("created");
    expectError(post("/v1/sandboxes", new JsonObject().put("sandbox_id", "fixed-id-1")), 409, "sandbox_already_exists");
    String big = "{\"name\":\"" + "x".repeat(11 * 1024 * 1024) + "\"}";
    expectError(call("POST", "/v1/sandboxes", big), 413, "payload_too_large");
    String form = "{\"name\":\"" + "x".repeat(100_000) + "\"}";
    expectError(send("POST", "/v1/sandboxes", java.net.http.HttpRequest.BodyPublishers.ofString(form),
        "application/x-www-form-urlencoded"), 413, "payload_too_large");
    delete("/v1/sandboxes/" + id);
  }

  @Test
  void executions() throws Exception {
    String id = create(new JsonObject());
    JsonObject r = exec(id, new JsonObject().put("language", "python").put("code", "print(1+1)"));
    assertThat(r.getString("stdout")).isEqualTo("2\n");
    assertThat(r.getBoolean("success")).isTrue();
    assertThat(r.getString("status")).isEqualTo("success");
    assertThat(r.fieldNames()).contains("exec_id", "stderr", "return_code", "execution_time", "error", "error_type",
        "truncated", "memory_used_mb", "cpu_time");
    JsonObject sh = exec(id, new JsonObject().put("language", "shell").put("command", "echo hi; exit 4"));
    assertThat(sh.getInteger("return_code")).isEqualTo(4);
    assertThat(sh.getString("status")).isEqualTo("failed");
    JsonObject t = exec(id, new JsonObject().put("code", "import time; print('a', flush=True); time.sleep(10)")
        .put("timeout", 1));
    assertThat(t.getString("status")).isEqualTo("timeout");
    assertThat(t.getString("stdout")).isEqualTo("a\n");
    assertThat(t.getInteger("return_code")).isEqualTo(-1);
    JsonObject withEnv = exec(id, new JsonObject().put("language", "shell").put("command", "echo $A")
        .put("env", new JsonObject().put("A", "x")).put("stdin", "ignored"));
    assertThat(withEnv.getString("stdout")).isEqualTo("x\n");
    assertThat(exec(id, new JsonObject().put("code", "print(input())").put("stdin", "fed\n")).getString("stdout"))
        .isEqualTo("fed\n");

    expectError(post("/v1/sandboxes/" + id + "/executions", new JsonObject().put("language", "python")), 400,
        "invalid_request");
    expectError(post("/v1/sandboxes/" + id + "/executions", new JsonObject().put("code", "1").put("command", "ls")),
        400, "invalid_request");
    expectError(post("/v1/sandboxes/" + id + "/executions", new JsonObject().put("language", "ruby").put("code", "1")),
        400, "invalid_request");
    expectError(post("/v1/sandboxes/" + id + "/executions", new JsonObject().put("code", "1").put("timeout", 0)),
        400, "invalid_request");
    expectError(post("/v1/sandboxes/" + id + "/executions", new JsonObject().put("code", "1").put("bogus", 1)),
        400, "invalid_request");
    expectError(post("/v1/sandboxes/" + id + "/executions", new JsonObject().put("file", "missing.py")), 404,
        "file_not_found");
    expectError(post("/v1/sandboxes/" + id + "/executions", new JsonObject().put("code", "1").put("cwd", "../")),
        400, "path_traversal");
    expectError(post("/v1/sandboxes/sbx_missing/executions", new JsonObject().put("code", "1")), 404,
        "sandbox_not_found");

    // a run in flight: observed, then cancelled with its process tree
    String execId = "exe_inflight_" + System.nanoTime();
    CompletableFuture<Res> running = CompletableFuture.supplyAsync(() -> post("/v1/sandboxes/" + id + "/executions",
        new JsonObject().put("exec_id", execId).put("code", "import time\nprint('started', flush=True)\ntime.sleep(30)")));
    JsonObject status = null;
    for (int i = 0; i < 100; i++) {
      Res s = get("/v1/sandboxes/" + id + "/executions/" + execId);
      if (s.status() == 200 && s.json().getString("stdout").contains("started")) {
        status = s.json();
        break;
      }
      Thread.sleep(50);
    }
    assertThat(status).isNotNull();
    assertThat(status.getString("status")).isEqualTo("running");
    Res cancelled = delete("/v1/sandboxes/" + id + "/executions/" + execId);
    assertThat(cancelled.status()).isEqualTo(200);
    assertThat(cancelled.json().getString("status")).isEqualTo("cancelled");
    assertThat(cancelled.json().getString("error_type")).isEqualTo("Cancelled");
    assertThat(running.get().json().getString("status")).isEqualTo("cancelled");
    assertThat(get("/v1/sandboxes/" + id + "/executions/" + execId).json().getString("status")).isEqualTo("cancelled");
    expectError(get("/v1/sandboxes/" + id + "/executions/exe_unknown123"), 404, "execution_not_found");
    assertThat(get("/v1/sandboxes/" + id).json().getInteger("execution_count")).isGreaterThanOrEqualTo(6);
    delete("/v1/sandboxes/" + id);
  }

  @Test
  void shellDeniedByPolicy() {
    String id = create(new JsonObject().put("security_policy", "strict"));
    expectError(post("/v1/sandboxes/" + id + "/executions", new JsonObject().put("language", "shell")
        .put("command", "id")), 403, "shell_access_denied");
    delete("/v1/sandboxes/" + id);
  }

  @Test
  void lifecycle() {
    String id = create(new JsonObject());
    String s = "/v1/sandboxes/" + id;
    expectError(post(s + "/start", null), 409, "sandbox_already_running");
    assertThat(get(s + "/health").json().getBoolean("healthy")).isTrue();
    JsonObject usage = get(s + "/usage").json();
    assertThat(usage.fieldNames()).contains("memory_mb", "memory_limit_mb", "memory_percent", "cpu_percent",
        "cpu_time", "disk_used_mb", "disk_limit_mb", "disk_percent", "num_processes", "num_threads", "timestamp");
    assertThat(usage.getDouble("memory_mb")).as("the runner's memory, not the JVM's").isBetween(1.0, 100.0);
    put(s + "/env", new JsonObject().put("env", new JsonObject().put("KEEP", "1")));
    call("PUT", s + "/files/f.txt", "data");
    JsonObject stopped = post(s + "/stop", null).json();
    assertThat(stopped.getString("status")).isEqualTo("stopped");
    assertThat(stopped.getString("stopped_at")).isNotNull();
    expectError(post(s + "/executions", new JsonObject().put("code", "1")), 409, "sandbox_not_running");
    assertThat(get(s + "/health").json().getBoolean("healthy")).isFalse();
    assertThat(get(s + "/files/f.txt").body()).as("files work on a stopped sandbox").isEqualTo("data");
    assertThat(get(s + "/env/KEEP").json().getString("value")).isEqualTo("1");
    assertThat(post(s + "/start", null).json().getString("status")).isEqualTo("running");
    assertThat(exec(id, new JsonObject().put("language", "shell").put("command", "cat f.txt; echo $KEEP"))
        .getString("stdout")).isEqualTo("data1\n");
    assertThat(post(s + "/restart", null).json().getString("status")).isEqualTo("running");
    assertThat(post(s + "/keepalive", null).json().getString("last_activity_at")).isNotNull();
    JsonObject reset = post(s + "/reset", null).json();
    assertThat(reset.getString("status")).isEqualTo("running");
    expectError(get(s + "/files/f.txt"), 404, "file_not_found");
    assertThat(get(s + "/env").json().getJsonObject("env")).isEmpty();
    delete(s);
  }

  @Test
  void envVars() {
    String id = create(new JsonObject().put("env", new JsonObject().put("FROM_CREATE", "c")));
    String s = "/v1/sandboxes/" + id + "/env";
    assertThat(get(s).json().getJsonObject("env").getString("FROM_CREATE")).isEqualTo("c");
    JsonObject merged = put(s, new JsonObject().put("env", new JsonObject().put("A", "1").put("B", "2"))).json();
    assertThat(merged.getJsonObject("env").fieldNames()).containsExactlyInAnyOrder("FROM_CREATE", "A", "B");
    assertThat(get(s + "/A").json()).isEqualTo(new JsonObject().put("key", "A").put("value", "1"));
    assertThat(put(s + "/C", new JsonObject().put("value", "3")).json().getString("value")).isEqualTo("3");
    assertThat(exec(id, new JsonObject().put("language", "shell").put("command", "echo $A$B$C")).getString("stdout"))
        .isEqualTo("123\n");
    assertThat(delete(s + "/C").status()).isEqualTo(204);
    expectError(get(s + "/C"), 404, "env_not_found");
    expectError(delete(s + "/C"), 404, "env_not_found");
    expectError(get(s + "/HOME"), 404, "env_not_found");
    expectError(put(s + "/BAD-KEY", new JsonObject().put("value", "x")), 400, "invalid_request");
    expectError(put(s + "/K", new JsonObject().put("value", 5)), 400, "invalid_request");
    expectError(put(s, new JsonObject().put("env", new JsonObject().put("X", "a\u0000b"))), 400, "invalid_request");
    delete("/v1/sandboxes/" + id);
  }

  @Test
  void manager() {
    String a = create(new JsonObject().put("name", "m-a"));
    String b = create(new JsonObject().put("name", "m-b"));
    JsonObject status = get("/v1/manager/status").json();
    assertThat(status.getJsonObject("sandboxes").containsKey(a)).isTrue();
    assertThat(status.getInteger("max_sandboxes")).isPositive();
    JsonObject health = get("/v1/manager/health").json();
    assertThat(health.getBoolean(a)).isTrue();
    JsonObject usage = get("/v1/manager/usage").json();
    assertThat(usage.getJsonObject("sandboxes").containsKey(b)).isTrue();
    assertThat(usage.fieldNames()).contains("sandbox_count", "running_count", "total_memory_mb", "total_cpu_percent");
    post("/v1/sandboxes/" + a + "/stop", null);
    assertThat(post("/v1/manager/cleanup", new JsonObject().put("stopped", true)).json().getInteger("cleaned"))
        .isGreaterThanOrEqualTo(1);
    expectError(get("/v1/sandboxes/" + a), 404, "sandbox_not_found");
    expectError(post("/v1/manager/cleanup", new JsonObject().put("stoped", true)), 400, "invalid_request");
    expectError(post("/v1/manager/cleanup", new JsonObject().put("idle_seconds", "x")), 400, "invalid_request");
    JsonObject stopped = post("/v1/manager/stop-all", null).json();
    assertThat(stopped.getBoolean(b)).isTrue();
    assertThat(get("/v1/sandboxes/" + b).json().getString("status")).isEqualTo("stopped");
    JsonObject destroyed = post("/v1/manager/destroy-all", null).json();
    assertThat(destroyed.getBoolean(b)).isTrue();
    assertThat(get("/v1/sandboxes").json().getJsonArray("sandboxes")).isEmpty();
  }
}
