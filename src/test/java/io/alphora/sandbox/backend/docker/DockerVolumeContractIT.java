package io.alphora.sandbox.backend.docker;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import io.alphora.sandbox.CreateOptions;
import io.alphora.sandbox.ExecutionResult;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.SecurityPolicy;
import io.alphora.sandbox.TestSupport;
import io.alphora.sandbox.backend.SandboxBackendContract;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend contract on a daemon reached over {@code tcp://} (a {@link PrivateDockerd}), where
 * {@code docker.workspace: auto} means a named volume per sandbox: every file operation of the
 * contract goes through the archive API and the in-container helper, as nothing of this host is
 * mounted into the containers.
 */
class DockerVolumeContractIT extends SandboxBackendContract {
  static PrivateDockerd dockerd;
  @TempDir
  Path base;
  private Vertx vertx;

  @BeforeAll
  static void startDaemon() throws Exception { dockerd = PrivateDockerd.startWithRuntimeImage(); }

  @AfterAll
  static void stopDaemon() throws Exception {
    if (dockerd != null) {
      dockerd.close();
    }
  }

  @Override
  protected SandboxManager manager() {
    vertx = Vertx.vertx();
    JsonObject c = new JsonObject().put("backend_type", "docker").put("docker", new JsonObject()
        .put("image", DockerTestSupport.IMAGE).put("pool_size", 1).put("docker_host", dockerd.tcpHost()));
    return await(SandboxManager.deploy(vertx, TestSupport.config(base, c)));
  }

  @Override
  protected void closeManager() {
    await(manager.shutdown());
    await(vertx.close());
    assertThat(dockerd.client().listContainersCmd().withShowAll(true).exec()).as("containers left").isEmpty();
    assertThat(dockerd.client().listVolumesCmd().exec().getVolumes()).as("volumes left").isNullOrEmpty();
  }

  /**
   * With volume workspaces the service never reads the host's cgroup files (the daemon may be
   * elsewhere): the runner reads its container's counters and names the limit.
   */
  @Test
  void limitsAreNamedFromInsideTheContainer() {
    Sandbox small = await(manager.create(CreateOptions.defaults().withResourceLimits(DockerHardeningIT.SMALL)
        .withSecurityPolicy(SecurityPolicy.permissive())));
    ExecutionResult oom = await(small.executeCode(
        "print('allocating', flush=True)\nchunks = []\nwhile True:\n    chunks.append(b'x' * (16 << 20))"));
    assertThat(oom.errorType()).as(oom.stderr()).isEqualTo("MemoryLimitExceeded");
    ExecutionResult pids = await(small.executeCode(
        "import threading, time\nts = []\nfor i in range(1000):\n"
            + "    t = threading.Thread(target=time.sleep, args=(5,)); t.start(); ts.append(t)"));
    assertThat(pids.errorType()).as(pids.stderr()).isEqualTo("ProcessLimitExceeded");
    assertThat(await(small.executeCode("print('ok')")).stdout()).isEqualTo("ok\n");
  }

  /**
   * The contract's sandboxes come from the warm pool when it has a container ready (pool_size 1):
   * every container, warm or not, sees no host path, and each has named volumes of its own, the
   * sandbox's being those its record names.
   */
  @Test
  void theContainersSeeNoHostPathAndTheSandboxsWorkspaceIsARecordedVolume() throws Exception {
    String cid = new io.vertx.core.json.JsonObject(java.nio.file.Files.readString(
        io.alphora.sandbox.backend.SandboxSpec.dirFor(base, sandbox.id()).resolve("docker-container.json")))
        .getString("container_id");
    for (int i = 0; i < 300 && (warm().isEmpty() || warm().contains(cid)); i++) {   // a taken one is renamed
      Thread.sleep(100);
    }
    assertThat(warm()).as("a warm container on volumes").hasSize(1).doesNotContain(cid);
    List<Container> cs = dockerd.client().listContainersCmd().withShowAll(true).exec();
    assertThat(cs).extracting(Container::getId).contains(cid);
    for (Container each : cs) {
      InspectContainerResponse c = dockerd.client().inspectContainerCmd(each.getId()).exec();
      assertThat(c.getHostConfig().getBinds()).as("no bind mount at all").isNullOrEmpty();
      assertThat(c.getMounts()).allSatisfy(m -> assertThat(m.getSource() == null ? "" : m.getSource().toString())
          .doesNotStartWith(base.toString()));
    }
    InspectContainerResponse c = dockerd.client().inspectContainerCmd(cid).exec();
    InspectContainerResponse.Mount ws = c.getMounts().stream()
        .filter(m -> "/workspace".equals(m.getDestination().getPath())).findFirst().orElseThrow();
    assertThat(new io.vertx.core.json.JsonObject(java.nio.file.Files.readString(
        io.alphora.sandbox.backend.SandboxSpec.dirFor(base, sandbox.id()).resolve("docker-volumes.json")))
        .getString("workspace")).as("the sandbox records the volume it mounts").isEqualTo(ws.getName());
    var labels = dockerd.client().inspectVolumeCmd(ws.getName()).exec().getLabels();
    assertThat(labels).containsEntry(Containers.LABEL_BASE, base.toString());
    assertThat(sandbox.id().equals(labels.get(Containers.LABEL_SANDBOX)) || labels.containsKey(Containers.LABEL_POOL))
        .as("made for the sandbox, or for the pool: %s", labels).isTrue();
    var volumes = dockerd.client().listVolumesCmd().exec().getVolumes();
    assertThat(volumes).as("two for the sandbox, two for the warm container").hasSize(4);
  }

  private java.util.Set<String> warm() {
    return dockerd.client().listContainersCmd().exec().stream().filter(x -> x.getNames()[0].contains("-pool-"))
        .map(Container::getId).collect(java.util.stream.Collectors.toSet());
  }
}
