package io.alphora.sandbox.backend;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alphora.sandbox.CreateOptions;
import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.ExecRequest;
import io.alphora.sandbox.ExecutionResult;
import io.alphora.sandbox.ExecutionStatus;
import io.alphora.sandbox.FileInfo;
import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.SecurityPolicy;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every backend must have, written once (like docker-java's transport TCK): each
 * backend's test extends this and says how to get a manager for it.
 */
public abstract class SandboxBackendContract {
  protected SandboxManager manager;
  protected Sandbox sandbox;

  /** A manager whose default backend is the one under test. */
  protected abstract SandboxManager manager() throws Exception;

  @BeforeEach
  void setUp() throws Exception {
    manager = manager();
    sandbox = await(manager.create(CreateOptions.defaults().withName("contract")));
  }

  /** Releases what {@link #manager()} set up (called after every sandbox is destroyed). */
  protected abstract void closeManager();

  @AfterEach
  void tearDown() {
    if (manager != null) {
      await(manager.destroyAll());
    }
    closeManager();
  }

  protected ExecutionResult run(String code) { return await(sandbox.executeCode(code)); }

  /** A sandbox whose code may start processes itself (the default policy forbids it). */
  protected Sandbox permissive() {
    return await(manager.create(CreateOptions.defaults().withSecurityPolicy(SecurityPolicy.permissive())));
  }

  @Test
  void echo() {
    ExecutionResult r = run("print('hello')");
    assertThat(r.success()).isTrue();
    assertThat(r.status()).isEqualTo(ExecutionStatus.SUCCESS);
    assertThat(r.stdout()).isEqualTo("hello\n");
    assertThat(r.stderr()).isEmpty();
    assertThat(r.returnCode()).isZero();
    assertThat(r.error()).isNull();
    assertThat(r.execId()).startsWith("exe_");
    assertThat(r.executionTime()).isPositive();
  }

  @Test
  void stderrIsSeparate() {
    ExecutionResult r = run("import sys\nprint('out')\nsys.stderr.write('err\\n')");
    assertThat(r.stdout()).isEqualTo("out\n");
    assertThat(r.stderr()).isEqualTo("err\n");
  }

  @Test
  void exitCodes() {
    ExecutionResult exit3 = run("import sys; sys.exit(3)");
    assertThat(exit3.success()).isFalse();
    assertThat(exit3.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(exit3.returnCode()).isEqualTo(3);
    assertThat(exit3.errorType()).isNull();
    ExecutionResult raised = run("raise ValueError('x')");
    assertThat(raised.returnCode()).isEqualTo(1);
    assertThat(raised.stderr()).contains("Traceback").endsWith("ValueError: x\n");
    ExecutionResult shell = await(sandbox.executeShell("exit 7"));
    assertThat(shell.returnCode()).isEqualTo(7);
  }

  @Test
  void fileWithArgsAndShellArgvKeepsSpaces() {
    await(sandbox.writeFile("scripts/args.py", "import sys\nprint(sys.argv[1:])\nprint(__name__)\n"));
    ExecutionResult r = await(sandbox.executeFile("scripts/args.py", List.of("a b", "$(id)", "'q'")));
    assertThat(r.stdout()).isEqualTo("['a b', '$(id)', \"'q'\"]\n__main__\n");
    ExecutionResult sh = await(sandbox.executeShell("printf '%s|' \"a  b\" c; echo $((1+2)) | cat"));
    assertThat(sh.stdout()).isEqualTo("a  b|c|3\n");
  }

  @Test
  void stdinAndCwd() {
    ExecutionResult r = await(sandbox.execute(ExecRequest.python("print(input()[::-1])").withStdin("abc\n")));
    assertThat(r.stdout()).isEqualTo("cba\n");
    await(sandbox.writeFile("sub/data.txt", "42"));
    ExecutionResult cwd = await(sandbox.execute(ExecRequest.python("print(open('data.txt').read())").withCwd("sub")));
    assertThat(cwd.stdout()).isEqualTo("42\n");
    ExecutionResult rel = run("print(open('sub/data.txt').read())");
    assertThat(rel.stdout()).isEqualTo("42\n");
  }

  @Test
  void timeoutKillsTheWholeProcessTreeAndKeepsPartialOutput() throws Exception {
    String code = String.join("\n",
        "import os, subprocess, time",
        "print('before', flush=True)",
        // a daemon that escapes the process group (setsid) and double-forks, appending to a file
        "subprocess.Popen(['/bin/sh', '-c', 'setsid /bin/sh -c \"while true; do echo x >> marker.txt; sleep 0.05; done\" &'])",
        "time.sleep(60)");
    Sandbox sandbox = permissive();
    ExecutionResult r = await(sandbox.executeCode(code, 1.5));
    assertThat(r.status()).isEqualTo(ExecutionStatus.TIMEOUT);
    assertThat(r.errorType()).isEqualTo("TimeoutError");
    assertThat(r.error()).contains("timed out after 1.5 seconds");
    assertThat(r.stdout()).isEqualTo("before\n");
    assertThat(r.executionTime()).isBetween(1.4, 5.0);
    Thread.sleep(1000);
    long size1 = await(sandbox.getFileInfo("marker.txt")).size();
    Thread.sleep(500);
    long size2 = await(sandbox.getFileInfo("marker.txt")).size();
    assertThat(size2).as("the setsid'ed daemon must be dead").isEqualTo(size1);
  }

  @Test
  void leftoversDieWhenTheMainProcessEndsUnlessBackground() throws Exception {
    sandbox = permissive();
    String spawn = "import subprocess\nsubprocess.Popen(['/bin/sh','-c','while true; do echo x >> %s; sleep 0.05; done'])\n";
    ExecutionResult plain = run(String.format(spawn, "plain.txt"));
    assertThat(plain.success()).isTrue();
    Thread.sleep(300);
    long a = size("plain.txt");
    Thread.sleep(400);
    assertThat(size("plain.txt")).as("leftover of a normal run must be dead").isEqualTo(a);

    ExecutionResult bg = await(sandbox.execute(ExecRequest.python(String.format(spawn, "bg.txt")).inBackground()));
    assertThat(bg.success()).isTrue();
    Thread.sleep(300);
    long b1 = size("bg.txt");
    Thread.sleep(400);
    assertThat(size("bg.txt")).as("a background run's leftovers keep running").isGreaterThan(b1);
    ExecutionResult cancelled = await(sandbox.cancel(bg.execId()));
    assertThat(cancelled.execId()).isEqualTo(bg.execId());
    Thread.sleep(300);
    long b2 = size("bg.txt");
    Thread.sleep(400);
    assertThat(size("bg.txt")).as("cancel kills a background run's leftovers").isEqualTo(b2);
  }

  private long size(String path) {
    return await(sandbox.fileExists(path)) ? await(sandbox.getFileInfo(path)).size() : 0;
  }

  @Test
  void outputLimitTruncatesAndStops() {
    ResourceLimits small = new ResourceLimits(30, 512, 1.0, 1024, 10, 50, 1024, false, 1000, 104_857_600L);
    Sandbox s = await(manager.create(CreateOptions.defaults().withResourceLimits(small)));
    ExecutionResult r = await(s.executeCode("import sys\nfor i in range(10**6): sys.stdout.write('x' * 100)\n"));
    assertThat(r.truncated()).isTrue();
    assertThat(r.errorType()).isEqualTo("OutputLimitExceeded");
    assertThat(r.success()).isFalse();
    assertThat(r.stdout().length() + r.stderr().length()).isLessThanOrEqualTo(1000);
    assertThat(r.stdout()).startsWith("xxxx");
    assertThat(await(s.executeCode("print('still usable')")).stdout()).isEqualTo("still usable\n");
  }

  @Test
  void theServiceEnvironmentNeverReachesARun() {
    await(sandbox.setEnvVar("MY_VAR", "from-sandbox"));
    ExecutionResult r = await(sandbox.execute(ExecRequest.python(
        "import os, json; print(json.dumps(dict(os.environ)))").withEnv(Map.of("PER_RUN", "1"))));
    JsonObject env = new JsonObject(r.stdout());
    assertThat(env.getString("MY_VAR")).isEqualTo("from-sandbox");
    assertThat(env.getString("PER_RUN")).isEqualTo("1");
    Set<String> allowed = Set.of("PATH", "HOME", "LANG", "PYTHONPATH", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE",
        "SANDBOX_ID", "MY_VAR", "PER_RUN", "LC_CTYPE", "PWD");
    assertThat(env.fieldNames()).isSubsetOf(allowed);
    for (Map.Entry<String, String> e : System.getenv().entrySet()) {
      if (!allowed.contains(e.getKey())) {
        assertThat(env.containsKey(e.getKey())).as("host variable %s leaked", e.getKey()).isFalse();
      }
    }
    assertThat(env.getString("HOME")).isNotEqualTo(System.getenv("HOME"));
    ExecutionResult next = await(sandbox.executeShell("echo \"[$PER_RUN]\""));
    assertThat(next.stdout()).isEqualTo("[]\n");
    assertThat(await(sandbox.getEnvVar("HOME"))).as("host env is never consulted").isNull();
  }

  @Test
  void concurrentRuns() {
    List<Future<ExecutionResult>> runs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      runs.add(sandbox.executeCode("import time; time.sleep(0.2); print(" + i + ")"));
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < 8; i++) {
      assertThat(await(runs.get(i)).stdout()).isEqualTo(i + "\n");
    }
    assertThat((System.nanoTime() - t0) / 1e9).as("runs proceed in parallel").isLessThan(1.6);
  }

  @Test
  void files() {
    FileInfo saved = await(sandbox.saveFile("d/a.py", "print('from file')\n"));
    assertThat(saved.fileType().value()).isEqualTo("python");
    assertThat(saved.path()).isEqualTo("d/a.py");
    byte[] bin = new byte[256];
    for (int i = 0; i < 256; i++) {
      bin[i] = (byte) i;
    }
    await(sandbox.writeFileBytes("bin.dat", bin));
    await(sandbox.copyFile("bin.dat", "copy/bin2.dat"));
    assertThat(await(sandbox.readFileBytes("copy/bin2.dat"))).isEqualTo(bin);
    await(sandbox.moveFile("copy/bin2.dat", "moved.dat"));
    assertThat(await(sandbox.fileExists("copy/bin2.dat"))).isFalse();
    assertThat(await(sandbox.readFileBytes("moved.dat"))).isEqualTo(bin);
    assertThat(await(sandbox.executeFile("d/a.py", List.of())).stdout()).isEqualTo("from file\n");
    ExecutionResult written = run("open('made.txt','w').write('by code')");
    assertThat(written.success()).isTrue();
    assertThat(await(sandbox.readFile("made.txt"))).isEqualTo("by code");
    List<FileInfo> root = await(sandbox.listFiles());
    assertThat(root.get(0).isDirectory()).isTrue();
    assertThat(root).extracting(FileInfo::name).contains("d", "bin.dat", "made.txt", "moved.dat");
    assertThat(await(sandbox.listFiles("", true, "*.py"))).extracting(FileInfo::path).containsExactly("d/a.py");
    assertThat(await(sandbox.deleteFile("made.txt"))).isTrue();
    assertThat(await(sandbox.deleteFile("made.txt"))).isFalse();
    for (String bad : List.of("../x", "/etc/passwd", "a/../../x")) {
      assertThatThrownBy(() -> await(sandbox.readFile(bad))).isInstanceOf(SandboxException.class)
          .satisfies(e -> assertThat(((SandboxException) e).code()).isEqualTo(ErrorCode.PATH_TRAVERSAL));
    }
    run("import os; os.symlink('/etc', 'etc_link')");
    assertThatThrownBy(() -> await(sandbox.readFile("etc_link/passwd")))
        .satisfies(e -> assertThat(((SandboxException) e).code()).isEqualTo(ErrorCode.PATH_TRAVERSAL));
    assertThatThrownBy(() -> await(sandbox.readFile("nope.txt")))
        .satisfies(e -> assertThat(((SandboxException) e).code()).isEqualTo(ErrorCode.FILE_NOT_FOUND));
  }
}
