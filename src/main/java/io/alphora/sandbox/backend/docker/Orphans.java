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

  /**
   * Workspace volumes ({@code docker.workspace: volume}) of this base path that no sandbox records
   * and whose labelled sandbox is gone, warm containers' left by an instance that was killed
   * included (or all of them with {@code remove}): removed, after {@link #sweep} removed their containers.
   */
  static void sweepVolumes(DockerClient docker, Containers containers, Path basePath, boolean adopt) {
    List<com.github.dockerjava.api.command.InspectVolumeResponse> found;
    try {
      found = docker.listVolumesCmd().withFilter("label", containers.ownerLabels().entrySet().stream()
          .map(e -> e.getKey() + "=" + e.getValue()).toList()).exec().getVolumes();
    } catch (RuntimeException e) {
      LOG.warn("Docker is not reachable ({}): volumes of an earlier instance are left for now", DockerClients.rootMessage(e));
      return;
    }
    // a sandbox served from the warm pool keeps volumes labelled as the pool's (labels never change): its record says
    Set<String> recorded = adopt ? VolumeRecord.recordedUnder(basePath) : Set.of();
    int removed = 0;
    for (var v : found == null ? List.<com.github.dockerjava.api.command.InspectVolumeResponse>of() : found) {
      String sandbox = v.getLabels() == null ? null : v.getLabels().get(Containers.LABEL_SANDBOX);
      if (recorded.contains(v.getName()) || (adopt && sandbox != null
          && java.nio.file.Files.isDirectory(basePath.resolve("sandboxes").resolve(sandbox)))) {
        continue;
      }
      try {
        docker.removeVolumeCmd(v.getName()).exec();
        removed++;
      } catch (RuntimeException e) {
        LOG.warn("volume {}: {}", v.getName(), DockerClients.rootMessage(e));
      }
    }
    if (removed > 0) {
      LOG.info("workspace volumes of an earlier instance: {} removed", removed);
    }
  }
}
