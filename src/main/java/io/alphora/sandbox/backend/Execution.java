package io.alphora.sandbox.backend;

import io.alphora.sandbox.ExecutionResult;
import io.alphora.sandbox.ExecutionStatus;
import io.alphora.sandbox.runner.RunExit;
import io.alphora.sandbox.runner.RunListener;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;

/**
 * One run in flight or recently finished. It publishes every event on the run's address and builds
 * the buffered {@link ExecutionResult} from the same events, so streamed and plain runs agree. Output
 * is bounded by the runner (it stops forwarding at {@code max_output_size}).
 *
 * <p>Two bounded memories serve streaming clients: a replay ring of the latest events (at most
 * {@link #REPLAY_BYTES} of output, oldest dropped first), from which a client attaching late gets
 * what is still buffered ({@link #replay}); and, for a run started by a streaming client, a result
 * whose {@code stdout}/{@code stderr} keep only the first {@link #STREAMED_RESULT_BYTES} characters,
 * since the client received every byte as events already (a plain run's result keeps all of it).
 */
final class Execution implements RunListener {
  /** Output characters kept for replay per run; older events are dropped first. */
  static final int REPLAY_BYTES = 512 * 1024;
  /** Output characters a streamed run keeps in its {@link ExecutionResult} (stdout and stderr together). */
  static final int STREAMED_RESULT_BYTES = 64 * 1024;

  final String sandboxId;
  final String execId;
  private final String address;
  private final EventBus bus;
  private final double timeoutSeconds;
  private final long started = System.nanoTime();
  private final StringBuilder stdout = new StringBuilder();
  private final StringBuilder stderr = new StringBuilder();
  private final Promise<ExecutionResult> done = Promise.promise();
  private final long resultChars;
  private final String requestId;
  private final ArrayDeque<JsonObject> replay = new ArrayDeque<>();
  private long replayChars;
  private boolean replayReleased;
  private long seq;
  private ExecutionResult result;
  private JsonObject exitEvent;
  private boolean clipped;
  private volatile boolean cancelRequested;
  /** Guards stdin only: never held by the runner's reader thread, which may be waiting on this object. */
  private final Object stdinLock = new Object();
  /** Where stdin goes once the runner has the run; until then it waits in {@link #earlyStdin}. */
  private java.util.function.BiConsumer<String, Boolean> stdinSink;
  private final ArrayDeque<java.util.Map.Entry<String, Boolean>> earlyStdin = new ArrayDeque<>();
  private long earlyStdinChars;
  /** stdin characters kept for a run the runner does not have yet (the runner's own cap is 1 MiB too). */
  static final long EARLY_STDIN_CHARS = 1 << 20;

  Execution(String sandboxId, String execId, String address, EventBus bus, double timeoutSeconds,
      String requestId) {
    this(sandboxId, execId, address, bus, timeoutSeconds, requestId, false);
  }

  /** @param streamed a streaming client started the run: its result keeps a bounded part of the output */
  Execution(String sandboxId, String execId, String address, EventBus bus, double timeoutSeconds,
      String requestId, boolean streamed) {
    this.sandboxId = sandboxId;
    this.execId = execId;
    this.address = address;
    this.bus = bus;
    this.timeoutSeconds = timeoutSeconds;
    this.resultChars = streamed ? STREAMED_RESULT_BYTES : Long.MAX_VALUE;
    this.requestId = requestId;
  }

  /**
   * Publishes the {@code start} event. Called once the run can be found by its id (a client that sees
   * {@code start} may send {@code stdin} or {@code cancel} at once) and before the runner gets it, so
   * subscribers see {@code start} first.
   */
  synchronized void announce() {
    publish(RunEvents.start(execId, seq++, requestId), 0);
  }

