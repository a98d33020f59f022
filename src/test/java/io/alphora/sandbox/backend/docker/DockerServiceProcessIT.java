package io.alphora.sandbox.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.Container;
import io.alphora.sandbox.ServiceJar;
import io.alphora.sandbox.workspace.Workspace;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged service with the Docker backend, killed with {@code -9}: its runners end with it
 * (their containers exit, none keeps running), and the next instance adopts the sandbox's container.
 */
class DockerServiceProcessIT {
  private final Path base = createBase();
  private ServiceJar service;
  private Process process;

  private static Path createBase() {
    try {
      return Files.createTempDirectory("alphora-dit-");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    DockerTestSupport.removeAll(base);
    ServiceJar.unmountUnder(base);
    Workspace.deleteTree(base);
  }

  private void startService() throws Exception { startService("0"); }

  private void startService(String poolSize) throws Exception {
    DockerTestSupport.docker();
    service = ServiceJar.on(base).env("SANDBOX_BACKEND", "docker").env("SANDBOX_DOCKER_IMAGE", DockerTestSupport.IMAGE)
        .env("SANDBOX_DOCKER_POOL_SIZE", poolSize).startAndAwait();
    process = service.process();
  }

  private JsonObject call(String method, String path, String body, int expected) throws Exception {
    return service.json(method, path, body == null ? null : new JsonObject(body), expected);
  }

  @Test
  void killDashNineLeavesNoRunningContainerAndTheNextInstanceAdopts() throws Exception {
    startService();
    String id = call("POST", "/v1/sandboxes", "{}", 201).getString("sandbox_id");
    String exec = "/v1/sandboxes/" + id + "/executions";
    call("POST", exec, "{\"language\":\"python\",\"code\":\"open('kept.txt','w').write('x')\"}", 200);
    String container = DockerTestSupport.containersOf(base).stream().filter(c -> c.getNames()[0].endsWith(id))
        .map(Container::getId).findFirst().orElseThrow();
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline && DockerTestSupport.containersOf(base).stream()
        .anyMatch(c -> "running".equals(c.getState()))) {
      Thread.sleep(100);
    }
    assertThat(DockerTestSupport.containersOf(base)).as("no container of the dead service keeps running")
        .allSatisfy(c -> assertThat(c.getState()).isNotEqualTo("running"));

    startService();
    assertThat(DockerTestSupport.containersOf(base)).extracting(Container::getId).contains(container);
    call("POST", "/v1/sandboxes/" + id + "/start", null, 200);
    JsonObject r = call("POST", exec, "{\"language\":\"python\",\"code\":\"print(open('kept.txt').read())\"}", 200);
    assertThat(r.getString("stdout")).isEqualTo("x\n");
    assertThat(DockerTestSupport.containersOf(base)).filteredOn(c -> c.getNames()[0].endsWith(id))
        .extracting(Container::getId).containsExactly(container);
    call("DELETE", "/v1/sandboxes/" + id, null, 204);
    process.destroy();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(DockerTestSupport.containersOf(base)).as("deleted, and nothing else left").isEmpty();
  }

  @Test
  void sigtermRemovesWarmContainersAndKeepsSandboxContainers() throws Exception {
    startService("2");
    String id = call("POST", "/v1/sandboxes", "{}", 201).getString("sandbox_id");
    process.destroy();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(DockerTestSupport.containersOf(base)).as("only the sandbox's container stays, stopped, for its sandbox")
        .singleElement().satisfies(c -> {
          assertThat(c.getState()).isNotEqualTo("running");
          assertThat(c.getNames()[0]).endsWith(id);
        });
  }
}
