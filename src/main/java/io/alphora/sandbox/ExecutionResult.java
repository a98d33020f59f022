package io.alphora.sandbox;

/**
 * The outcome of one run. {@code error_type} names why a run ended badly ({@code TimeoutError},
 * {@code MemoryLimitExceeded}, {@code OutputLimitExceeded}, {@code ProcessLimitExceeded},
 * {@code SecurityViolation}, {@code Cancelled}, {@code ExecutionError}); a plain non-zero exit has
 * {@code status=failed} and no error type.
 */
public record ExecutionResult(
    String execId, boolean success, ExecutionStatus status, String stdout, String stderr,
    int returnCode, double executionTime, String error, String errorType, boolean truncated,
    Double memoryUsedMb, Double cpuTime) {

  /** The seed's {@code output} property: stdout on success, else the error or stderr. */
  public String output() {
    return success ? stdout : (error != null ? error : stderr);
  }

  /** A placeholder for a run that has been accepted but has not finished. */
  public static ExecutionResult running(String execId, String stdout, String stderr, double elapsed) {
    return new ExecutionResult(execId, false, ExecutionStatus.RUNNING, stdout, stderr, 0, elapsed, null,
        null, false, null, null);
  }
}