  /** Publishes an event and remembers it for late subscribers (bounded, oldest dropped first). */
  private void publish(JsonObject event, int chars) {
    if (!replayReleased) {
      replay.addLast(event);
      replayChars += chars;
      while (replayChars > REPLAY_BYTES && replay.size() > 1) {
        JsonObject old = replay.removeFirst();
        String d = old.getString("data");
        replayChars -= d == null ? 0 : d.length();
      }
    }
    bus.publish(address, event);
  }

  /**
   * The buffered events with {@code seq >= fromSeq}, oldest first, and whether the run is over. A
   * finished run always answers its {@code exit} event, also after the replay was released.
   */
  synchronized JsonObject replay(long fromSeq) {
    JsonArray events = new JsonArray();
    for (JsonObject e : replay) {
      if (e.getLong("seq") >= fromSeq) {
        events.add(e);
      }
    }
    if (replayReleased && exitEvent != null && exitEvent.getLong("seq") >= fromSeq) {
      events.add(exitEvent);
    }
    JsonObject first = replay.peekFirst();
    return new JsonObject().put("exec_id", execId).put("events", events).put("next_seq", seq)
        .put("first_buffered_seq", first == null ? seq - 1 : first.getLong("seq")).put("done", exitEvent != null);
  }

  /** Marks the run cancelled by a caller (see {@link BackendNode#exec}: a cancel may overtake the start). */
  void requestCancel() { cancelRequested = true; }

  boolean cancelRequested() { return cancelRequested; }

  /**
   * Feeds the run's stdin, in order. A client that saw {@code start} may send stdin before the runner
   * got the run (it would drop data for a run it does not know): that waits here until
   * {@link #submitted}. Beyond {@link #EARLY_STDIN_CHARS} waiting, data is dropped (an EOF is kept).
   */
  void stdin(String data, boolean eof) {
    synchronized (stdinLock) {
      if (stdinSink != null) {
        stdinSink.accept(data, eof);
        return;
      }
      String kept = earlyStdinChars + data.length() <= EARLY_STDIN_CHARS ? data : "";
      earlyStdinChars += kept.length();
      earlyStdin.add(java.util.Map.entry(kept, eof));
    }
  }

  /** The runner has the run: what stdin waited goes to {@code sink} now, and the rest as it comes. */
  void submitted(java.util.function.BiConsumer<String, Boolean> sink) {
    synchronized (stdinLock) {
      stdinSink = sink;
      java.util.Map.Entry<String, Boolean> e;
      while ((e = earlyStdin.poll()) != null) {
        sink.accept(e.getKey(), e.getValue());
      }
    }
  }

  /** Frees the replay ring of a finished run (its exit event stays available). */
  synchronized void releaseReplay() {
    replayReleased = true;
    replay.clear();
    replayChars = 0;
  }

  io.vertx.core.Future<ExecutionResult> future() { return done.future(); }

  /**
   * The finished run's result as JSON, the object its {@code exit} event carries (converted once:
   * the bus copies a JsonObject it delivers, so the event and a reply may share it).
   */
  synchronized JsonObject resultJson() { return exitEvent.getJsonObject("result"); }

  @Override
  public void onStart(long pid) {
    // the start event was published when the run was accepted, so subscribers see it first
  }

  @Override
  public synchronized void onOutput(int fd, String data) {
    long room = resultChars - stdout.length() - stderr.length();
    if (room >= data.length()) {
      (fd == 2 ? stderr : stdout).append(data);
    } else {
      (fd == 2 ? stderr : stdout).append(data, 0, (int) Math.max(0, room));
      clipped = true;
    }
    publish(RunEvents.output(execId, seq++, fd, data), data.length());
  }

  @Override
  public void onExit(RunExit exit) {
    ExecutionResult r;
    synchronized (this) {
      r = toResult(exit);
      result = r;
      exitEvent = RunEvents.exit(execId, seq++, r);
      if (clipped) {
        exitEvent.put("output_clipped", true);
      }
      publish(exitEvent, 0);
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
