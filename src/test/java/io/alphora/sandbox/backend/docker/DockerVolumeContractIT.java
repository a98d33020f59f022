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

  @Test
  void theContainerSeesNoHostPathAndItsWorkspaceIsALabelledVolume() {
    List<Container> cs = dockerd.client().listContainersCmd().withShowAll(true).exec();
    assertThat(cs).as("the sandbox's container (no warm pool with volumes)").hasSize(1);
    InspectContainerResponse c = dockerd.client().inspectContainerCmd(cs.get(0).getId()).exec();
    assertThat(c.getHostConfig().getBinds()).as("no bind mount at all").isNullOrEmpty();
    assertThat(c.getMounts()).allSatisfy(m -> assertThat(m.getSource() == null ? "" : m.getSource().toString())
        .doesNotStartWith(base.toString()));
    InspectContainerResponse.Mount ws = c.getMounts().stream()
        .filter(m -> "/workspace".equals(m.getDestination().getPath())).findFirst().orElseThrow();
    assertThat(ws.getName()).endsWith(sandbox.id() + "-workspace");
    assertThat(dockerd.client().inspectVolumeCmd(ws.getName()).exec().getLabels())
        .containsEntry(Containers.LABEL_BASE, base.toString()).containsEntry(Containers.LABEL_SANDBOX, sandbox.id());
  }
}
