package io.alphora.sandbox.backend.docker;

import io.alphora.sandbox.runner.RunnerProcess;
import io.alphora.sandbox.runner.RunnerScript;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Makes warm containers on workspace volumes ({@code docker.workspace: volume}): each has named
 * volumes of its own, {@code …-pool-<token>-workspace} and {@code -site}, labelled as the pool's.
 * A sandbox that takes one records those names ({@link VolumeRecord}) and keeps them; one that is
 * discarded goes with its volumes. Its {@link WarmPool.Warm#dir} is never made: only its name, the
 * token, is used.
 */
final class VolumePoolMaker implements WarmPool.Maker {
  private final ContainerOps ops;
  private final SandboxVolumes volumes;
  private final Shape shape;
  private final Path basePath;

  VolumePoolMaker(ContainerOps ops, SandboxVolumes volumes, Shape shape, Path basePath) {
    this.ops = ops;
    this.volumes = volumes;
    this.shape = shape;
    this.basePath = basePath;
  }

  /** The volumes of warm container {@code w}. */
  VolumeRecord.Names names(WarmPool.Warm w) {
    return ops.containers.volumeNames(key(w.dir().getFileName().toString()));
  }

  private static String key(String token) { return "pool-" + token; }

  @Override
  public WarmPool.Warm make() throws Exception {
    String token = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    VolumeRecord.Names names = ops.containers.volumeNames(key(token));
    String cid = null;
    try {
      cid = ops.containers.createOnVolumes(ops.docker, shape, ops.containers.name(key(token)), null, names,
          new String(RunnerScript.content(), StandardCharsets.UTF_8));
      RunnerProcess runner = RunnerProcess.connect(ops.startAndConnect(cid, null),
          "in warm container " + AttachChannel.short12(cid));
      return new WarmPool.Warm(cid, Orphans.poolDir(basePath).resolve(token), runner, System.nanoTime());
    } catch (Exception e) {
      if (cid != null) {
        ops.remove(cid);
      }
      volumes.removeWarm(names);
      throw e;
    }
  }

  @Override
  public void discard(WarmPool.Warm w) {
    ops.discard(w.containerId(), w.runner(), w.dir());
    volumes.removeWarm(names(w));
  }

  @Override
  public void tidy() {
    ops.removeLeftovers();
    volumes.removeLeftovers();
  }
}
