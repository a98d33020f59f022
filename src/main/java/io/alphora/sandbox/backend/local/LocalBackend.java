package io.alphora.sandbox.backend.local;

import io.alphora.sandbox.BackendType;
import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.backend.ProcStats;
import io.alphora.sandbox.backend.ProcTree;
import io.alphora.sandbox.backend.SandboxBackend;
import io.alphora.sandbox.backend.SandboxSpec;
import io.alphora.sandbox.runner.RunListener;
import io.alphora.sandbox.runner.RunRequest;
import io.alphora.sandbox.runner.RunnerProcess;
import io.alphora.sandbox.runner.RunnerScript;
import io.alphora.sandbox.runner.RunnerSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each sandbox as one long-lived runner process on this host; a run is a fork of that runner.
 * The runner starts from an empty environment: nothing of the service's environment reaches it.
 */
public final class LocalBackend implements SandboxBackend {
  private static final Logger LOG = LoggerFactory.getLogger(LocalBackend.class);

  private final Path python;
  private final Path runnerDir;
  private final DeathListener deaths;
  private final boolean bwrap;
  private final Path bwrapPath;
  private final Path wheels;
  private final Map<String, RunnerProcess> runners = new ConcurrentHashMap<>();
  private final Map<String, Cgroups.Group> groups = new ConcurrentHashMap<>();
  private final Cgroups cgroups;
  private final ProcessWatch processWatch;
  private final List<Path> allowedHostPaths;
  private volatile Path script;

  /**
   * @param python absolute path of the interpreter (never a PATH lookup: shims are slow and may be
   *     the service's own environment)
   * @param runnerDir where the runner script is extracted (under the base path)
   * @param deaths told when a runner dies on its own
   * @param bwrap whether runners are confined with bubblewrap ({@link Bwrap})
   * @param bwrapPath the bwrap binary
   * @param wheels a directory of wheels (pip find-links) made visible read-only inside, or null
   * @param cgroupNodeId this node's id, under which per-sandbox cgroups are made; null: no cgroups
   * @param allowedHostPaths host paths an operator lets sandboxes see ({@code allowed_paths} must be
   *     within them)
   */
  public LocalBackend(Path python, Path runnerDir, DeathListener deaths, boolean bwrap, Path bwrapPath,
      Path wheels, String cgroupNodeId, List<String> allowedHostPaths) {
    this.allowedHostPaths = allowedHostPaths.stream().map(Path::of).toList();
    this.python = python;
    this.runnerDir = runnerDir;
    this.deaths = deaths;
    this.bwrap = bwrap;
    this.bwrapPath = bwrapPath;
    this.wheels = wheels == null ? null : wheels.toAbsolutePath().normalize();
    this.cgroups = cgroupNodeId == null ? null : Cgroups.detect(cgroupNodeId);
    this.processWatch = cgroups == null ? null : new ProcessWatch(groups, this::cancel);
  }

  @Override
  public BackendType type() { return BackendType.LOCAL; }

  @Override
  public String isolation() { return bwrap ? "bwrap" : "none"; }

  @Override
  public void check(SandboxSpec spec) {
    AllowedPaths.check(spec.policy(), allowedHostPaths);
  }

  @Override
  public void start(SandboxSpec spec) throws Exception {
    check(spec);
    if (!Files.isExecutable(python)) {
      throw new SandboxException(ErrorCode.BACKEND_UNAVAILABLE, "Python interpreter '" + python
          + "' not found or not executable: install python3 or set SANDBOX_PYTHON / local.python");
    }
    Files.createDirectories(spec.workspace());
    Files.createDirectories(spec.siteDir());
    RunnerProcess old = runners.remove(spec.sandboxId());
    if (old != null) {
      old.close();
    }
    List<String> prefix = new java.util.ArrayList<>();
    Cgroups.Group group = cgroups == null ? null : cgroups.create(spec.sandboxId(), spec.limits());
    if (group != null) {
      groups.put(spec.sandboxId(), group);
      prefix.addAll(Cgroups.wrapper(group));
    }
    RunnerSpec rs;
    if (bwrap) {
      if (!Files.isExecutable(bwrapPath)) {
        throw new SandboxException(ErrorCode.BACKEND_UNAVAILABLE, "bubblewrap is not installed at " + bwrapPath
            + ": install it (apt-get install -y bubblewrap) or set local.isolation: none "
            + "(SANDBOX_LOCAL_ISOLATION=none) to run sandboxes without OS isolation");
      }
      prefix.addAll(Bwrap.command(bwrapPath, spec, script(), wheels));
      rs = new RunnerSpec(python, Path.of(Bwrap.RUNNER), prefix, baseEnv(spec), spec.workspace());
    } else {
      rs = new RunnerSpec(python, script(), prefix, baseEnv(spec), spec.workspace());
    }
    RunnerProcess runner = startRunner(rs, spec, group != null);
    runners.put(spec.sandboxId(), runner);
    runner.onDeath(() -> {
      if (runners.remove(spec.sandboxId(), runner)) {
        deaths.runnerDied(spec.sandboxId(), "the sandbox's runner process (pid " + runner.pid()
            + ") exited unexpectedly; restart the sandbox");
      }
    });
    LOG.debug("sandbox {} runner pid {} ({})", spec.sandboxId(), runner.pid(), runner.killMode());
  }

