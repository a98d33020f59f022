package io.alphora.sandbox.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import io.alphora.sandbox.config.DockerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A container that cannot be removed because the daemon is away (a daemon restart stops containers
 * and keeps them) is removed once the daemon answers again, not left behind: the warm pool's dead
 * containers go this way. Against a {@link PrivateDockerd}, never the shared daemon.
 */
class ContainerRemovalIT {

  @Test
  void aRemovalTheDaemonMissedIsDoneWhenItIsBack() throws Exception {
    Path base = Files.createTempDirectory("alphora-removal-");
    try (PrivateDockerd dockerd = PrivateDockerd.startWithRuntimeImage()) {
      DockerConfig cfg = PrivateDockerd.withHost(DockerConfig.defaults(), dockerd.unixHost());
      DockerClient docker = dockerd.client();
      Containers containers = new Containers(cfg, "removal", base, null);
      ContainerOps ops = new ContainerOps(docker, containers, cfg);
      String cid = docker.createContainerCmd(DockerTestSupport.IMAGE).withName(containers.name("doomed"))
          .withLabels(containers.ownerLabels()).withCmd(List.of("sleep", "60")).exec().getId();

      dockerd.stop();
      ops.remove(cid);            // the daemon is away: remembered, not lost
      ops.removeLeftovers();      // still away: nothing happens, still remembered
      dockerd.start();
      assertThat(dockerd.client().listContainersCmd().withShowAll(true).exec()).extracting(c -> c.getId())
          .as("the daemon kept the container over its restart").contains(cid);

      ops.removeLeftovers();
      assertThat(dockerd.client().listContainersCmd().withShowAll(true).exec()).extracting(c -> c.getId())
          .as("removed once the daemon answered").doesNotContain(cid);
    } finally {
      io.alphora.sandbox.workspace.Workspace.deleteTree(base);
    }
  }
}
