package io.alphora.sandbox.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long-lived runner process (the Python script from {@link RunnerScript}) that executes the
 * runs of one sandbox, driven over newline-delimited JSON on its stdin/stdout.
 *
 * <p>Requests: {@code exec}, {@code stdin}, {@code cancel}, {@code ping}, {@code shutdown}.
 * Events: {@code ready}, {@code start}, {@code out}, {@code exit}, {@code error}, {@code pong}.
 * Inside the runner every run executes in its own PID namespace ("cell") whose init reaps and
 * kills everything the run leaves behind; a timeout or cancel SIGKILLs that init, which makes the
 * kernel kill the whole tree, daemons included. Cells are pre-forked and pre-warmed, so an exec
 * costs one fork done ahead of time (see the script's header for the details and the weaker
 * {@code pgroup} fallback).
 *
 * <p>One daemon thread reads the events and calls the {@link RunListener}s; a second one keeps the
 * last 8 KiB of the runner's stderr for error messages (nothing is written to disk). Writes are
 * serialised and flushed per frame. Every accepted {@link #exec} ends with exactly one
 * {@link RunListener#onExit}, also when the runner dies ({@link RunExit#REASON_RUNNER_DIED}) or
 * is closed ({@link RunExit#REASON_KILLED}). Listeners must not block: while one runs, no other
 * event of this runner is read, and a runner that cannot write its events stops reading output.
 */
public final class RunnerProcess implements AutoCloseable {
  /**
   * Process names ({@code /proc/PID/comm}) of the runner's own helpers below it: namespace inits
   * and idle pre-forked spares, a few MiB of private memory each. Leave them out when counting a
   * sandbox's processes; a run's processes are named after their program.
   */
  public static final Set<String> HELPER_PROCESS_NAMES = Set.of("alphora-cell", "alphora-spare");

  private static final Logger LOG = LoggerFactory.getLogger(RunnerProcess.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int MAX_EVENT_BYTES = 8 << 20;
  private static final long READY_TIMEOUT_MS = 10_000;
  // The runner sets PR_SET_PDEATHSIG so it dies with the JVM. The kernel ties that signal to the
  // *thread* that forked it, so runners must be spawned by a thread that lives as long as the
  // JVM; a pooled or request thread exiting would silently kill its runners.
  private static final ExecutorService SPAWNER = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "alphora-runner-spawner");
    t.setDaemon(true);
    return t;
  });

  private record Pending(RunListener listener, long startNanos) {}

  private final RunnerChannel channel;
  private final OutputStream toRunner;
  private final Object writeLock = new Object();
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final TailBuffer stderrTail = new TailBuffer(8192);
  private final CompletableFuture<JsonNode> ready = new CompletableFuture<>();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicBoolean deathFired = new AtomicBoolean();
  private final Thread reader;
  private final Thread stderrReader;
  private volatile boolean dead;
  private volatile Runnable deathCallback;
  private volatile String killMode = "unknown";

  private RunnerProcess(RunnerChannel channel) {
    this.channel = channel;
    this.toRunner = channel.input();
    this.reader = daemon("alphora-runner-" + channel.describe(), this::readLoop);
    this.stderrReader = daemon("alphora-runner-stderr-" + channel.describe(),
        () -> stderrTail.drain(channel.errors()));
    stderrReader.start();
    reader.start();
  }

  /** Spawns a runner and waits (at most 10 s) for its {@code ready} event. */
  public static RunnerProcess start(RunnerSpec spec) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(spec.command());
    pb.environment().clear();
    pb.environment().putAll(spec.env());
    if (spec.workDir() != null) {
      pb.directory(spec.workDir().toFile());
    }
    Process process;
    try {
      process = SPAWNER.submit(pb::start).get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while starting the runner");
    }
    return connect(RunnerChannel.of(process), spec.command().toString());
  }

  /**
   * Drives a runner that is already running behind {@code channel} (a container's attached
   * streams, say) and waits (at most 10 s) for its {@code ready} event.
   *
   * @param what names the runner in the error when it does not become ready
   */
  public static RunnerProcess connect(RunnerChannel channel, String what) throws IOException {
    RunnerProcess runner = new RunnerProcess(channel);
    try {
      JsonNode ev = runner.ready.get(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      runner.killMode = ev.path("kill_mode").asText("unknown");
      LOG.debug("runner {} ready, kill mode {}", runner.describe(), runner.killMode);
      return runner;
    } catch (TimeoutException | ExecutionException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      runner.channel.kill();
      runner.awaitStderr();
      String why = e instanceof TimeoutException ? "did not become ready within 10 s"
          : e instanceof ExecutionException ? e.getCause().getMessage() : "start was interrupted";
      throw new IOException("runner " + what + " " + why + "; stderr: " + runner.stderrTail);
    }
  }

  /**
   * Starts a run. The listener is called on the reader thread.
   *
   * @throws IllegalArgumentException when a run with the same id is still in flight
   * @throws IllegalStateException when the runner is closed or dead
   */
  public void exec(RunRequest request, RunListener listener) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(listener, "listener");
    if (dead || closing.get()) {
      throw new IllegalStateException("runner " + describe() + " is not running");
    }
    Pending p = new Pending(listener, System.nanoTime());
    if (pending.putIfAbsent(request.id(), p) != null) {
      throw new IllegalArgumentException("a run with id " + request.id() + " is in flight");
    }
    // Registered before the dead check: either the dying reader sees this entry and reports
    // runner_died, or we see `dead` here; whoever removes the entry owns it.
    if (dead && pending.remove(request.id(), p)) {
      throw new IllegalStateException("runner " + describe() + " died");
    }
    send(RunnerFrames.exec(MAPPER, request));
  }

  /** Feeds a running run's stdin (it must have been started with stdinOpen). */
  public void stdin(String id, String data, boolean eof) {
    ObjectNode n = MAPPER.createObjectNode().put("op", "stdin").put("id", id);
    n.put("data", data == null ? "" : data).put("eof", eof);
    send(n);
  }

  /** Kills the run's whole process tree (also the leftovers of a finished background run). */
  public void cancel(String id) {
    send(MAPPER.createObjectNode().put("op", "cancel").put("id", id));
  }

  public boolean isAlive() { return !dead && channel.isAlive(); }

  /** The runner's host process id, or -1 when it is not a child of this JVM (a container's). */
  public long pid() { return channel.pid(); }

  /** Names the runner: {@code pid 4242}, {@code container 3f2a…}. */
  public String describe() { return channel.describe(); }

  /** "pidns" (every run in its own PID namespace) or "pgroup" (weaker fallback). */
  public String killMode() { return killMode; }

  /** Runs whose exit has not been delivered yet. */
  public int activeRuns() { return pending.size(); }

  /** Called once, on the reader thread, if the runner process exits without {@link #close}. */
  public void onDeath(Runnable callback) {
    deathCallback = callback;
    if (dead && !closing.get() && deathFired.compareAndSet(false, true)) {
      callback.run();
    }
  }

  /**
   * Asks the runner to kill every run and exit, waits up to 2 s, then kills it. Pending runs get
   * their exit ({@code killed}) before this returns, unless called from a listener.
   */
  @Override
  public void close() {
    if (closing.compareAndSet(false, true)) {
      send(MAPPER.createObjectNode().put("op", "shutdown"));
      try {
        if (channel.waitFor(2000) == null) {
          channel.kill();
          channel.waitFor(2000);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        channel.kill();
      }
      try {
        toRunner.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
    if (Thread.currentThread() != reader) {
      try {
        reader.join(3000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void send(ObjectNode frame) {
    try {
      byte[] bytes = MAPPER.writeValueAsBytes(frame);
      synchronized (writeLock) {
        toRunner.write(bytes);
        toRunner.write('\n');
        toRunner.flush();
      }
    } catch (IOException e) {
      // The runner is gone or going: the reader sees EOF and reports every pending run.
      LOG.debug("runner {}: write failed: {}", describe(), e.toString());
    }
  }

  private void readLoop() {
    LineReader lines = new LineReader(channel.output(), MAX_EVENT_BYTES);
    try {
      while (lines.next()) {
        JsonNode ev;
        try {
          ev = MAPPER.readTree(lines.line(), 0, lines.length());
        } catch (IOException e) {
          LOG.warn("runner {}: unparsable event: {}", describe(), e.getMessage());
          continue;
        }
        dispatch(ev);
      }
    } catch (IOException e) {
      LOG.debug("runner {}: read failed: {}", describe(), e.toString());
    } finally {
      onRunnerGone();
    }
  }

  private void dispatch(JsonNode ev) {
    String id = ev.path("id").isTextual() ? ev.get("id").asText() : null;
    switch (ev.path("ev").asText()) {
      case "ready" -> ready.complete(ev);
      case "start" -> call(pending.get(id), l -> l.onStart(ev.path("pid").asLong()));
      case "out" -> call(pending.get(id), l -> l.onOutput(ev.path("fd").asInt(1), ev.path("data").asText()));
      case "exit" -> call(pending.remove(id), l -> l.onExit(RunnerFrames.exit(ev)));
      case "error" -> {
        Pending p = id == null ? null : pending.get(id);
        if (p == null) {   // e.g. stdin for a run that has just ended: not worth a warning
          LOG.debug("runner {}: {}", pid(), ev.path("message").asText());
        }
        call(p, l -> l.onError(ev.path("message").asText()));
      }
      case "pong" -> { }
      default -> LOG.debug("runner {}: unknown event {}", pid(), ev);
    }
  }

  private void call(Pending p, java.util.function.Consumer<RunListener> action) {
    if (p == null) {
      return;
    }
    try {
      action.accept(p.listener());
    } catch (RuntimeException | AssertionError e) {
      LOG.warn("runner {}: listener failed", pid(), e);
    }
  }

  private void onRunnerGone() {
    dead = true;
    int code = -1;
    try {
      Integer exit = channel.waitFor(1000);
      if (exit != null) {
        code = exit;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    awaitStderr();
    boolean expected = closing.get();
    String reason = expected ? RunExit.REASON_KILLED : RunExit.REASON_RUNNER_DIED;
    String message = expected ? "the runner was closed"
        : "the runner process died (exit code " + code + "); stderr: " + stderrTail;
    boolean wasReady = ready.isDone();
    ready.completeExceptionally(new IOException("the runner exited with code " + code));
    for (String id : pending.keySet()) {
      Pending p = pending.remove(id);
      if (p != null) {
        double wall = (System.nanoTime() - p.startNanos()) / 1e9;
        call(p, l -> l.onExit(RunExit.synthetic(reason, wall, message)));
      }
    }
    if (!expected) {
      if (wasReady) {
        LOG.warn("runner {} died: {}", describe(), message);
      }
      Runnable cb = deathCallback;
      if (cb != null && deathFired.compareAndSet(false, true)) {
        cb.run();
      }
    }
  }

  private void awaitStderr() {
    try {
      stderrReader.join(500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Thread daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    return t;
  }
}
