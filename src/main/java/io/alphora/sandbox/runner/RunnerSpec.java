package io.alphora.sandbox.runner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to start one runner process: {@code commandPrefix... python -I -u script}, in
 * {@code workDir}, with exactly {@code env} as its environment (nothing of the JVM's environment
 * is inherited). The runner's own stderr is kept in a bounded in-memory tail used in error
 * messages.
 *
 * @param python the interpreter, default {@code /usr/bin/python3}
 * @param script the extracted runner script, see {@link RunnerScript}
 * @param commandPrefix wrapper argv placed before the interpreter (a future bwrap/cgroup wrapper)
 * @param env the runner's complete environment; runs whose request has no env inherit it
 * @param workDir the runner's working directory (default cwd of runs), or null for the JVM's
 */
public record RunnerSpec(Path python, Path script, List<String> commandPrefix,
    Map<String, String> env, Path workDir) {

  public static final Path DEFAULT_PYTHON = Path.of("/usr/bin/python3");

  public RunnerSpec {
    Objects.requireNonNull(script, "script");
    python = python == null ? DEFAULT_PYTHON : python;
    commandPrefix = commandPrefix == null ? List.of() : List.copyOf(commandPrefix);
    env = env == null ? Map.of() : Map.copyOf(env);
  }

  /** A spec with a minimal environment: PATH, LANG=C.UTF-8 and HOME=workDir. */
  public static RunnerSpec of(Path script, Path workDir) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.put("LANG", "C.UTF-8");
    if (workDir != null) {
      env.put("HOME", workDir.toString());
    }
    return new RunnerSpec(null, script, List.of(), env, workDir);
  }

  /** Returns a copy whose environment has {@code key=value} added. */
  public RunnerSpec withEnv(String key, String value) {
    Map<String, String> copy = new LinkedHashMap<>(env);
    copy.put(key, value);
    return new RunnerSpec(python, script, commandPrefix, copy, workDir);
  }

  /** The full argv of the runner process. */
  public List<String> command() {
    List<String> cmd = new ArrayList<>(commandPrefix);
    cmd.add(python.toString());
    cmd.add("-I");   // isolated: ignore PYTHON* variables and user site-packages
    cmd.add("-u");
    cmd.add(script.toString());
    return cmd;
  }
}