  /**
   * Starts the runner. Exit 97 means a cgroup vanished before the runner entered it (another service
   * instance on this host swept it as empty): the groups are made again, a few times.
   */
  private RunnerProcess startRunner(RunnerSpec rs, SandboxSpec spec, boolean inGroups) throws java.io.IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return RunnerProcess.start(rs);
      } catch (java.io.IOException e) {
        if (!inGroups || attempt == 3 || !String.valueOf(e.getMessage()).contains("exited with code 97")) {
          throw e;
        }
        LOG.debug("sandbox {}: cgroup gone before the runner entered it; again", spec.sandboxId());
        cgroups.create(spec.sandboxId(), spec.limits());
      }
    }
  }

  private synchronized Path script() throws java.io.IOException {
    if (script == null) {
      script = RunnerScript.extract(runnerDir);
    }
    return script;
  }

  /** The runner's own environment: minimal, with HOME in the workspace. */
  private Map<String, String> baseEnv(SandboxSpec spec) {
    return Map.of(
        "PATH", "/usr/local/bin:/usr/bin:/bin",
        "HOME", inSandboxPath(spec, spec.workspace()),
        "LANG", "C.UTF-8");
  }

  @Override
  public void stop(String sandboxId) {
    RunnerProcess r = runners.remove(sandboxId);
    if (r != null) {
      r.close();
    }
    Cgroups.Group g = groups.remove(sandboxId);
    if (g != null) {
      g.remove();
    }
  }

  @Override
  public boolean isRunning(String sandboxId) {
    RunnerProcess r = runners.get(sandboxId);
    return r != null && r.isAlive();
  }

  private RunnerProcess runner(String sandboxId) {
    RunnerProcess r = runners.get(sandboxId);
    if (r == null || !r.isAlive()) {
      throw SandboxException.SandboxStateException.notRunning(sandboxId);
    }
    return r;
  }

  @Override
  public void exec(String sandboxId, RunRequest request, RunListener listener) {
    RunnerProcess r = runner(sandboxId);
    Cgroups.Group g = groups.get(sandboxId);
    if (g == null) {
      r.exec(request, listener);
      return;
    }
    Runnable[] end = new Runnable[1];
    LimitWatch w = new LimitWatch(request.id(), g, listener, () -> end[0].run());
    end[0] = processWatch.watch(sandboxId, w);
    try {
      r.exec(request, w);
    } catch (RuntimeException e) {
      end[0].run();
      throw e;
    }
  }

  @Override
  public void stdin(String sandboxId, String execId, String data, boolean eof) {
    runner(sandboxId).stdin(execId, data, eof);
  }

  @Override
  public void cancel(String sandboxId, String execId) {
    RunnerProcess r = runners.get(sandboxId);
    if (r != null) {
      r.cancel(execId);
    }
  }

  @Override
  public ProcStats stats(String sandboxId) {
    RunnerProcess r = runners.get(sandboxId);
    return r == null ? ProcStats.NONE : ProcTree.measure(r.pid(), RunnerProcess.HELPER_PROCESS_NAMES);
  }

  @Override
  public String inSandboxPath(SandboxSpec spec, Path hostPath) {
    return bwrap ? Bwrap.inSandbox(spec, hostPath, wheels) : hostPath.toString();
  }

  @Override
  public void close() {
    runners.keySet().forEach(this::stop);
    if (cgroups != null) {
      processWatch.close();
      cgroups.close();
    }
  }
}
