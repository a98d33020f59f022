package io.alphora.sandbox;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs that hit a sandbox's limits and what each must end with, shared by every backend's limit
 * tests (bubblewrap with cgroups, Docker): the matching {@code error_type}, and a sandbox that still
 * runs code afterwards.
 */
public final class LimitScenarios {
  private LimitScenarios() {}

  /** Allocates 16 MiB at a time until {@code memory_mb} ends the run. */
  public static void memoryBomb(Sandbox s) {
    ExecutionResult r = await(s.executeCode(
        "print('allocating', flush=True)\nchunks = []\nwhile True:\n    chunks.append(b'x' * (16 << 20))"));
    assertThat(r.errorType()).as(r.stderr()).isEqualTo("MemoryLimitExceeded");
    assertThat(r.success()).isFalse();
    assertThat(r.stdout()).isEqualTo("allocating\n");
    stillUsable(s);
  }

  /** Starts up to 1000 sleeping threads: the pids limit refuses one. */
  public static void threadExplosion(Sandbox s) {
    ExecutionResult r = await(s.executeCode(
        "import threading, time\nts = []\nfor i in range(1000):\n"
            + "    t = threading.Thread(target=time.sleep, args=(5,)); t.start(); ts.append(t)"));
    assertThat(r.errorType()).as(r.stderr()).isEqualTo("ProcessLimitExceeded");
    assertThat(r.stderr()).contains("can't start new thread");
    stillUsable(s);
  }

  /**
   * Forks for ever: the pids limit (or the 15 s timeout) ends it, nothing of it is left, at most
   * {@code processesLeft} processes remain (the runner's own).
   */
  public static ExecutionResult forkBomb(Sandbox s, int processesLeft) {
    ExecutionResult r = await(s.execute(ExecRequest.python(
        "import os, time\nprint('forking', flush=True)\nwhile True:\n    os.fork()").withTimeout(15)));
    assertThat(r.errorType()).as(r.stderr()).isIn("ProcessLimitExceeded", "TimeoutError");
    stillUsable(s);
    assertThat(await(s.usage()).numProcesses()).as("the bomb's processes are gone").isLessThanOrEqualTo(processesLeft);
    return r;
  }

  public static void stillUsable(Sandbox s) {
    assertThat(await(s.executeCode("print('ok')")).stdout()).isEqualTo("ok\n");
  }
}
