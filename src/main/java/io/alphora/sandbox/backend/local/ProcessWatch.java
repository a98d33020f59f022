package io.alphora.sandbox.backend.local;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces {@code max_processes} apart from {@code max_threads}: the pids cgroup can only count
 * tasks (threads), so while a sandbox has runs in flight this watch counts its code's processes
 * every {@value #PERIOD_MS} ms and cancels its runs when there are more than {@code max_processes};
 * they end with {@code ProcessLimitExceeded}. Between two looks a burst can exceed the count, never
 * the group's task cap.
 */
final class ProcessWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessWatch.class);
  static final long PERIOD_MS = 20;

  private final Map<String, Set<LimitWatch>> active = new ConcurrentHashMap<>();
  private final Map<String, Cgroups.Group> groups;
  private final BiConsumer<String, String> cancel;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "alphora-process-watch");
    t.setDaemon(true);
    return t;
  });

  /** {@code cancel} is called with (sandbox id, exec id) for each run to end. */
  ProcessWatch(Map<String, Cgroups.Group> groups, BiConsumer<String, String> cancel) {
    this.groups = groups;
    this.cancel = cancel;
    timer.scheduleWithFixedDelay(this::look, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
  }

  /** Starts watching a run; returns what to call when it has ended. */
  Runnable watch(String sandboxId, LimitWatch run) {
    active.computeIfAbsent(sandboxId, k -> ConcurrentHashMap.newKeySet()).add(run);
    return () -> active.computeIfPresent(sandboxId, (k, set) -> {
      set.remove(run);
      return set.isEmpty() ? null : set;
    });
  }

  private void look() {
    try {
      for (var e : active.entrySet()) {
        Cgroups.Group g = groups.get(e.getKey());
        if (g == null || e.getValue().isEmpty()) {
          continue;
        }
        int n = g.codeProcesses();
        if (n > g.maxProcesses) {
          LOG.info("sandbox {}: {} processes, more than max_processes {}: its runs are cancelled", e.getKey(), n,
              g.maxProcesses);
          for (LimitWatch run : e.getValue()) {
            run.processLimitHit();
            cancel.accept(e.getKey(), run.execId);
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("process watch failed: {}", e.toString());
    }
  }

  @Override
  public void close() { timer.shutdownNow(); }
}
