package io.alphora.sandbox.runner;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One run, mirroring the runner's {@code exec} op. Immutable; start from {@link #pythonCode},
 * {@link #pythonFile}, {@link #argv} or {@link #shell} and refine with the {@code with*} methods.
 *
 * @param id unique among the runs in flight on one runner
 * @param code source for {@link Kind#PYTHON_CODE}, run as {@code __main__} like {@code python -c}
 * @param file script path for {@link Kind#PYTHON_FILE}, run like {@code python file args...}
 * @param args arguments after {@code file}
 * @param argv program and arguments for {@link Kind#ARGV}, exec'd directly (never via a shell
 *     string); a name without '/' is searched in the run environment's PATH
 * @param cwd working directory, or null for the runner's
 * @param env the run's complete environment, or null for the runner's
 * @param stdin text written to the run's stdin, or null
 * @param stdinOpen keep stdin open after {@code stdin} for {@link RunnerProcess#stdin}
 * @param timeoutSeconds the whole process tree is killed at this deadline; {@code <= 0}: none
 * @param maxOutput stdout+stderr bytes kept before the run is killed; {@code <= 0}: unlimited
 * @param background processes the main process leaves behind keep running after it exits
 * @param rlimits keys nofile, fsize, nproc, as, cpu (seconds); applied in the run's process
 */
public record RunRequest(String id, Kind kind, String code, String file, List<String> args,
    List<String> argv, String cwd, Map<String, String> env, String stdin, boolean stdinOpen,
    double timeoutSeconds, long maxOutput, boolean background, Map<String, Long> rlimits) {

  /** What the run executes. */
  public enum Kind {
    PYTHON_CODE("python_code"), PYTHON_FILE("python_file"), ARGV("argv");

    private final String wire;

    Kind(String wire) { this.wire = wire; }

    /** The protocol name. */
    public String wire() { return wire; }
  }

  public RunRequest {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("id is required");
    }
    Objects.requireNonNull(kind, "kind");
    switch (kind) {
      case PYTHON_CODE -> Objects.requireNonNull(code, "code");
      case PYTHON_FILE -> Objects.requireNonNull(file, "file");
      case ARGV -> {
        if (argv == null || argv.isEmpty()) {
          throw new IllegalArgumentException("argv must not be empty");
        }
      }
    }
    args = args == null ? List.of() : List.copyOf(args);
    argv = argv == null ? List.of() : List.copyOf(argv);
    env = env == null ? null : Map.copyOf(env);
    rlimits = rlimits == null ? Map.of() : Map.copyOf(rlimits);
  }

  public static RunRequest pythonCode(String id, String code) {
    return new RunRequest(id, Kind.PYTHON_CODE, code, null, null, null, null, null, null, false,
        0, 0, false, null);
  }

  public static RunRequest pythonFile(String id, String file, List<String> args) {
    return new RunRequest(id, Kind.PYTHON_FILE, null, file, args, null, null, null, null, false,
        0, 0, false, null);
  }

  public static RunRequest argv(String id, List<String> argv) {
    return new RunRequest(id, Kind.ARGV, null, null, null, argv, null, null, null, false, 0, 0,
        false, null);
  }

  /** {@code /bin/sh -c command}: the command string goes to the shell as one argv element. */
  public static RunRequest shell(String id, String command) {
    return argv(id, List.of("/bin/sh", "-c", command));
  }

  public RunRequest withCwd(String dir) {
    return new RunRequest(id, kind, code, file, args, argv, dir, env, stdin, stdinOpen,
        timeoutSeconds, maxOutput, background, rlimits);
  }

  public RunRequest withEnv(Map<String, String> environment) {
    return new RunRequest(id, kind, code, file, args, argv, cwd, environment, stdin, stdinOpen,
        timeoutSeconds, maxOutput, background, rlimits);
  }

  public RunRequest withStdin(String text, boolean keepOpen) {
    return new RunRequest(id, kind, code, file, args, argv, cwd, env, text, keepOpen,
        timeoutSeconds, maxOutput, background, rlimits);
  }

  public RunRequest withTimeout(double seconds) {
    return new RunRequest(id, kind, code, file, args, argv, cwd, env, stdin, stdinOpen, seconds,
        maxOutput, background, rlimits);
  }

  public RunRequest withMaxOutput(long bytes) {
    return new RunRequest(id, kind, code, file, args, argv, cwd, env, stdin, stdinOpen,
        timeoutSeconds, bytes, background, rlimits);
  }

  public RunRequest withBackground(boolean keepLeftovers) {
    return new RunRequest(id, kind, code, file, args, argv, cwd, env, stdin, stdinOpen,
        timeoutSeconds, maxOutput, keepLeftovers, rlimits);
  }

  public RunRequest withRlimits(Map<String, Long> limits) {
    return new RunRequest(id, kind, code, file, args, argv, cwd, env, stdin, stdinOpen,
        timeoutSeconds, maxOutput, background, limits);
  }

  public RunRequest withId(String newId) {
    return new RunRequest(newId, kind, code, file, args, argv, cwd, env, stdin, stdinOpen,
        timeoutSeconds, maxOutput, background, rlimits);
  }
}
