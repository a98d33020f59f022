package io.alphora.sandbox.isolation;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alphora.sandbox.CreateOptions;
import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.ExecRequest;
import io.alphora.sandbox.ExecutionResult;
import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.SecurityPolicy;
import io.alphora.sandbox.TestSupport;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * disk_mb and max_files_count bound the workspace itself (its own loop-mounted volume): filling it
 * from code or through the file API stops at the quota with ENOSPC / 413, the host disk is untouched
 * beyond it, and the sandbox stays usable once space is freed.
 */
class WorkspaceQuotaTest {
  @TempDir
  Path base;
  Vertx vertx;
  SandboxManager manager;
  Sandbox sandbox;

  @BeforeEach
  void setUp() {
    if (!Files.exists(Path.of("/dev/loop-control")) || !Files.isExecutable(Path.of("/usr/sbin/mkfs.ext4"))) {
      throw new IllegalStateException("these tests need loop devices and mkfs.ext4 (apt-get install -y e2fsprogs; "
          + "modprobe loop) and root");
    }
    vertx = Vertx.vertx();
    // loop: the service refuses to start rather than silently leaving workspaces unbounded
    manager = await(SandboxManager.deploy(vertx, TestSupport.config(base, TestSupport.bwrap()
        .put("manager", new io.vertx.core.json.JsonObject().put("idle_sweep_seconds", 0)
            .put("workspace_quota", "loop")))));
    ResourceLimits limits = new ResourceLimits(30, 256, 1.0, 16, 10, 50, 1024, false, 1_000_000, 100_000_000);
    SecurityPolicy policy = new SecurityPolicy(true, false, true, true, List.of(), List.of(), List.of(),
        List.of(), 100, 200, true, false);
    sandbox = await(manager.create(CreateOptions.defaults().withResourceLimits(limits).withSecurityPolicy(policy)));
  }

  @AfterEach
  void tearDown() {
    if (manager != null) {
      await(manager.shutdown());
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  private Path workspace() { return Path.of(await(sandbox.info()).workspacePath()); }

  @Test
  void diskFillFromCodeStopsAtDiskMb() throws Exception {
    ExecutionResult r = await(sandbox.execute(ExecRequest.python(
        "import errno\nn = 0\ntry:\n    with open('fill.bin', 'wb') as f:\n        while True:\n"
            + "            f.write(b'x' * 65536); f.flush(); n += 65536\n"
            + "except OSError as e:\n    print('errno', errno.errorcode[e.errno], n // (1 << 20))").withTimeout(30)));
    assertThat(r.stdout()).as(r.stderr()).startsWith("errno ENOSPC");
    long mb = Long.parseLong(r.stdout().trim().split(" ")[2]);
    assertThat(mb).as("stopped near disk_mb = 16").isBetween(10L, 16L);
    Path ws = workspace();
    assertThat(Files.size(ws.resolve("fill.bin"))).isLessThanOrEqualTo(16L << 20);
    assertThat(Files.getFileStore(ws).getTotalSpace()).isLessThanOrEqualTo(16L << 20);
    // the file API hits the same wall, with a clear 413
    assertThatThrownBy(() -> await(sandbox.writeFileBytes("more.bin", new byte[2 << 20])))
        .isInstanceOfSatisfying(SandboxException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
          assertThat(e.getMessage()).contains("disk_mb");
        });
    // freeing space makes the sandbox usable again
    assertThat(await(sandbox.deleteFile("fill.bin"))).isTrue();
    assertThat(await(sandbox.writeFile("ok.txt", "fine")).size()).isEqualTo(4);
    assertThat(await(sandbox.executeCode("print(open('ok.txt').read())")).stdout()).isEqualTo("fine\n");
  }

  @Test
  void inodeExhaustionStopsNearMaxFilesCount() {
    ExecutionResult r = await(sandbox.execute(ExecRequest.python(
        "import errno, os\nos.mkdir('many')\nn = 0\ntry:\n    while True:\n"
            + "        open('many/f%d' % n, 'w').close(); n += 1\n"
            + "except OSError as e:\n    print(errno.errorcode[e.errno], n)").withTimeout(30)));
    assertThat(r.stdout()).as(r.stderr()).startsWith("ENOSPC");
    int n = Integer.parseInt(r.stdout().trim().split(" ")[1]);
    // max_files_count = 200, rounded up to the file system's inode granularity (16 per group)
    assertThat(n).isBetween(150, 230);
    assertThatThrownBy(() -> await(sandbox.writeFile("one-more.txt", "x")))
        .isInstanceOfSatisfying(SandboxException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE));
    assertThat(await(sandbox.executeCode("import shutil; shutil.rmtree('many'); print('freed')")).stdout())
        .isEqualTo("freed\n");
    assertThat(await(sandbox.writeFile("one-more.txt", "x")).size()).isEqualTo(1);
  }

  @Test
  void filesSurviveStopStartAndResetEmptiesTheVolume() throws Exception {
    await(sandbox.writeFile("keep.txt", "kept"));
    await(sandbox.stop());
    await(sandbox.start());
    assertThat(await(sandbox.readFile("keep.txt"))).isEqualTo("kept");
    assertThat(await(sandbox.listFiles()).stream().map(f -> f.name()).toList())
        .as("ext4's lost+found is not the user's").containsExactly("keep.txt");
    await(sandbox.reset());
    assertThat(await(sandbox.listFiles())).isEmpty();
    assertThat(await(sandbox.executeCode("open('x','w').write('y'); print('ok')")).stdout()).isEqualTo("ok\n");
  }

  @Test
  void destroyUnmountsAndDeletesTheVolume() throws Exception {
    Path ws = workspace();
    assertThat(mounted(ws)).isTrue();
    await(sandbox.destroy());
    assertThat(mounted(ws)).isFalse();
    assertThat(ws.getParent()).doesNotExist();
  }

  @Test
  void shutdownUnmountsAndTheNextInstanceMountsAgain() throws Exception {
    await(sandbox.writeFile("keep.txt", "kept"));
    Path ws = workspace();
    String id = sandbox.id();
    await(manager.shutdown());
    assertThat(mounted(ws)).isFalse();
    manager = await(SandboxManager.deploy(vertx, TestSupport.config(base, TestSupport.bwrap())));
    Sandbox again = await(manager.get(id));
    assertThat(mounted(ws)).isTrue();
    assertThat(await(again.readFile("keep.txt"))).isEqualTo("kept");
  }

  private static boolean mounted(Path dir) throws Exception {
    String want = " " + dir.toAbsolutePath().normalize() + " ";
    return Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8).stream()
        .anyMatch(l -> l.contains(want));
  }
}
