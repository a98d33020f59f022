package io.alphora.sandbox.backend.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.backend.SandboxSpec;
import io.alphora.sandbox.config.DockerConfig;
import io.alphora.sandbox.runner.RunnerScript;
import io.alphora.sandbox.workspace.WorkspaceFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandboxes' named volumes ({@code docker.workspace: volume}): their containers, made with no
 * host path; the file views of their workspace and site volumes; a reset, a snapshot's copy and a
 * restored snapshot's files; removal with the sandbox. Blocking.
 */
final class SandboxVolumes {
  private static final Logger LOG = LoggerFactory.getLogger(SandboxVolumes.class);

  private final DockerClient docker;
  private final DockerConfig cfg;
  private final Containers containers;
  private final ContainerOps ops;
  private final FileHelper helper;

  SandboxVolumes(DockerClient docker, DockerConfig cfg, Containers containers, ContainerOps ops) {
    this.docker = docker;
    this.cfg = cfg;
    this.containers = containers;
    this.ops = ops;
    this.helper = new FileHelper(docker, cfg, containers);
  }

  /** Creates the sandbox's container on its volumes; files a snapshot restored into the host directory move in. */
  String create(SandboxSpec spec, Shape shape, String name) throws IOException {
    String cid = containers.createOnVolumes(docker, shape, name, spec.sandboxId(),
        new String(RunnerScript.content(), java.nio.charset.StandardCharsets.UTF_8));
    try {
      if (VolumeTransfer.importAndEmpty(docker, cid, containers.workspaceMount(), spec.workspace(), containers.numericUser())) {
        LOG.info("sandbox {}: restored files moved into its workspace volume", spec.sandboxId());
      }
    } catch (IOException | RuntimeException e) {
      ops.remove(cid);
      throw e;
    }
    return cid;
  }

  /** Whether container {@code c} mounts the sandbox's workspace volume. */
  boolean mounts(InspectContainerResponse c, String sandboxId) {
    String name = containers.volumeName(sandboxId, Containers.VOLUME_WORKSPACE);
    return c.getMounts() != null && c.getMounts().stream().anyMatch(m -> name.equals(m.getName()));
  }

  /** Removes the sandbox's volumes (its container must be gone); failures are only logged. */
  void remove(String sandboxId) {
    for (String what : List.of(Containers.VOLUME_WORKSPACE, Containers.VOLUME_SITE)) {
      try {
        docker.removeVolumeCmd(containers.volumeName(sandboxId, what)).exec();
      } catch (NotFoundException gone) {
        // never made, or removed already
      } catch (RuntimeException e) {
        LOG.warn("could not remove volume {}: {}", containers.volumeName(sandboxId, what), DockerClients.rootMessage(e));
      }
    }
  }

  /** A reset: the files go with the container and its volumes, now (not at the next start). */
  void wipe(SandboxSpec spec) {
    String cid = ContainerFile.id(spec);
    if (cid != null) {
      ops.remove(cid);
    }
    remove(spec.sandboxId());
    ContainerFile.delete(spec);
  }

  /** A new directory with a copy of the workspace volume's files, or the host directory if there is no container yet. */
  Path export(SandboxSpec spec) throws IOException {
    String cid = ContainerFile.id(spec);
    if (cid == null) {   // never started: its files are still those in the host directory
      return spec.workspace();
    }
    Path dir = spec.dir().resolve("export-" + java.util.UUID.randomUUID().toString().substring(0, 8));
    try {
      return VolumeTransfer.export(docker, cid, containers.workspaceMount(), dir);
    } catch (RuntimeException e) {
      if (!DockerClients.ping(docker)) {
        throw DockerClients.unavailable(cfg, e);
      }
      throw new SandboxException(ErrorCode.DOCKER_ERROR, "could not read the workspace volume of sandbox '"
          + spec.sandboxId() + "': " + DockerClients.rootMessage(e), Map.of("sandbox_id", spec.sandboxId()));
    }
  }

  /** The file API's view of the workspace volume; {@code running} says whether its container runs. */
  WorkspaceFiles workspace(SandboxSpec spec, Predicate<String> running) {
    String ws = containers.workspaceMount();
    return files(spec, new FileHelper.Place(containers.volumeName(spec.sandboxId(), Containers.VOLUME_WORKSPACE), ws, ws),
        running);
  }

  /** The pip site directory inside the site volume. */
  WorkspaceFiles site(SandboxSpec spec, Predicate<String> running) {
    return files(spec, new FileHelper.Place(containers.volumeName(spec.sandboxId(), Containers.VOLUME_SITE),
        Containers.SITE, Containers.SITE_ON_VOLUME), running);
  }

  private VolumeFiles files(SandboxSpec spec, FileHelper.Place place, Predicate<String> running) {
    return new VolumeFiles(docker, helper, spec, place, spec.image() == null ? cfg.image() : spec.image(),
        containers.numericUser(), () -> running.test(spec.sandboxId()), () -> DockerClients.unavailable(cfg, null));
  }
}
