package io.alphora.sandbox.backend;

import io.alphora.sandbox.ExecutionResult;
import io.alphora.sandbox.ExecutionStatus;
import io.alphora.sandbox.runner.RunExit;
import io.alphora.sandbox.runner.RunListener;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.EventBus;

/**
 * One run in flight or recently finished. It publishes every event on the run's address and builds
 * the buffered {@link ExecutionResult} from the same events, so streamed and plain runs agree. Output
 * is bounded by the runner (it stops forwarding at {@code max_output_size}).
 */
final class Execution implements RunListener {
  final String sandboxId;
  final String execId;
  private final String address;
  private final EventBus bus;
  private final double timeoutSeconds;
  private final long started = System.nanoTime();
  private final StringBuilder stdout = new StringBuilder();
  private final StringBuilder stderr = new StringBuilder();
  private final Promise<ExecutionResult> done = Promise.promise();
  private long seq;
  private ExecutionResult result;

  Execution(String sandboxId, String execId, String address, EventBus bus, double timeoutSeconds,
      String requestId) {
    this.sandboxId = sandboxId;
    this.execId = execId;
    this.address = address;
    this.bus = bus;
    this.timeoutSeconds = timeoutSeconds;
    publishStart(requestId);
  }

  private synchronized void publishStart(String requestId) {
    bus.publish(address, RunEvents.start(execId, seq++, requestId));
  }

  io.vertx.core.Future<ExecutionResult> future() { return done.future(); }

  @Override
  public void onStart(long pid) {
    // the start event was published when the run was accepted, so subscribers see it first
  }

  @Override
  public synchronized void onOutput(int fd, String data) {
    (fd == 2 ? stderr : stdout).append(data);
    bus.publish(address, RunEvents.output(execId, seq++, fd, data));
  }

  @Override
  public void onExit(RunExit exit) {
    ExecutionResult r;
    synchronized (this) {
      r = toResult(exit);
      result = r;
      bus.publish(address, RunEvents.exit(execId, seq++, r));
    }
    done.tryComplete(r);
  }

  /** The result so far: {@code running} with the output until now, or the final one. */
  synchronized ExecutionResult snapshot() {
    if (result != null) {
      return result;
    }
    return ExecutionResult.running(execId, stdout.toString(), stderr.toString(), elapsed());
  }

  private double elapsed() { return (System.nanoTime() - started) / 1e9; }

  private ExecutionResult toResult(RunExit exit) {
    ExecutionStatus status;
    String error = null;
    String errorType = null;
    int code = exit.code();
    boolean truncated = exit.truncated();
    String reason = exit.reason();
    if (reason == null) {
      status = code == 0 ? ExecutionStatus.SUCCESS : ExecutionStatus.FAILED;
      if (exit.signal() != null) {
        error = "the process was killed by signal " + exit.signal();
      }
    } else {
      code = -1;
      switch (reason) {
        case "timeout" -> {
          status = ExecutionStatus.TIMEOUT;
          errorType = "TimeoutError";
          error = "Execution timed out after " + fmt(timeoutSeconds) + " seconds";
        }
        case "cancelled" -> {
          status = ExecutionStatus.CANCELLED;
          errorType = "Cancelled";
          error = "Execution was cancelled";
        }
        case "memory_limit" -> {
          status = ExecutionStatus.FAILED;
          errorType = "MemoryLimitExceeded";
          error = "Memory limit exceeded (resource_limits.memory_mb): the run was killed";
        }
        case "process_limit" -> {
          status = ExecutionStatus.FAILED;
          errorType = "ProcessLimitExceeded";
          error = "Process limit reached (resource_limits.max_processes + max_threads): a new process or "
              + "thread was refused";
        }
        case "killed" -> {
          // the runner was shut down: the sandbox stopped (or the service is draining)
          status = ExecutionStatus.CANCELLED;
          errorType = "Cancelled";
          error = "Execution was cancelled because the sandbox stopped";
        }
        case "output_limit" -> {
          status = ExecutionStatus.FAILED;
          errorType = "OutputLimitExceeded";
          error = "Output exceeded max_output_size; the run was stopped and its output truncated";
          truncated = true;
        }
        default -> {
          status = ExecutionStatus.FAILED;
          errorType = "ExecutionError";
          error = exit.error() != null ? exit.error() : "the run ended abnormally (" + reason + ")";
        }
      }
    }
    return new ExecutionResult(execId, status == ExecutionStatus.SUCCESS, status, stdout.toString(),
        stderr.toString(), code, Math.round(elapsed() * 1e6) / 1e6, error, errorType, truncated,
        exit.maxRssMb() > 0 ? exit.maxRssMb() : null, exit.cpuTime());
  }

  private static String fmt(double seconds) {
    return seconds == Math.rint(seconds) ? String.valueOf((long) seconds) : String.valueOf(seconds);
  }
}
