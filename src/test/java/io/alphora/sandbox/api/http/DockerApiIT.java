package io.alphora.sandbox.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.backend.docker.DockerTestSupport;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Docker sandboxes over REST: created with {@code backend: docker}, run, deleted; /ready shows the daemon. */
class DockerApiIT extends RestTestBase {
  static JsonObject serviceConfig() {
    DockerTestSupport.docker();
    return new JsonObject().put("docker", new JsonObject().put("image", DockerTestSupport.IMAGE).put("pool_size", 1));
  }

  /** Hides the base class's: checks for leaks once the service (and its warm pool) is down. */
  @AfterAll
  static void stopService() throws Exception {
    java.nio.file.Path dir = base;
    RestTestBase.stopService();
    assertThat(DockerTestSupport.removeAll(dir)).as("containers left behind").isZero();
  }

  @Test
  void createRunDelete() {
    Res created = post("/v1/sandboxes", new JsonObject().put("backend", "docker").put("name", "d1"));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    JsonObject info = created.json();
    assertThat(info.getString("backend_type")).isEqualTo("docker");
    assertThat(info.getString("status")).isEqualTo("running");
    assertThat(info.getString("image")).isEqualTo(DockerTestSupport.IMAGE);
    String id = info.getString("sandbox_id");
    JsonObject r = exec(id, new JsonObject().put("language", "python").put("code", "import os; print(os.getuid())"));
    assertThat(r.getString("stdout")).isEqualTo("65534\n");
    JsonObject sh = exec(id, new JsonObject().put("language", "shell").put("command", "echo $HOME; pwd"));
    assertThat(sh.getString("stdout")).isEqualTo("/workspace\n/workspace\n");
    assertThat(DockerTestSupport.containersOf(base)).anySatisfy(c -> assertThat(c.getNames()[0]).endsWith(id));
    assertThat(delete("/v1/sandboxes/" + id).status()).isEqualTo(204);
    assertThat(DockerTestSupport.containersOf(base)).noneSatisfy(c -> assertThat(c.getNames()[0]).endsWith(id));
    expectError(get("/v1/sandboxes/" + id), 404, "sandbox_not_found");
  }

  @Test
  void aMissingImageSaysHowToGetOne() {
    Res r = post("/v1/sandboxes", new JsonObject().put("backend", "docker").put("image", "alphora-no-such-image:0"));
    String message = expectError(r, 502, "docker_error");
    assertThat(message).contains("alphora-no-such-image:0").contains("build-runtime-image");
  }

  @Test
  void readyReportsTheDaemon() {
    Res r = get("/ready");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getJsonObject("checks").getBoolean("docker_backend")).isTrue();
  }
}
