package io.alphora.sandbox.runner;

/**
 * Receives the events of one run. All methods are called on the runner's reader thread, in the
 * order the runner produced them, so implementations must not block: hand work off instead.
 * {@link #onExit} is called exactly once per accepted request, after every {@link #onOutput} of
 * that run, including when the runner dies mid-run ({@link RunExit#REASON_RUNNER_DIED}).
 */
public interface RunListener {

  /** The run's main process exists; {@code pid} is its pid as seen from the JVM's namespace. */
  default void onStart(long pid) {}

  /** A chunk of output: {@code fd} 1 = stdout, 2 = stderr, decoded as UTF-8 (errors replaced). */
  void onOutput(int fd, String data);

  /** The run is over; no further calls follow. */
  void onExit(RunExit exit);

  /** A non-fatal problem with this run (a failed rlimit, dropped stdin data, ...). */
  default void onError(String message) {}
}
