package io.alphora.sandbox;

import java.util.List;
import java.util.Map;

/**
 * One run: Python {@code code}, a Python {@code file} with {@code args}, or a shell {@code command}.
 * {@code timeout} in seconds (null: the sandbox's {@code timeout_seconds}); {@code env} adds variables
 * for this run only; {@code cwd} is workspace-relative; {@code background} keeps processes the run
 * left behind alive after its main process exits.
 */
public record ExecRequest(
    String language, String code, String file, List<String> args, String command, Double timeout,
    Map<String, String> env, String stdin, String cwd, Boolean background) {

  public ExecRequest {
    args = args == null ? List.of() : List.copyOf(args);
    env = env == null ? Map.of() : Map.copyOf(env);
  }

  public static ExecRequest python(String code) {
    return new ExecRequest("python", code, null, null, null, null, null, null, null, null);
  }

  public static ExecRequest pythonFile(String file, List<String> args) {
    return new ExecRequest("python", null, file, args, null, null, null, null, null, null);
  }

  public static ExecRequest shell(String command) {
    return new ExecRequest("shell", null, null, null, command, null, null, null, null, null);
  }

  public ExecRequest withTimeout(double seconds) {
    return new ExecRequest(language, code, file, args, command, seconds, env, stdin, cwd, background);
  }

  public ExecRequest withStdin(String in) {
    return new ExecRequest(language, code, file, args, command, timeout, env, in, cwd, background);
  }

  public ExecRequest withEnv(Map<String, String> e) {
    return new ExecRequest(language, code, file, args, command, timeout, e, stdin, cwd, background);
  }

  public ExecRequest withCwd(String dir) {
    return new ExecRequest(language, code, file, args, command, timeout, env, stdin, dir, background);
  }

  public ExecRequest inBackground() {
    return new ExecRequest(language, code, file, args, command, timeout, env, stdin, cwd, true);
  }

  public boolean isBackground() { return Boolean.TRUE.equals(background); }
}
