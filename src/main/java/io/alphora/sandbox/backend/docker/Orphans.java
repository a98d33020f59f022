package io.alphora.sandbox.backend.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import io.alphora.sandbox.workspace.Workspace;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start-up: the containers an earlier instance of this service (same base path) left behind. Never leaked: warm containers and containers no sandbox records are removed; with
 * {@code adopt} a container its sandbox still records is kept (stopped, if it was still running)
 * and the sandbox restarts in it; with {@code remove} every one is removed.
 */
final class Orphans {
  private static final Logger LOG = LoggerFactory.getLogger(Orphans.class);

  private Orphans() {}

  static Path poolDir(Path basePath) { return basePath.resolve("docker-pool"); }

  static void sweep(DockerClient docker, Containers containers, Path basePath, boolean adopt) {
    Workspace.deleteTree(poolDir(basePath));
    List<Container> found;
    try {
      found = docker.listContainersCmd().withShowAll(true).withLabelFilter(containers.ownerLabels()).exec();
    } catch (RuntimeException e) {
      LOG.warn("Docker is not reachable ({}): containers of an earlier instance are dealt with when they are "
          + "next used", DockerClients.rootMessage(e));
      return;
    }
    Set<String> recorded = adopt ? ContainerFile.recordedUnder(basePath) : Set.of();
    int kept = 0;
    int removed = 0;
    for (Container c : found) {
      try {
        if (recorded.contains(c.getId())) {
          if ("running".equals(c.getState())) {
            docker.stopContainerCmd(c.getId()).withTimeout(2).exec();
          }
          kept++;
        } else {
          docker.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
          removed++;
        }
      } catch (NotFoundException e) {
        // gone meanwhile
      } catch (RuntimeException e) {
        LOG.warn("container {}: {}", AttachChannel.short12(c.getId()), DockerClients.rootMessage(e));
      }
    }
    if (kept + removed > 0) {
      LOG.info("containers of an earlier instance: {} adopted, {} removed", kept, removed);
    }
  }
}
