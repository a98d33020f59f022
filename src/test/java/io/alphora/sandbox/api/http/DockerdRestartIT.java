package io.alphora.sandbox.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.Container;
import io.alphora.sandbox.backend.docker.PrivateDockerd;
import io.alphora.sandbox.backend.docker.DockerTestSupport;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Docker sandboxes survive a restart of the Docker daemon. The daemon every test shares is never
 * touched: the service talks to a {@link PrivateDockerd} of this test, which is stopped and started
 * again under a running sandbox and a warm pool.
 */
class DockerdRestartIT extends RestTestBase {
  static PrivateDockerd dockerd;

  static JsonObject serviceConfig() throws Exception {
    dockerd = PrivateDockerd.startWithRuntimeImage();
    return new JsonObject().put("backend_type", "docker").put("docker", new JsonObject()
        .put("image", DockerTestSupport.IMAGE).put("pool_size", 1).put("docker_host", dockerd.unixHost()));
  }

  /** Hides the base class's: the service goes first, then its daemon, also when a test failed. */
  @AfterAll
  static void stopService() throws Exception {
    try {
      if (!dockerd.running()) {   // a test that failed while it was down: let the service clean up
        dockerd.start();
      }
      RestTestBase.stopService();
      List<Container> left = dockerd.client().listContainersCmd().withShowAll(true).exec();
      assertThat(left).as("containers left behind on the private daemon").isEmpty();
    } finally {
      dockerd.close();
    }
  }

  private static JsonObject info(String id) {
    Res r = get("/v1/sandboxes/" + id);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  private static JsonObject awaitStatus(String id, String status) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    JsonObject i = info(id);
    while (!status.equals(i.getString("status")) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      i = info(id);
    }
    assertThat(i.getString("status")).as(i.encode()).isEqualTo(status);
    return i;
  }

  @Test
  void sandboxesReportErrorWhileTheDaemonIsDownAndRecoverOnRestart() throws Exception {
    String id = create(new JsonObject());
    JsonObject w = exec(id, new JsonObject().put("language", "python").put("code", "open('kept.txt','w').write('kept')"));
    assertThat(w.getBoolean("success")).as(w.encode()).isTrue();

    dockerd.stop();

    JsonObject down = awaitStatus(id, "error");
    assertThat(down.getString("status_message")).as("says what happened and what to do")
        .contains("container").contains("restart the sandbox");
    long t0 = System.nanoTime();
    Res run = post("/v1/sandboxes/" + id + "/executions", new JsonObject().put("language", "python").put("code", "1"));
    expectError(run, 409, "sandbox_not_running");
    Res restart = post("/v1/sandboxes/" + id + "/restart", null);
    assertThat(expectError(restart, 503, "backend_unavailable")).contains("Docker is not reachable")
        .contains(dockerd.unixHost());
    Res ready = get("/ready");
    assertThat(ready.status()).as(ready.body()).isEqualTo(503);
    assertThat(ready.json().getString("status")).isEqualTo("not_ready");
    assertThat(ready.json().getJsonObject("checks").getString("docker_backend_error")).contains("Docker is not reachable");
    Res created = post("/v1/sandboxes", new JsonObject());
    expectError(created, 503, "backend_unavailable");
    assertThat((System.nanoTime() - t0) / 1_000_000).as("answered, not hung, while the daemon is down")
        .isLessThan(30_000);

    dockerd.start();

    assertThat(get("/ready").status()).isEqualTo(200);
    Res back = post("/v1/sandboxes/" + id + "/restart", null);
    assertThat(back.status()).as(back.body()).isEqualTo(200);
    assertThat(back.json().getString("status")).isEqualTo("running");
    JsonObject r = exec(id, new JsonObject().put("language", "python").put("code", "print(open('kept.txt').read())"));
    assertThat(r.getString("stdout")).as(r.encode()).isEqualTo("kept\n");
    String fresh = create(new JsonObject());
    JsonObject f = exec(fresh, new JsonObject().put("language", "python").put("code", "print(6*7)"));
    assertThat(f.getString("stdout")).as("a new sandbox after the restart (the pool dropped its dead container)")
        .isEqualTo("42\n");
    assertThat(delete("/v1/sandboxes/" + id).status()).isEqualTo(204);
    assertThat(delete("/v1/sandboxes/" + fresh).status()).isEqualTo(204);
  }
}
