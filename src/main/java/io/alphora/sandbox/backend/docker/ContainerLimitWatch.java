package io.alphora.sandbox.backend.docker;

import io.alphora.sandbox.runner.RunExit;
import io.alphora.sandbox.runner.ForwardingRunListener;
import io.alphora.sandbox.runner.RunListener;

/**
 * Names the container limit that ended a run, from the container cgroup's OOM-kill and refused-fork
 * counters read when the run starts and when it ends (never guessed from exit code 137). As on the
 * local backend, with several runs failing at once a limit may be attributed to the wrong one; the
 * container-wide limit itself always holds.
 */
final class ContainerLimitWatch extends ForwardingRunListener {
  private final ContainerCgroup cgroup;
  private final long oomBefore;
  private final long pidsBefore;

  ContainerLimitWatch(ContainerCgroup cgroup, RunListener delegate) {
    super(delegate);
    this.cgroup = cgroup;
    this.oomBefore = cgroup.oomKills();
    this.pidsBefore = cgroup.pidsRefused();
  }

  @Override
  public void onExit(RunExit e) {
    delegate.onExit(e.blamedOnCounters(() -> cgroup.oomKills() > oomBefore, () -> cgroup.pidsRefused() > pidsBefore));
  }
}
