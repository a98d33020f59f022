package io.alphora.sandbox.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** API keys and tenants: every /v1 call is authorised and a tenant sees only its own sandboxes. */
class AuthApiTest extends RestTestBase {
  static final String KEY_A = "key-alpha-0123456789";
  static final String KEY_B = "key-beta-9876543210";
  static final String KEY_FILE = "key-from-file-42";

  static JsonObject serviceConfig() throws Exception {
    Path file = Files.createTempFile("alphora-keys-", ".txt");
    Files.writeString(file, "# keys\n" + KEY_FILE + ":tenant-c\n");
    return new JsonObject().put("auth", new JsonObject()
        .put("api_keys", new JsonObject().put(KEY_A, "tenant-a").put(KEY_B, "tenant-b"))
        .put("api_keys_file", file.toString())
        .put("tenant_max_sandboxes", 2).put("tenant_max_concurrent_runs", 1));
  }

  @AfterEach
  void cleanUp() {
    for (String k : new String[] {KEY_A, KEY_B, KEY_FILE}) {
      apiKey = k;
      post("/v1/manager/destroy-all", null);
    }
    apiKey = null;
  }

  @Test
  void keysAreRequiredOnTheApiButNotOnServiceEndpoints() {
    apiKey = null;
    Res none = get("/v1/sandboxes");
    expectError(none, 401, "unauthorized");
    assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer");
    expectError(get("/metrics"), 401, "unauthorized");
    expectError(post("/v1/sandboxes", new JsonObject()), 401, "unauthorized");
    apiKey = "wrong-key";
    assertThat(expectError(get("/v1/sandboxes"), 401, "unauthorized")).doesNotContain("wrong-key");
    assertThat(get("/health").status()).isEqualTo(200);
    assertThat(get("/openapi.yaml").status()).isEqualTo(200);
    assertThat(get("/ready").status()).isEqualTo(200);
    apiKey = KEY_FILE;
    assertThat(get("/v1/sandboxes").status()).as("keys from auth.api_keys_file work").isEqualTo(200);
    assertThat(get("/metrics").status()).isEqualTo(200);
    apiKey = null;
    assertThat(get("/v1/sandboxes?token=" + KEY_A).status()).as("?token= for browsers").isEqualTo(200);
  }

  @Test
  void anotherTenantsSandboxIsIndistinguishableFromAMissingOne() {
    apiKey = KEY_A;
    String id = create(new JsonObject().put("name", "mine"));
    assertThat(exec(id, new JsonObject().put("code", "print('a')")).getString("stdout")).isEqualTo("a\n");
    apiKey = KEY_B;
    String theirs = create(new JsonObject().put("name", "theirs"));
    Res missing = get("/v1/sandboxes/sbx_doesnotexist");
    Res foreign = get("/v1/sandboxes/" + id);
    expectError(foreign, 404, "sandbox_not_found");
    assertThat(foreign.json().getJsonObject("error").getString("message"))
        .isEqualTo(missing.json().getJsonObject("error").getString("message").replace("sbx_doesnotexist", id));
    expectError(post("/v1/sandboxes/" + id + "/executions", new JsonObject().put("code", "1")), 404,
        "sandbox_not_found");
    expectError(get("/v1/sandboxes/" + id + "/files"), 404, "sandbox_not_found");
    expectError(call("PUT", "/v1/sandboxes/" + id + "/files/x.txt", "x"), 404, "sandbox_not_found");
    expectError(delete("/v1/sandboxes/" + id), 404, "sandbox_not_found");
    JsonArray listB = get("/v1/sandboxes").json().getJsonArray("sandboxes");
    assertThat(listB).hasSize(1);
    assertThat(listB.getJsonObject(0).getString("sandbox_id")).isEqualTo(theirs);
    assertThat(get("/v1/manager/status").json().getJsonObject("sandboxes").fieldNames()).containsExactly(theirs);
    assertThat(post("/v1/manager/destroy-all", null).json().fieldNames()).containsExactly(theirs);
    apiKey = KEY_A;
    assertThat(get("/v1/sandboxes/" + id).status()).as("untouched by tenant b").isEqualTo(200);
  }

  @Test
  void storageIsPerTenant() {
    apiKey = KEY_A;
    assertThat(call("PUT", "/v1/storage/objects/shared/name.txt", "from a").status()).isEqualTo(200);
    String id = create(new JsonObject());
    call("PUT", "/v1/sandboxes/" + id + "/files/w.txt", "workspace of a");
    JsonObject snap = post("/v1/sandboxes/" + id + "/snapshots", new JsonObject().put("key", "snaps/a.tar.gz")).json();
    assertThat(snap.getString("key")).as("keys are shown as the tenant named them").isEqualTo("snaps/a.tar.gz");
    assertThat(get("/v1/storage/objects?recursive=true").json().getJsonArray("objects").stream()
        .map(o -> ((JsonObject) o).getString("key")).toList()).containsExactlyInAnyOrder("shared/name.txt",
        "snaps/a.tar.gz");

    apiKey = KEY_B;
    expectError(get("/v1/storage/objects/shared/name.txt"), 404, "object_not_found");
    assertThat(get("/v1/storage/objects?recursive=true").json().getJsonArray("objects")).isEmpty();
    expectError(post("/v1/sandboxes", new JsonObject().put("from_snapshot", "snaps/a.tar.gz")), 404,
        "object_not_found");
    expectError(delete("/v1/storage/objects/shared/name.txt"), 404, "object_not_found");
    assertThat(call("PUT", "/v1/storage/objects/shared/name.txt", "from b").status()).isEqualTo(200);
    assertThat(get("/v1/storage/objects/shared/name.txt").body()).isEqualTo("from b");

    apiKey = KEY_A;
    assertThat(get("/v1/storage/objects/shared/name.txt").body()).as("b's write is another object").isEqualTo("from a");
    String copy = create(new JsonObject().put("from_snapshot", "snaps/a.tar.gz"));
    assertThat(get("/v1/sandboxes/" + copy + "/files/w.txt").body()).isEqualTo("workspace of a");
  }

  @Test
  void perTenantQuotasAnswer429() throws Exception {
    apiKey = KEY_A;
    String first = create(new JsonObject());
    create(new JsonObject());
    expectError(post("/v1/sandboxes", new JsonObject()), 429, "sandbox_limit_reached");
    apiKey = KEY_B;
    assertThat(post("/v1/sandboxes", new JsonObject()).status()).as("other tenants unaffected").isEqualTo(201);

    apiKey = KEY_A;
    CompletableFuture<Res> slow = CompletableFuture.supplyAsync(() -> post("/v1/sandboxes/" + first + "/executions",
        new JsonObject().put("code", "import time; time.sleep(1.5)")));
    Thread.sleep(500);
    expectError(post("/v1/sandboxes/" + first + "/executions", new JsonObject().put("code", "print(1)")), 429,
        "rate_limited");
    assertThat(slow.get().status()).isEqualTo(200);
    assertThat(post("/v1/sandboxes/" + first + "/executions", new JsonObject().put("code", "print(1)")).status())
        .as("allowed again once the run finished").isEqualTo(200);
  }
}
