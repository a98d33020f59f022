package io.alphora.sandbox.runner;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * The two ends a {@link RunnerProcess} talks to a runner over, whatever carries them: the pipes of
 * a local child process, or the attached stdin/stdout of a container. Frames go to {@link #input},
 * events come from {@link #output}; {@link #errors} is the runner's own stderr (diagnostics only).
 */
public interface RunnerChannel {
  /** Where request frames are written (the runner's stdin). */
  OutputStream input();

  /** The runner's event stream (its stdout); end of stream means the runner is gone. */
  InputStream output();

  /** The runner's stderr. */
  InputStream errors();

  /** Names the runner in logs and messages, e.g. {@code pid 4242} or {@code container 3f2a…}. */
  String describe();

  /** A host process id usable for process statistics, or -1 when the runner is not a host child. */
  long pid();

  boolean isAlive();

  /**
   * Waits up to {@code millis} for the runner to end.
   *
   * @return its exit code, or null when it is still running after that time
   */
  Integer waitFor(long millis) throws InterruptedException;

  /** Kills the runner without asking. */
  void kill();

  /** A channel over a local child process. */
  static RunnerChannel of(Process p) {
    return new RunnerChannel() {
      @Override
      public OutputStream input() { return p.getOutputStream(); }

      @Override
      public InputStream output() { return p.getInputStream(); }

      @Override
      public InputStream errors() { return p.getErrorStream(); }

      @Override
      public String describe() { return "pid " + p.pid(); }

      @Override
      public long pid() { return p.pid(); }

      @Override
      public boolean isAlive() { return p.isAlive(); }

      @Override
      public Integer waitFor(long millis) throws InterruptedException {
        return p.waitFor(millis, java.util.concurrent.TimeUnit.MILLISECONDS) ? p.exitValue() : null;
      }

      @Override
      public void kill() { p.destroyForcibly(); }
    };
  }
}
