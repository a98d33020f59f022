package io.alphora.sandbox.mutiny;

import io.alphora.sandbox.BackendType;
import io.alphora.sandbox.CreateOptions;
import io.alphora.sandbox.ManagerStatus;
import io.alphora.sandbox.SandboxInfo;
import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.SandboxStatus;
import io.alphora.sandbox.config.SandboxConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;

/** {@link SandboxManager} with Mutiny types; sandboxes come back as {@link MutinySandbox}. */
public final class MutinySandboxManager {
  private final SandboxManager manager;

  private MutinySandboxManager(SandboxManager manager) { this.manager = manager; }

  public static MutinySandboxManager of(SandboxManager manager) { return new MutinySandboxManager(manager); }

  /** Deploys the service on this Vert.x instance, as {@link SandboxManager#deploy}. */
  public static Uni<MutinySandboxManager> deploy(Vertx vertx, SandboxConfig config) {
    return MutinyAdapters.uni(() -> SandboxManager.deploy(vertx, config)).map(MutinySandboxManager::new);
  }

  public SandboxManager delegate() { return manager; }

  public Uni<MutinySandbox> create(CreateOptions options) {
    return MutinyAdapters.uni(() -> manager.create(options)).map(MutinySandbox::of);
  }

  public Uni<MutinySandbox> get(String sandboxId) {
    return MutinyAdapters.uni(() -> manager.get(sandboxId)).map(MutinySandbox::of);
  }

  public Uni<MutinySandbox> getOrCreate(String sandboxId, CreateOptions options) {
    return MutinyAdapters.uni(() -> manager.getOrCreate(sandboxId, options)).map(MutinySandbox::of);
  }

  public Uni<List<SandboxInfo>> list(SandboxStatus status, BackendType backend) {
    return MutinyAdapters.uni(() -> manager.list(status, backend));
  }

  public Uni<ManagerStatus> status() { return MutinyAdapters.uni(manager::status); }

  public Uni<Map<String, Boolean>> destroyAll() { return MutinyAdapters.uni(manager::destroyAll); }

  public Uni<Integer> cleanupIdle(long idleSeconds) { return MutinyAdapters.uni(() -> manager.cleanupIdle(idleSeconds)); }

  public Uni<Void> shutdown() { return MutinyAdapters.uni(manager::shutdown); }
}
