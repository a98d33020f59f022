package io.alphora.sandbox.runner;

/**
 * How one run ended, as reported by the runner's {@code exit} event (or synthesised by
 * {@link RunnerProcess} when the runner itself went away).
 *
 * @param code exit status of the run's main process, {@code -N} when it was killed by signal N,
 *     {@code -1} when the run never started or its outcome is unknown
 * @param signal the killing signal, or {@code null}
 * @param reason {@code null} when the main process ended by itself, else one of the REASON_*
 *     constants
 * @param truncated output was cut at the run's {@code maxOutput}
 * @param cpuTime user+system seconds of the main process and the children it reaped
 * @param maxRssMb peak resident set size in MiB
 * @param wallSeconds seconds from the request to the main process's exit
 * @param error a runner-side problem (setup failure, exec failure, runner death), or {@code null}
 */
public record RunExit(int code, Integer signal, String reason, boolean truncated, double cpuTime,
    double maxRssMb, double wallSeconds, String error) {

  public static final String REASON_TIMEOUT = "timeout";
  public static final String REASON_CANCELLED = "cancelled";
  public static final String REASON_OUTPUT_LIMIT = "output_limit";
  /** The runner was shut down (or closed) while the run was in flight. */
  public static final String REASON_KILLED = "killed";
  /** The runner process died unexpectedly; the run's processes died with it. */
  public static final String REASON_RUNNER_DIED = "runner_died";
  /** The request was refused (malformed, duplicate id, fork failure); nothing ran. */
  public static final String REASON_ERROR = "error";

  /** True when the main process exited by itself with status 0. */
  public boolean success() {
    return code == 0 && reason == null;
  }

  public static final String REASON_MEMORY_LIMIT = "memory_limit";
  public static final String REASON_PROCESS_LIMIT = "process_limit";
  static final String MEMORY_LIMIT_MESSAGE = "the run exceeded the sandbox's memory limit and was killed";
  static final String PIDS_LIMIT_MESSAGE =
      "the run reached the sandbox's process/thread limit: a fork or thread start was refused";

  /** The same exit, put down to a limit the backend found was hit ({@code REASON_*_LIMIT}). */
  public RunExit limitedBy(String limitReason, String message) {
    return new RunExit(code, signal, limitReason, truncated, cpuTime, maxRssMb, wallSeconds, message);
  }

  /**
   * A run that failed on its own is put down to the memory or pids limit when the sandbox's OOM-kill
   * or refused-fork counter went up while it ran; any other exit is returned as it is. The counters
   * are read (the suppliers called) only for a failed run, so a clean exit costs no file read.
   */
  public RunExit blamedOnCounters(java.util.function.BooleanSupplier oomKilled,
      java.util.function.BooleanSupplier forkRefused) {
    if (reason != null || (code == 0 && signal == null)) {
      return this;
    }
    if (oomKilled.getAsBoolean()) {
      return limitedBy(REASON_MEMORY_LIMIT, MEMORY_LIMIT_MESSAGE);
    }
    return forkRefused.getAsBoolean() ? limitedBy(REASON_PROCESS_LIMIT, PIDS_LIMIT_MESSAGE) : this;
  }

  static RunExit synthetic(String reason, double wallSeconds, String error) {
    return new RunExit(-1, null, reason, false, 0, 0, wallSeconds, error);
  }
}
