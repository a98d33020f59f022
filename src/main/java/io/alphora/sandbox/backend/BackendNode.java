package io.alphora.sandbox.backend;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.ExecRequest;
import io.alphora.sandbox.Ids;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.bus.Actions;
import io.alphora.sandbox.bus.Addresses;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.alphora.sandbox.runner.RunRequest;
import io.alphora.sandbox.workspace.Workspace;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The state one node's backend workers share: the sandboxes registered here, their runs in flight
 * and recently finished, and the translation of an {@link ExecRequest} into a runner request.
 */
public final class BackendNode {
  private static final int RECENT_RUNS = 2000;
  /** How long a finished run's replay ring is kept for late subscribers before it is freed. */
  static final long REPLAY_KEEP_MS = 60_000;

  final Vertx vertx;
  final Addresses addresses;
  final String nodeId;
  final SandboxBackend backend;
  final Path basePath;
  final Path python;
  final PipSettings pip;
  final WorkspaceVolumes volumes;
  private final Map<String, SandboxSpec> specs = new ConcurrentHashMap<>();
  private final Map<String, Workspace> workspaces = new ConcurrentHashMap<>();
  private final Map<String, io.alphora.sandbox.workspace.WorkspaceFiles> files = new ConcurrentHashMap<>();
  private final Map<String, Execution> running = new ConcurrentHashMap<>();
  private final Map<String, Execution> recent = java.util.Collections.synchronizedMap(
      new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Execution> e) { return size() > RECENT_RUNS; }
      });

  public BackendNode(Vertx vertx, Addresses addresses, String nodeId, SandboxBackend backend, Path basePath,
      Path python, PipSettings pip, WorkspaceVolumes volumes) {
    this.vertx = vertx;
    this.volumes = volumes;
    this.nodeId = nodeId;
    this.addresses = addresses;
    this.backend = backend;
    this.basePath = basePath;
    this.python = python;
    this.pip = pip;
  }

  private final java.util.concurrent.atomic.AtomicInteger instances = new java.util.concurrent.atomic.AtomicInteger();

  public SandboxBackend backend() { return backend; }

  /** A worker instance starts; true for the first one. */
  boolean attach() {
    if (instances.getAndIncrement() == 0) {
      volumes.retain();
      return true;
    }
    return false;
  }

  /** When the last worker instance is gone: the backend is closed and the volumes unmounted. Blocking. */
  void detach() {
    if (instances.decrementAndGet() == 0) {
      backend.close();
      volumes.release();
    }
  }

  /** Registers a sandbox here and makes its workspace ready (its own volume when quotas are on). */
  public void register(SandboxSpec spec) throws java.io.IOException {
    backend.check(spec);
    backend.prepareWorkspace(spec, volumes);
    specs.put(spec.sandboxId(), spec);
    workspaces.remove(spec.sandboxId());
    files.remove(spec.sandboxId());
  }

  public void unregister(String sandboxId) {
    specs.remove(sandboxId);
    workspaces.remove(sandboxId);
    files.remove(sandboxId);
  }

  public SandboxSpec spec(String sandboxId) {
    SandboxSpec s = specs.get(sandboxId);
    if (s == null) {
      throw SandboxException.SandboxNotFoundException.forId(sandboxId);
    }
    return s;
  }

  public Workspace workspace(String sandboxId) {
    SandboxSpec spec = spec(sandboxId);
    return workspaces.computeIfAbsent(sandboxId, id -> new Workspace(spec.workspace()));
  }

  /** The sandbox's pip site directory, wherever the backend keeps it. */
  public io.alphora.sandbox.workspace.WorkspaceFiles siteFiles(String sandboxId) {
    return backend.siteFiles(spec(sandboxId));
  }

  /** Where the packages of a sandbox are, as {@code PackageInfo.location} reports it. */
  public String siteLocation(String sandboxId) {
    SandboxSpec spec = spec(sandboxId);
    return backend.type() == io.alphora.sandbox.BackendType.DOCKER ? backend.inSandboxPath(spec, spec.siteDir())
        : spec.siteDir().toString();
  }

  /** The sandbox's files as the file API sees them: its host workspace, or the backend's own view. */
  public io.alphora.sandbox.workspace.WorkspaceFiles files(String sandboxId) {
    SandboxSpec spec = spec(sandboxId);
    return files.computeIfAbsent(sandboxId, id -> backend.files(spec, workspace(id)));
  }

  /** Starts a run; the future completes with its result when the main process has exited. */
  public Execution exec(String sandboxId, String execId, ExecRequest req, Map<String, String> sandboxEnv,
      String requestId, boolean stdinOpen) {
    return exec(sandboxId, execId, req, sandboxEnv, requestId, stdinOpen, false);
  }

  /**
   * Starts a run; {@code streamed}: a streaming client (WebSocket, SSE, {@code execStream}) started it
   * and gets every byte as events, so its result keeps only a bounded part of the output.
   */
  public Execution exec(String sandboxId, String execId, ExecRequest req, Map<String, String> sandboxEnv,
      String requestId, boolean stdinOpen, boolean streamed) {
    SandboxSpec spec = spec(sandboxId);
    String id = execId == null ? Ids.exec() : Ids.checkExecId(execId);
    if (running.containsKey(id) || recent.containsKey(id)) {
      throw new SandboxException.InvalidRequestException("exec_id '" + id + "' is already in use");
    }
    RunRequest run = toRunRequest(spec, id, req, sandboxEnv, stdinOpen);
    Execution ex = new Execution(sandboxId, id, addresses.exec(sandboxId, id), vertx.eventBus(),
        run.timeoutSeconds(), requestId, streamed);
    track(ex, true);
    ex.announce();
    try {
      backend.exec(sandboxId, run, ex);
    } catch (RuntimeException e) {
      running.remove(id);
      throw e;
    }
    ex.submitted((data, eof) -> backend.stdin(sandboxId, id, data, eof));
    // A client that saw `start` may cancel before the runner got the run; that cancel found no run
    // in the runner. The flag is set before each cancel is sent, so one of the two sends comes after.
    if (ex.cancelRequested()) {
      backend.cancel(sandboxId, id);
    }
    return ex;
  }

  public Execution execution(String sandboxId, String execId) {
    Execution ex = running.get(execId);
    if (ex == null) {
      ex = recent.get(execId);
    }
    if (ex == null || !ex.sandboxId.equals(sandboxId)) {
      throw new SandboxException(ErrorCode.EXECUTION_NOT_FOUND, "execution '" + execId
          + "' not found in sandbox '" + sandboxId + "' (finished runs are kept for a while only)",
          Map.of("exec_id", execId));
    }
    return ex;
  }

  public List<Execution> runningIn(String sandboxId) {
    return running.values().stream().filter(e -> e.sandboxId.equals(sandboxId)).toList();
  }

  RunRequest toRunRequest(SandboxSpec spec, String id, ExecRequest req, Map<String, String> sandboxEnv,
      boolean stdinOpen) {
    EnvVars.checkAll(req.env());
    io.alphora.sandbox.workspace.WorkspaceFiles ws = files(spec.sandboxId());
    String lang = req.language() == null ? (req.command() != null ? "shell" : "python")
        : req.language().trim().toLowerCase(Locale.ROOT);
    String cwd = backend.inSandboxPath(spec, req.cwd() == null || req.cwd().isEmpty()
        ? spec.workspace() : directory(spec, ws, req.cwd()));
    double timeout = effectiveTimeout(spec, req.timeout());
    Map<String, String> env = runEnv(spec, sandboxEnv, req.env());
    Map<String, Long> rlimits = Map.of("nofile", (long) spec.limits().maxOpenFiles(), "fsize", fileLimit(spec));
    long maxOut = spec.limits().maxOutputSize();
    boolean bg = req.isBackground();
    switch (lang) {
      case "python", "python3", "py" -> {
        only(req, req.code() != null ^ req.file() != null, "a python run needs exactly one of 'code' or 'file'");
        importPolicy(spec, env);
        if (req.command() != null) {
          throw invalid("'command' belongs to shell runs; use 'code' or 'file' with language python");
        }
        if (req.code() != null) {
          if (!req.args().isEmpty()) {
            throw invalid("'args' go with 'file', not with 'code'");
          }
          return new RunRequest(id, RunRequest.Kind.PYTHON_CODE, req.code(), null, List.of(), List.of(), cwd, env,
              req.stdin(), stdinOpen, timeout, maxOut, bg, rlimits);
        }
        Path file = existing(spec, ws, req.file());
        io.alphora.sandbox.FileInfo fi = ws instanceof Workspace ? null : ws.info(req.file());
        if (fi == null ? !Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)
            : fi.isDirectory() || fi.isSymlink()) {
          throw invalid("'" + req.file() + "' is not a regular file");
        }
        return new RunRequest(id, RunRequest.Kind.PYTHON_FILE, null, backend.inSandboxPath(spec, file), req.args(),
            List.of(), cwd, env, req.stdin(), stdinOpen, timeout, maxOut, bg, rlimits);
      }
      case "shell", "bash", "sh" -> {
        if (req.command() == null || req.code() != null || req.file() != null) {
          throw invalid("a shell run needs 'command' (and no 'code' or 'file')");
        }
        if (!spec.policy().allowShell()) {
          throw new SandboxException.SecurityViolationException(ErrorCode.SHELL_ACCESS_DENIED,
              "Shell access is disabled by this sandbox's security policy (allow_shell=false)", Map.of());
        }
        // the command is one argv element of sh -c: never concatenated into another shell string
        return new RunRequest(id, RunRequest.Kind.ARGV, null, null, List.of(), List.of("/bin/sh", "-c", req.command()),
            cwd, env, req.stdin(), stdinOpen, timeout, maxOut, bg, rlimits);
      }
      default -> throw invalid("unknown language '" + req.language() + "': use 'python' or 'shell'");
    }
  }

  /** Where uploads are staged before {@code commit_file} moves them into a workspace. */
  public Path stagingDir() { return basePath.resolve("tmp"); }

  /** A run of an argv the service built itself (pip), with the sandbox's environment. */
  public Execution execArgv(String sandboxId, List<String> argv, Map<String, String> extraEnv, double timeout) {
    SandboxSpec spec = spec(sandboxId);
    String id = Ids.exec();
    Map<String, String> env = runEnv(spec, Map.of(), extraEnv);
    RunRequest run = new RunRequest(id, RunRequest.Kind.ARGV, null, null, List.of(), argv,
        backend.inSandboxPath(spec, spec.workspace()), env, null, false, timeout, spec.limits().maxOutputSize(),
        false, Map.of("nofile", (long) spec.limits().maxOpenFiles()));
    Execution ex = new Execution(sandboxId, id, addresses.exec(sandboxId, id), vertx.eventBus(), timeout, null);
    track(ex, false);
    ex.announce();
    backend.exec(sandboxId, run, ex);
    ex.submitted((data, eof) -> backend.stdin(sandboxId, id, data, eof));
    return ex;
  }

  /**
   * Keeps a run findable while it runs and among the recent ones after; a user's run is also
   * reported to the manager, before any reply, so it counts it and sees the sandbox idle again.
   */
  private void track(Execution ex, boolean userRun) {
    running.put(ex.execId, ex);
    ex.future().onComplete(r -> {
      running.remove(ex.execId);
      recent.put(ex.execId, ex);
      vertx.setTimer(REPLAY_KEEP_MS, t -> ex.releaseReplay());
      if (userRun) {
        vertx.eventBus().send(addresses.internal(nodeId), new JsonObject().put("sandbox_id", ex.sandboxId)
            .put("exec_id", ex.execId).put("status", r.result().status().value())
            .put("execution_time", r.result().executionTime()),
            new DeliveryOptions().addHeader(Actions.HEADER, Actions.RUN_FINISHED));
      }
    });
  }

  Map<String, String> runEnv(SandboxSpec spec, Map<String, String> sandboxEnv, Map<String, String> runEnv) {
    Map<String, String> env = new LinkedHashMap<>();
    String site = backend.inSandboxPath(spec, spec.siteDir());
    env.put("PATH", site + "/bin:/usr/local/bin:/usr/bin:/bin");
    env.put("HOME", backend.inSandboxPath(spec, spec.workspace()));
    env.put("LANG", "C.UTF-8");
    env.put("PYTHONPATH", site);
    env.put("PYTHONUNBUFFERED", "1");
    env.put("PYTHONDONTWRITEBYTECODE", "1");
    env.put("SANDBOX_ID", spec.sandboxId());
    if (sandboxEnv != null) {
      env.putAll(sandboxEnv);
    }
    env.putAll(runEnv);
    return env;
  }

  /**
   * The import policy for a Python run, read (and removed from the environment) by the runner before
   * the run's code starts; see the runner's {@code _install_policy}.
   */
  private static void importPolicy(SandboxSpec spec, Map<String, String> env) {
    env.remove("ALPHORA_POLICY"); // only the service sets it
    var p = spec.policy();
    if (!p.blockedImports().isEmpty() || !p.allowedImports().isEmpty() || !p.allowSubprocess()) {
      env.put("ALPHORA_POLICY", new JsonObject().put("blocked_imports", new io.vertx.core.json.JsonArray(p.blockedImports()))
          .put("allowed_imports", new io.vertx.core.json.JsonArray(p.allowedImports()))
          .put("allow_subprocess", p.allowSubprocess()).encode());
    }
  }

  static double effectiveTimeout(SandboxSpec spec, Double requested) {
    double max = spec.limits().timeoutSeconds();
    if (requested == null) {
      return max;
    }
    if (!(requested > 0)) {
      throw invalid("'timeout' must be a positive number of seconds (omit it to use the sandbox's "
          + "timeout_seconds=" + spec.limits().timeoutSeconds() + ")");
    }
    return Math.min(requested, max);
  }

  /** The largest file a sandbox may write: the smaller of the two limits that speak of it. */
  public static long fileLimit(SandboxSpec spec) {
    return Math.min(spec.limits().maxFileSize(), spec.policy().maxFileSizeMb() * 1024L * 1024L);
  }

  /**
   * The host path of an existing {@code rel} (checked as the file API checks it), for
   * {@link SandboxBackend#inSandboxPath}. Files the backend keeps elsewhere are checked there, and the
   * path is only where they would be on this host.
   */
  private static Path existing(SandboxSpec spec, io.alphora.sandbox.workspace.WorkspaceFiles ws, String rel) {
    if (ws instanceof Workspace host) {
      return host.resolveExisting(rel);
    }
    String norm = Workspace.normalize(rel);
    return norm.isEmpty() ? spec.workspace() : spec.workspace().resolve(norm);
  }

  private static Path directory(SandboxSpec spec, io.alphora.sandbox.workspace.WorkspaceFiles ws, String rel) {
    Path p = existing(spec, ws, rel);
    boolean dir = ws instanceof Workspace ? Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
        : ws.info(rel).isDirectory();
    if (!dir) {
      throw new SandboxException(ErrorCode.NOT_A_DIRECTORY, "cwd '" + rel + "' is not a directory",
          Map.of("path", rel));
    }
    return p;
  }

  private static void only(ExecRequest req, boolean ok, String message) {
    if (!ok) {
      throw invalid(message);
    }
  }

  static SandboxException invalid(String message) {
    return new SandboxException.InvalidRequestException(message);
  }
}
