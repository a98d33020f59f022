package io.alphora.sandbox.backend;

import io.alphora.sandbox.BackendType;
import io.alphora.sandbox.runner.RunListener;
import io.alphora.sandbox.runner.RunRequest;
import java.util.Map;

/**
 * The SPI a backend implements: it owns the processes (or container) of its sandboxes. Files,
 * packages and env vars are handled above it, on the host-side workspace, identically for every
 * backend (unless the backend keeps a sandbox's files elsewhere: {@link #files}). Blocking methods are called on worker threads only.
 */
public interface SandboxBackend extends AutoCloseable {
  BackendType type();

  /**
   * Refuses a sandbox this backend cannot host as asked, before anything is made for it (called when
   * it is created and each time it starts). By default {@code security_policy.allowed_paths} is
   * refused: a backend that can show host paths overrides this.
   */
  default void check(SandboxSpec spec) {
    if (!spec.policy().allowedPaths().isEmpty()) {
      throw new io.alphora.sandbox.SandboxException(io.alphora.sandbox.ErrorCode.SECURITY_VIOLATION,
          "security_policy.allowed_paths is not supported by the " + type().value() + " backend",
          java.util.Map.of("field", "allowed_paths"));
    }
  }

  /**
   * Makes the sandbox's workspace ready when it is registered (created, or found at start-up): by
   * default its own volume right away. Blocking.
   */
  default void prepareWorkspace(SandboxSpec spec, WorkspaceVolumes volumes) throws java.io.IOException {
    volumes.prepare(spec);
  }

  /**
   * Where the file API finds the sandbox's files: by default {@code host}, its workspace directory
   * on this host. A backend whose sandboxes keep their files elsewhere (a Docker volume on a remote
   * daemon) returns its own view, with the same path rules and errors. Called once per sandbox.
   */
  default io.alphora.sandbox.workspace.WorkspaceFiles files(SandboxSpec spec, io.alphora.sandbox.workspace.Workspace host) {
    return host;
  }

  /** The sandbox's pip site directory, for listing and uninstalling packages: by default on this host. */
  default io.alphora.sandbox.workspace.WorkspaceFiles siteFiles(SandboxSpec spec) {
    return new io.alphora.sandbox.workspace.Workspace(spec.siteDir());
  }

  /**
   * The sandbox's files are being wiped ({@code reset}; it is stopped): a backend that keeps files
   * of its own drops them here. Its host workspace and site directory are wiped by the caller.
   */
  default void wipe(SandboxSpec spec) { }

  /**
   * A host directory holding the sandbox's files for a snapshot: by default its workspace itself.
   * A backend that keeps them elsewhere copies them into a new directory (the caller deletes it).
   * Blocking.
   */
  default java.nio.file.Path exportWorkspace(SandboxSpec spec) throws java.io.IOException { return spec.workspace(); }

  /** Starts the sandbox's runner; returns once it answers. Blocking. */
  void start(SandboxSpec spec) throws Exception;

  /** Kills the sandbox's runner and every process of it; in-flight runs end as cancelled. */
  void stop(String sandboxId);

  /**
   * The sandbox is being destroyed: stop it and release whatever the backend keeps for it across
   * stops (a container). Its directory is deleted afterwards by the caller.
   */
  default void destroy(SandboxSpec spec) { stop(spec.sandboxId()); }

  boolean isRunning(String sandboxId);

  /**
   * Whether the backend can start sandboxes now, and what else an operator should see
   * ({@code available}, {@code error}, backend-specific keys); shown by {@code /ready}. Blocking.
   */
  default Map<String, Object> status() { return Map.of("available", true); }

  /** Starts a run; events reach {@code listener} on a backend thread, {@code onExit} exactly once. */
  void exec(String sandboxId, RunRequest request, RunListener listener);

  void stdin(String sandboxId, String execId, String data, boolean eof);

  void cancel(String sandboxId, String execId);

  /** Process figures of the sandbox's own processes (never the service's). */
  ProcStats stats(String sandboxId);

  /** The path under which the sandbox's code sees a host path of its workspace or site directory. */
  String inSandboxPath(SandboxSpec spec, java.nio.file.Path hostPath);

  /** How the sandbox is isolated ({@code none}, {@code bwrap}, {@code container}); shown in SandboxInfo. */
  String isolation();

  /** Called once when a sandbox's runner dies on its own. */
  interface DeathListener {
    void runnerDied(String sandboxId, String message);
  }

  @Override
  void close();
}
