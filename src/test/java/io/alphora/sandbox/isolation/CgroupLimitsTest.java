package io.alphora.sandbox.isolation;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.CreateOptions;
import io.alphora.sandbox.ExecRequest;
import io.alphora.sandbox.ExecutionResult;
import io.alphora.sandbox.LimitScenarios;
import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * memory_mb, max_processes/max_threads and cpu_cores enforced by cgroups on a bubblewrap-confined
 * sandbox: each run that hits a limit ends with the matching error_type, and the sandbox stays usable.
 */
class CgroupLimitsTest {
  @TempDir
  Path base;
  Vertx vertx;
  SandboxManager manager;
  Sandbox sandbox;

  @BeforeEach
  void setUp() {
    if (!Files.isRegularFile(Path.of("/sys/fs/cgroup/memory/memory.limit_in_bytes"))) {
      throw new IllegalStateException("these tests need cgroup v1 memory and pids controllers writable by root");
    }
    vertx = Vertx.vertx();
    manager = await(SandboxManager.deploy(vertx, TestSupport.config(base, TestSupport.bwrap())));
    ResourceLimits small = new ResourceLimits(20, 128, 0.25, 1024, 5, 10, 256, false, 1_000_000, 10_000_000);
    // permissive: the code may fork; the cgroup, not the import policy, is what is tested here
    sandbox = await(manager.create(CreateOptions.defaults().withResourceLimits(small)
        .withSecurityPolicy(io.alphora.sandbox.SecurityPolicy.permissive())));
  }

  @AfterEach
  void tearDown() {
    await(manager.shutdown());
    await(vertx.close());
  }

  @Test
  void memoryBomb() {
    LimitScenarios.memoryBomb(sandbox);
  }

  @Test
  void forkBomb() {
    assertThat(LimitScenarios.forkBomb(sandbox, 8).stdout()).startsWith("forking\n");
  }

  @Test
  void threadExplosion() {
    LimitScenarios.threadExplosion(sandbox);
  }

  @Test
  void moreProcessesThanMaxProcessesEndTheRun() {
    // max_processes = 5: six sleeping children are one too many, even though they are few tasks
    ExecutionResult r = await(sandbox.execute(ExecRequest.python(
        "import subprocess, time\nprint('spawning', flush=True)\n"
            + "ps = [subprocess.Popen(['sleep', '30']) for _ in range(6)]\ntime.sleep(30)").withTimeout(25)));
    assertThat(r.errorType()).as(r.stderr()).isEqualTo("ProcessLimitExceeded");
    assertThat(r.error()).contains("max_processes");
    assertThat(r.executionTime()).as("ended by the watch, not the timeout").isLessThan(10);
    assertThat(r.stdout()).isEqualTo("spawning\n");
    LimitScenarios.stillUsable(sandbox);
  }

  @Test
  void threadsCountAgainstMaxThreadsNotMaxProcesses() {
    // 8 threads in one process: more than max_processes (5) tasks, within max_threads (10)
    ExecutionResult r = await(sandbox.executeCode(
        "import threading, time\nts = [threading.Thread(target=time.sleep, args=(0.5,)) for _ in range(8)]\n"
            + "[t.start() for t in ts]\n[t.join() for t in ts]\nprint('joined')"));
    assertThat(r.success()).as(r.stderr()).isTrue();
    assertThat(r.stdout()).isEqualTo("joined\n");
  }

  @Test
  void cpuQuota() {
    ExecutionResult r = await(sandbox.executeCode("import time\nt = time.time()\nwhile time.time() - t < 2: pass"));
    assertThat(r.success()).isTrue();
    assertThat(r.cpuTime()).as("a quarter of a core over 2 s").isLessThan(1.2);
  }
}
