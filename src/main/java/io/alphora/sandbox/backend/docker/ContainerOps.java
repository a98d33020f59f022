package io.alphora.sandbox.backend.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import io.alphora.sandbox.config.DockerConfig;
import io.alphora.sandbox.runner.RunnerChannel;
import io.alphora.sandbox.runner.RunnerProcess;
import io.alphora.sandbox.workspace.Workspace;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Docker calls the backend makes on one container, each with its failure handling. Blocking. */
final class ContainerOps {
  private static final Logger LOG = LoggerFactory.getLogger(ContainerOps.class);
  private static final int STOP_TIMEOUT_SECONDS = 2;

  final DockerClient docker;
  final Containers containers;
  private final DockerConfig cfg;
  /** Containers (by id) that could not be removed, the daemon being away: removed once it answers. */
  private final java.util.Set<String> toRemove = java.util.concurrent.ConcurrentHashMap.newKeySet();

  ContainerOps(DockerClient docker, Containers containers, DockerConfig cfg) {
    this.docker = docker;
    this.containers = containers;
    this.cfg = cfg;
  }

  /** Starts a created or stopped container and connects to its runner: socket in {@code ctlDir}, or attach (null). */
  RunnerChannel startAndConnect(String cid, Path ctlDir) throws IOException {
    if (ctlDir == null) {
      AttachChannel ch = AttachChannel.open(docker, cid);
      docker.startContainerCmd(cid).exec();
      return ch;
    }
    ServerSocketChannel server = SocketLink.listen(ctlDir, containers.numericUser());
    try {
      docker.startContainerCmd(cid).exec();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return SocketLink.accept(docker, cid, server, ctlDir);
  }

  void stop(String cid) {
    try {
      docker.stopContainerCmd(cid).withTimeout(STOP_TIMEOUT_SECONDS).exec();
    } catch (NotModifiedException | NotFoundException e) {
      // already stopped, or gone
    } catch (RuntimeException e) {
      LOG.warn("could not stop container {}: {}", AttachChannel.short12(cid), DockerClients.rootMessage(e));
    }
  }

  void remove(String idOrName) {
    try {
      docker.removeContainerCmd(idOrName).withForce(true).withRemoveVolumes(true).exec();
      toRemove.remove(idOrName);
    } catch (NotFoundException e) {
      toRemove.remove(idOrName); // gone already
    } catch (RuntimeException e) {
      LOG.warn("could not remove container {}: {}", idOrName, DockerClients.rootMessage(e));
      if (idOrName.matches("[0-9a-f]{64}")) {   // a name may belong to another container by then
        toRemove.add(idOrName);
      }
    }
  }

  /** Tries again to remove what {@link #remove} could not (a daemon restart stops and keeps containers). */
  void removeLeftovers() {
    for (String cid : java.util.List.copyOf(toRemove)) {
      remove(cid);
    }
  }

  /** Removes a warm container that will not be used: its runner, the container, its directories. */
  void discard(String cid, RunnerProcess runner, Path dir) {
    if (runner != null) {
      runner.close();
    }
    remove(cid);
    try {
      Workspace.deleteTree(dir);
    } catch (RuntimeException e) {
      LOG.debug("could not delete {}: {}", dir, e.getMessage());
    }
  }

  /** Names the container after its sandbox (for people reading {@code docker ps}; ids are what counts). */
  void rename(String cid, String sandboxId) {
    String name = containers.name(sandboxId);
    try {
      docker.renameContainerCmd(cid).withName(name).exec();
    } catch (ConflictException e) {
      remove(name);
      try {
        docker.renameContainerCmd(cid).withName(name).exec();
      } catch (RuntimeException again) {
        LOG.debug("rename {} → {}: {}", cid, name, again.getMessage());
      }
    } catch (RuntimeException e) {
      LOG.debug("rename {} → {}: {}", cid, name, e.getMessage());
    }
  }

  /** Why a sandbox's runner is gone, from the container's state. */
  String deathMessage(String cid) {
    String why;
    try {
      InspectContainerResponse.ContainerState st = docker.inspectContainerCmd(cid).exec().getState();
      why = Boolean.TRUE.equals(st.getOOMKilled()) ? "was killed for exceeding its memory limit (OOMKilled)"
          : Boolean.TRUE.equals(st.getRunning()) ? "lost the connection to its runner"
          : "exited (exit code " + st.getExitCodeLong() + (st.getError() == null || st.getError().isEmpty() ? ""
              : ", " + st.getError()) + ")";
    } catch (NotFoundException e) {
      why = "was removed from Docker";
    } catch (RuntimeException e) {
      why = "is unreachable: the Docker daemon does not answer (" + DockerClients.rootMessage(e) + ")";
    }
    return "the sandbox's container " + AttachChannel.short12(cid) + " " + why + "; restart the sandbox";
  }

  /** The host pid of the runner (the child of docker-init), for process statistics; -1 if not visible. */
  long runnerHostPid(String cid) {
    try {
      Long init = docker.inspectContainerCmd(cid).exec().getState().getPidLong();
      if (init == null || init <= 0) {
        return -1;
      }
      Path children = Path.of("/proc", String.valueOf(init), "task", String.valueOf(init), "children");
      String first = Files.isReadable(children) ? Files.readString(children).trim().split("\\s+")[0] : "";
      return first.isEmpty() ? -1 : Long.parseLong(first);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Gives directories to the container's user, so the sandbox can write there. */
  void own(Path... dirs) throws IOException {
    int[] ids = containers.numericUser();
    if (ids == null) {
      return;
    }
    for (Path p : dirs) {
      try {
        Files.setAttribute(p, "unix:uid", ids[0], java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", ids[1], java.nio.file.LinkOption.NOFOLLOW_LINKS);
      } catch (java.nio.file.FileSystemException e) {
        LOG.warn("cannot give {} to uid {} ({}): the sandbox may not be able to write there", p, ids[0],
            e.getMessage());
      }
    }
  }

  /** {available, docker_host, error?}: the daemon answers and has the runtime image. */
  Map<String, Object> status() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("docker_host", DockerClients.host(cfg));
    try {
      docker.pingCmd().exec();
    } catch (RuntimeException e) {
      s.put("available", false);
      s.put("error", DockerClients.unavailable(cfg, e).getMessage());
      return s;
    }
    try {
      docker.inspectImageCmd(cfg.image()).exec();
      s.put("available", true);
    } catch (NotFoundException e) {
      s.put("available", false);
      s.put("error", "the runtime image " + cfg.image() + " is missing: build it with scripts/build-runtime-image");
    } catch (RuntimeException e) {
      s.put("available", false);
      s.put("error", DockerClients.rootMessage(e));
    }
    return s;
  }
}
