package io.alphora.sandbox.abuse;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.CreateOptions;
import io.alphora.sandbox.ExecRequest;
import io.alphora.sandbox.ExecutionResult;
import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.TestSupport;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile runs on an isolated sandbox (the rest of the suite: isolation/, workspace/*Hostile*,
 * api/http/FilesApiTest, SandboxBackendContract). Each asserts the safe outcome and that a bystander
 * sandbox is still served normally afterwards.
 */
class AbuseTest {
  @TempDir
  Path base;
  Vertx vertx;
  SandboxManager manager;
  Sandbox hostile;
  Sandbox bystander;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    manager = await(SandboxManager.deploy(vertx, TestSupport.config(base, TestSupport.bwrap())));
    ResourceLimits l = new ResourceLimits(30, 256, 1.0, 64, 10, 50, 256, false, 1_000_000, 10_000_000);
    hostile = await(manager.create(CreateOptions.defaults().withResourceLimits(l)));
    bystander = await(manager.create(CreateOptions.defaults()));
  }

  @AfterEach
  void tearDown() {
    assertThat(await(bystander.executeCode("print('still served')")).stdout()).isEqualTo("still served\n");
    await(manager.shutdown());
    await(vertx.close());
  }

  @Test
  void oneHugeLine() {
    ExecutionResult r = await(hostile.executeCode("print('x' * 50_000_000)"));
    assertThat(r.errorType()).isEqualTo("OutputLimitExceeded");
    assertThat(r.truncated()).isTrue();
    assertThat(r.stdout().length()).isLessThanOrEqualTo(1_000_000);
  }

  @Test
  void cpuSpinPastTheTimeout() {
    long t0 = System.nanoTime();
    ExecutionResult r = await(hostile.execute(ExecRequest.python("while True: pass").withTimeout(1)));
    assertThat(r.errorType()).isEqualTo("TimeoutError");
    assertThat((System.nanoTime() - t0) / 1e9).as("killed promptly").isLessThan(3);
  }

  @Test
  void nohupDaemonAfterTimeout() throws Exception {
    ExecutionResult r = await(hostile.execute(ExecRequest.shell(
        "nohup sh -c 'while :; do echo x >> nohup.txt; sleep 0.05; done' >/dev/null 2>&1 & sleep 60").withTimeout(1)));
    assertThat(r.errorType()).isEqualTo("TimeoutError");
    Thread.sleep(500);
    long a = await(hostile.getFileInfo("nohup.txt")).size();
    Thread.sleep(500);
    assertThat(await(hostile.getFileInfo("nohup.txt")).size()).as("the nohup'ed loop is dead").isEqualTo(a);
  }

  @Test
  void tmpFillStopsAtDiskMb() {
    // files under max_file_size each (10 MB here), until /tmp (disk_mb = 64) is full
    ExecutionResult r = await(hostile.executeShell("for i in $(seq 1 40); do "
        + "dd if=/dev/zero of=/tmp/f$i bs=1M count=5 2>/dev/null || { echo full at $i; break; }; done"));
    assertThat(r.stdout()).as("64 MB hold 12 files of 5 MB").isEqualTo("full at 13\n");
    assertThat(await(hostile.executeCode("print('usable')")).stdout()).isEqualTo("usable\n");
  }

  @Test
  void stdinFlood() {
    ExecutionResult r = await(hostile.execute(ExecRequest.python("import sys\nprint(len(sys.stdin.read()))")
        .withStdin("y".repeat(2_000_000))));
    assertThat(r.success()).as(r.stderr()).isTrue();
  }

  @Test
  void workspaceFillStopsAtDiskMb() {
    ExecutionResult r = await(hostile.executeShell("for i in $(seq 1 40); do "
        + "dd if=/dev/zero of=f$i bs=1M count=5 2>/dev/null || { echo full at $i; break; }; done"));
    assertThat(r.stdout()).as("the 64 MB workspace volume holds 12 files of 5 MB").isEqualTo("full at 13\n");
    assertThat(await(hostile.executeCode("import os; os.remove('f1'); open('ok', 'w').write('1'); print('usable')"))
        .stdout()).isEqualTo("usable\n");
  }

  @Test
  void inodeExhaustion() {
    // max_files_count = 1000 (the default): the workspace volume runs out of inodes near it
    ExecutionResult r = await(hostile.executeShell(
        "mkdir d && cd d && i=0; while touch f$i 2>/dev/null; do i=$((i+1)); done; echo made $i"));
    int made = Integer.parseInt(r.stdout().trim().replace("made ", ""));
    assertThat(made).as(r.stdout() + r.stderr()).isBetween(950, 1100);
    assertThat(await(hostile.executeShell("rm -rf d && touch ok && echo usable")).stdout()).isEqualTo("usable\n");
  }
}
