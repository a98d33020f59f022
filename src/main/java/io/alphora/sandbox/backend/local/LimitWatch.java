package io.alphora.sandbox.backend.local;

import io.alphora.sandbox.runner.RunExit;
import io.alphora.sandbox.runner.ForwardingRunListener;
import io.alphora.sandbox.runner.RunListener;

/**
 * Tells which cgroup limit ended a run: it reads the group's OOM-kill and refused-fork counters when
 * the run starts and when it ends, and names the limit in the exit ({@code memory_limit},
 * {@code process_limit}). A run the {@link ProcessWatch} cancelled for having too many processes
 * ends with {@code process_limit} too. With several runs in flight in one sandbox, a limit hit by
 * one may be attributed to another that failed at the same time; the sandbox-wide limit itself
 * always holds.
 */
final class LimitWatch extends ForwardingRunListener {
  final String execId;
  private final Cgroups.Group group;
  private final Runnable onEnd;
  private final long oomBefore;
  private final long pidsBefore;
  private volatile boolean overProcessLimit;

  LimitWatch(String execId, Cgroups.Group group, RunListener delegate, Runnable onEnd) {
    super(delegate);
    this.execId = execId;
    this.group = group;
    this.onEnd = onEnd;
    this.oomBefore = group.oomKills();
    this.pidsBefore = group.pidsRefused();
  }

  /** The sandbox has more processes than max_processes: this run is to end with process_limit. */
  void processLimitHit() { overProcessLimit = true; }

  @Override
  public void onExit(RunExit e) {
    onEnd.run();
    if (overProcessLimit && RunExit.REASON_CANCELLED.equals(e.reason())) {
      delegate.onExit(e.limitedBy(RunExit.REASON_PROCESS_LIMIT,
          "the sandbox's code had more than max_processes processes at once"));
      return;
    }
    delegate.onExit(e.blamedOnCounters(() -> group.oomKills() > oomBefore, () -> group.pidsRefused() > pidsBefore));
  }
}
