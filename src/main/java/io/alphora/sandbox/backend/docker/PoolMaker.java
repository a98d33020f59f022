package io.alphora.sandbox.backend.docker;

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

  PoolMaker(ContainerOps ops, Shape shape, Path basePath, Callable<Path> script) {
    this.ops = ops;
    this.shape = shape;
    this.basePath = basePath;
    this.script = script;
  }

  @Override
  public WarmPool.Warm make() throws Exception {
    String token = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    Path dir = Orphans.poolDir(basePath).resolve(token);
    Path ws = Files.createDirectories(dir.resolve("workspace"));
    Path site = Files.createDirectories(dir.resolve("site-packages"));
    ops.own(ws, site);
    String cid = null;
    try {
      Path ctl = dir.resolve("ctl");
      cid = ops.containers.create(ops.docker, shape, ops.containers.name("pool-" + token), ws, site, script.call(), ctl);
      RunnerProcess runner = RunnerProcess.connect(ops.startAndConnect(cid, shape.socket() ? ctl : null),
          "in warm container " + AttachChannel.short12(cid));
      return new WarmPool.Warm(cid, dir, runner, System.nanoTime());
    } catch (Exception e) {
      if (cid != null) {
        ops.remove(cid);
      }
      Workspace.deleteTree(dir);
      throw e;
    }
  }

  @Override
  public void discard(WarmPool.Warm w) { ops.discard(w.containerId(), w.runner(), w.dir()); }
}
