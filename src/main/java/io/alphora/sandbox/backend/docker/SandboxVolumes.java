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
  /** Warm containers' volumes that could not be removed (the daemon away): tried again. */
  private final java.util.Set<String> toRemove = java.util.concurrent.ConcurrentHashMap.newKeySet();

  SandboxVolumes(DockerClient docker, DockerConfig cfg, Containers containers, ContainerOps ops) {
    this.docker = docker;
    this.cfg = cfg;
    this.containers = containers;
    this.ops = ops;
    this.helper = new FileHelper(docker, cfg, containers);
  }

  /** The sandbox's volumes: those it records, else those named after its id. */
  VolumeRecord.Names names(SandboxSpec spec) {
    VolumeRecord.Names n = VolumeRecord.read(spec);
    return n != null ? n : containers.volumeNames(spec.sandboxId());
  }

  /**
   * Creates the sandbox's container on its volumes (recorded first: a restart must know them even if
   * this fails half-way); files a snapshot restored into the host directory move in.
   */
  String create(SandboxSpec spec, Shape shape, String name) throws IOException {
    VolumeRecord.Names n = names(spec);
    VolumeRecord.write(spec, n);
    String cid = containers.createOnVolumes(docker, shape, name, spec.sandboxId(), n,
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

  /** The volumes of a warm container become the sandbox's, for every later operation. */
  void takeOver(SandboxSpec spec, VolumeRecord.Names warm) throws IOException { VolumeRecord.write(spec, warm); }

  /** Whether container {@code c} mounts the sandbox's workspace volume. */
  boolean mounts(InspectContainerResponse c, SandboxSpec spec) {
    String name = names(spec).workspace();
    return c.getMounts() != null && c.getMounts().stream().anyMatch(m -> name.equals(m.getName()));
  }

  /** Removes the sandbox's volumes (its container must be gone) and their record; failures are only logged. */
  void remove(SandboxSpec spec) {
    for (String volume : names(spec).all()) {
      String failed = drop(volume);
      if (failed != null) {
        LOG.warn("could not remove volume {}: {}", volume, failed);
      }
    }
    VolumeRecord.delete(spec);
  }

  /**
   * Removes the volumes of a warm container that is gone (no sandbox ever gets them): those the
   * daemon could not remove now are tried again by {@link #removeLeftovers}.
   */
  void removeWarm(VolumeRecord.Names names) {
    for (String volume : names.all()) {
      String failed = drop(volume);
      if (failed != null && toRemove.add(volume)) {
        LOG.warn("could not remove volume {} (tried again later): {}", volume, failed);
      }
    }
  }

  /** Tries again to remove what {@link #removeWarm} could not. */
  void removeLeftovers() {
    for (String volume : List.copyOf(toRemove)) {
      if (drop(volume) == null) {
        toRemove.remove(volume);
      }
    }
  }

  /** Removes a volume: null when it is gone, else why not. */
  private String drop(String volume) {
    try {
      docker.removeVolumeCmd(volume).exec();
    } catch (NotFoundException gone) {
      // never made, or removed already
    } catch (RuntimeException e) {
      return DockerClients.rootMessage(e);
    }
    return null;
  }

  /** A reset: the files go with the container and its volumes, now (not at the next start). */
  void wipe(SandboxSpec spec) {
    String cid = ContainerFile.id(spec);
    if (cid != null) {
      ops.remove(cid);
    }
    remove(spec);
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
    return files(spec, () -> new FileHelper.Place(names(spec).workspace(), ws, ws), running);
  }

  /** The pip site directory inside the site volume. */
  WorkspaceFiles site(SandboxSpec spec, Predicate<String> running) {
    return files(spec, () -> new FileHelper.Place(names(spec).site(), Containers.SITE, Containers.SITE_ON_VOLUME),
        running);
  }

  /** {@code place} is resolved at each operation: a reset or a warm container's handover changes the volumes. */
  private VolumeFiles files(SandboxSpec spec, java.util.function.Supplier<FileHelper.Place> place,
      Predicate<String> running) {
    return new VolumeFiles(docker, helper, spec, place, spec.image() == null ? cfg.image() : spec.image(),
        containers.numericUser(), () -> running.test(spec.sandboxId()), () -> DockerClients.unavailable(cfg, null));
  }
}
