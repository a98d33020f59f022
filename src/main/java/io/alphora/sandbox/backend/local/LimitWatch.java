package io.alphora.sandbox.backend.local;

import io.alphora.sandbox.runner.RunExit;
import io.alphora.sandbox.runner.RunListener;

/**
 * Tells which cgroup limit ended a run: it reads the group's OOM-kill and refused-fork counters when
 * the run starts and when it ends, and names the limit in the exit ({@code memory_limit},
 * {@code process_limit}). With several runs in flight in one sandbox, a limit hit by one may be
 * attributed to another that failed at the same time; the sandbox-wide limit itself always holds.
 */
final class LimitWatch implements RunListener {
  private final Cgroups.Group group;
  private final RunListener delegate;
  private final long oomBefore;
  private final long pidsBefore;

  LimitWatch(Cgroups.Group group, RunListener delegate) {
    this.group = group;
    this.delegate = delegate;
    this.oomBefore = group.oomKills();
    this.pidsBefore = group.pidsRefused();
  }

  @Override
  public void onStart(long pid) { delegate.onStart(pid); }

  @Override
  public void onOutput(int fd, String data) { delegate.onOutput(fd, data); }

  @Override
  public void onError(String message) { delegate.onError(message); }

  @Override
  public void onExit(RunExit e) {
    RunExit x = e;
    boolean failed = e.code() != 0 || e.signal() != null;
    if (e.reason() == null && failed) {
      if (group.oomKills() > oomBefore) {
        x = new RunExit(e.code(), e.signal(), "memory_limit", e.truncated(), e.cpuTime(), e.maxRssMb(),
            e.wallSeconds(), "the run exceeded the sandbox's memory limit and was killed");
      } else if (group.pidsRefused() > pidsBefore) {
        x = new RunExit(e.code(), e.signal(), "process_limit", e.truncated(), e.cpuTime(), e.maxRssMb(),
            e.wallSeconds(), "the run reached the sandbox's process/thread limit: a fork or thread start was refused");
      }
    }
    delegate.onExit(x);
  }
}
