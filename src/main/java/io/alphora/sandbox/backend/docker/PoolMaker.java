package io.alphora.sandbox.backend.docker;

import io.alphora.sandbox.BackendType;
import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.SecurityPolicy;
import io.alphora.sandbox.backend.SandboxSpec;
import io.alphora.sandbox.backend.WorkspaceVolumes;
import io.alphora.sandbox.runner.RunnerProcess;
import io.alphora.sandbox.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Callable;

/** Makes warm containers: they live under {@code <base>/docker-pool/<token>/} until a sandbox takes one. */
final class PoolMaker implements WarmPool.Maker {
  private final ContainerOps ops;
  private final Shape shape;
  private final Path basePath;
  private final Callable<Path> script;
  private final WorkspaceVolumes volumes;
  private final ResourceLimits limits;
  private final SecurityPolicy policy;

  PoolMaker(ContainerOps ops, Shape shape, Path basePath, Callable<Path> script, WorkspaceVolumes volumes,
      ResourceLimits limits, SecurityPolicy policy) {
    this.ops = ops;
    this.volumes = volumes;
    this.limits = limits;
    this.policy = policy;
    this.shape = shape;
    this.basePath = basePath;
    this.script = script;
  }

  @Override
  public WarmPool.Warm make() throws Exception {
    String token = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    Path dir = Orphans.poolDir(basePath).resolve(token);
    // the workspace is a volume of the pool shape's disk_mb / max_files_count, handed over whole
    SandboxSpec own = new SandboxSpec("pool-" + token, BackendType.DOCKER, shape.image(), dir, limits, policy);
    String cid = null;
    try {
      volumes.prepare(own);
      Path ws = own.workspace();
      Path site = Files.createDirectories(dir.resolve("site-packages"));
      ops.own(ws, site);
      Path ctl = dir.resolve("ctl");
      cid = ops.containers.create(ops.docker, shape, ops.containers.name("pool-" + token), ws, site, script.call(), ctl);
      RunnerProcess runner = RunnerProcess.connect(ops.startAndConnect(cid, shape.socket() ? ctl : null),
          "in warm container " + AttachChannel.short12(cid));
      return new WarmPool.Warm(cid, dir, runner, System.nanoTime());
    } catch (Exception e) {
      if (cid != null) {
        ops.remove(cid);
      }
      volumes.dropUnder(dir);
      Workspace.deleteTree(dir);
      throw e;
    }
  }

  @Override
  public void discard(WarmPool.Warm w) {
    volumes.dropUnder(w.dir());
    ops.discard(w.containerId(), w.runner(), w.dir());
  }

  @Override
  public void tidy() { ops.removeLeftovers(); }
}
