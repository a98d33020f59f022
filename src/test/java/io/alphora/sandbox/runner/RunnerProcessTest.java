package io.alphora.sandbox.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Runs the real runner script under /usr/bin/python3. */
class RunnerProcessTest {
  private static final AtomicInteger IDS = new AtomicInteger();

  @TempDir
  static Path dir;
  static RunnerProcess runner;

  @BeforeAll
  static void startRunner() throws IOException {
    long t0 = System.nanoTime();
    runner = RunnerProcess.start(spec());
    System.out.printf("starting the shared runner took %.0f ms%n", (System.nanoTime() - t0) / 1e6);
  }

  @AfterAll
  static void stopRunner() {
    if (runner != null) {
      long t0 = System.nanoTime();
      runner.close();
      System.out.printf("closing the shared runner took %.0f ms%n", (System.nanoTime() - t0) / 1e6);
    }
  }

  static RunnerSpec spec() throws IOException { return spec(dir); }

  static RunnerSpec spec(Path in) throws IOException {
    return RunnerSpec.of(RunnerScript.extract(in.resolve("bin")), in);
  }

  static String id() {
    return "exe_" + IDS.incrementAndGet();
  }

  /** Records a run's events; thread-safe. */
  static class Recorder implements RunListener {
    final StringBuffer out = new StringBuffer();
    final StringBuffer err = new StringBuffer();
    final List<String> errors = new ArrayList<>();
    final CompletableFuture<RunExit> exit = new CompletableFuture<>();
    final CompletableFuture<Long> started = new CompletableFuture<>();
    volatile long bytes;
    volatile long exitNanos;
    volatile boolean outputAfterExit;
    final List<Long> outputNanos = new ArrayList<>();

    @Override public void onStart(long pid) { started.complete(pid); }

    @Override public synchronized void onOutput(int fd, String data) {
      if (exit.isDone()) {
        outputAfterExit = true;
      }
      outputNanos.add(System.nanoTime());
      bytes += data.getBytes(StandardCharsets.UTF_8).length;
      (fd == 1 ? out : err).append(data);
    }

    @Override public void onExit(RunExit e) {
      exitNanos = System.nanoTime();
      exit.complete(e);
    }

    @Override public synchronized void onError(String message) { errors.add(message); }

    RunExit await() throws Exception { return exit.get(30, TimeUnit.SECONDS); }
  }

  static Recorder run(RunRequest request) throws Exception {
    Recorder r = new Recorder();
    runner.exec(request, r);
    r.await();
    return r;
  }

  static Recorder py(String code) throws Exception {
    return run(RunRequest.pythonCode(id(), code).withTimeout(20));
  }

  // ---------------------------------------------------------------------------------------

  @Test
  void reportsPidNamespaceKillMode() {
    assertThat(runner.killMode()).isEqualTo("pidns");
    assertThat(runner.isAlive()).isTrue();
  }

  @Test
  void echoesStdout() throws Exception {
    Recorder r = py("print('hello')");
    assertThat(r.out.toString()).isEqualTo("hello\n");
    assertThat(r.err.toString()).isEmpty();
    RunExit e = r.await();
    assertThat(e.code()).isZero();
    assertThat(e.success()).isTrue();
    assertThat(e.signal()).isNull();
    assertThat(r.started.getNow(-1L)).isPositive();
    assertThat(e.wallSeconds()).isPositive();
    assertThat(r.outputAfterExit).isFalse();
  }

  @Test
  void separatesStderr() throws Exception {
    Recorder r = py("import sys\nprint('out')\nprint('err', file=sys.stderr)\nprint('out2')");
    assertThat(r.out.toString()).isEqualTo("out\nout2\n");
    assertThat(r.err.toString()).isEqualTo("err\n");
  }

  @Test
  void exitCodes() throws Exception {
    assertThat(py("pass").await().code()).isZero();
    assertThat(py("import sys; sys.exit(3)").await().code()).isEqualTo(3);
    Recorder raised = py("def f():\n    raise ValueError('boom')\nf()");
    assertThat(raised.await().code()).isEqualTo(1);
    assertThat(raised.err.toString())
        .startsWith("Traceback (most recent call last):\n  File \"<string>\", line 3, in <module>")
        .contains("ValueError: boom")
        .doesNotContain("alphora_runner");
    Recorder message = py("import sys; sys.exit('fatal: no way')");
    assertThat(message.await().code()).isEqualTo(1);
    assertThat(message.err.toString()).isEqualTo("fatal: no way\n");
    Recorder syntax = py("print(");
    assertThat(syntax.await().code()).isEqualTo(1);
    assertThat(syntax.err.toString()).startsWith("  File \"<string>\", line 1").contains("SyntaxError");
    Recorder killed = py("import os, signal; os.kill(os.getpid(), signal.SIGTERM)");
    assertThat(killed.await().code()).isEqualTo(-15);
    assertThat(killed.await().signal()).isEqualTo(15);
  }

  @Test
  void runsPythonFileWithArgs() throws Exception {
    Path script = dir.resolve("scripts/show.py");
    Files.createDirectories(script.getParent());
    Files.writeString(script, "import sys\nprint(__name__, sys.argv[1:], sys.path[0])\n");
    Recorder r = run(RunRequest.pythonFile(id(), script.toString(), List.of("a", "b c")).withTimeout(20));
    assertThat(r.await().code()).isZero();
    assertThat(r.out.toString()).isEqualTo("__main__ ['a', 'b c'] " + script.getParent().toRealPath() + "\n");
    Recorder missing = run(RunRequest.pythonFile(id(), dir.resolve("nope.py").toString(), List.of()));
    assertThat(missing.await().code()).isEqualTo(2);
    assertThat(missing.err.toString()).contains("can't open file").contains("nope.py");
  }

  @Test
  void argvGetsOnlyTheRequestEnvironment() throws Exception {
    Recorder r = run(RunRequest.shell(id(), "echo \"FOO=$FOO\"; env").withEnv(Map.of("FOO", "bar baz")));
    assertThat(r.await().code()).isZero();
    String out = r.out.toString();
    assertThat(out).startsWith("FOO=bar baz\n");
    for (Map.Entry<String, String> e : System.getenv().entrySet()) {
      if (!List.of("PWD", "SHLVL", "_", "OLDPWD").contains(e.getKey())) {
        assertThat(out).doesNotContain(e.getKey() + "=" + e.getValue() + "\n");
      }
    }
    assertThat(out).doesNotContain("HOME=");
  }

  @Test
  void pythonEnvironmentIsExactlyTheRequestEnvironment() throws Exception {
    Recorder r = run(RunRequest.pythonCode(id(),
        "import os, subprocess\nprint(sorted(os.environ.items()))\n"
            + "env = subprocess.run(['/usr/bin/env'], capture_output=True, text=True).stdout\n"
            + "print(sorted(env.splitlines()))")
        .withEnv(Map.of("A", "1", "PATH", "/usr/bin:/bin")));
    assertThat(r.await().code()).isZero();
    assertThat(r.out.toString())
        .isEqualTo("[('A', '1'), ('PATH', '/usr/bin:/bin')]\n['A=1', 'PATH=/usr/bin:/bin']\n");
  }

  @Test
  void argvWithoutSlashIsSearchedInThePath() throws Exception {
    Recorder r = run(RunRequest.argv(id(), List.of("echo", "a;b", "$HOME")).withEnv(Map.of("PATH", "/bin")));
    assertThat(r.out.toString()).isEqualTo("a;b $HOME\n");
    Recorder missing = run(RunRequest.argv(id(), List.of("no-such-command-xyz")));
    assertThat(missing.await().code()).isEqualTo(127);
    assertThat(missing.await().error()).contains("no-such-command-xyz");
  }

  @Test
  void stdinGivenUpFront() throws Exception {
    Recorder r = run(RunRequest.pythonCode(id(), "import sys\nprint(input().upper())\nprint(repr(sys.stdin.read()))")
        .withStdin("hello\nrest ü\n", false));
    assertThat(r.await().code()).isZero();
    assertThat(r.out.toString()).isEqualTo("HELLO\n'rest ü\\n'\n");
    Recorder none = py("import sys\nprint(repr(sys.stdin.read()))");
    assertThat(none.out.toString()).isEqualTo("''\n");
  }

  @Test
  void interactiveStdin() throws Exception {
    String id = id();
    Recorder r = new Recorder() {
      @Override public synchronized void onOutput(int fd, String data) {
        super.onOutput(fd, data);
        if (out.toString().equals("name? ")) {
          runner.stdin(id, "bob\n", false);
        } else if (out.toString().endsWith("age? ")) {
          runner.stdin(id, "42\n", true);
        }
      }
    };
    runner.exec(RunRequest.pythonCode(id,
        "n = input('name? ')\na = input('age? ')\nimport sys\nprint(n, a, repr(sys.stdin.read()))")
        .withStdin(null, true).withTimeout(20), r);
    assertThat(r.await().code()).isZero();
    assertThat(r.out.toString()).isEqualTo("name? age? bob 42 ''\n");
  }

  @Test
  void cwd() throws Exception {
    Path work = Files.createDirectories(dir.resolve("work dir"));
    Recorder r = run(RunRequest.pythonCode(id(), "import os; print(os.getcwd())").withCwd(work.toString()));
    assertThat(r.out.toString()).isEqualTo(work.toRealPath() + "\n");
    Recorder sh = run(RunRequest.shell(id(), "pwd").withCwd(work.toString()));
    assertThat(sh.out.toString()).isEqualTo(work.toRealPath() + "\n");
    Recorder bad = run(RunRequest.shell(id(), "pwd").withCwd(dir.resolve("missing").toString()));
    assertThat(bad.await().code()).isEqualTo(127);
    assertThat(bad.await().error()).contains("chdir");
  }

  @Test
  void timeoutKillsTheWholeTreeIncludingDaemons() throws Exception {
    String marker = "alphora-marker-" + UUID.randomUUID();
    Path file = dir.resolve(marker);
    Recorder r = run(RunRequest.pythonCode(id(), daemonCode(file) + "print('spawned', flush=True)\n"
        + "import time\ntime.sleep(60)\n").withTimeout(1.5));
    RunExit e = r.await();
    assertThat(e.reason()).isEqualTo(RunExit.REASON_TIMEOUT);
    assertThat(e.code()).isEqualTo(-9);
    assertThat(e.signal()).isEqualTo(9);
    assertThat(e.wallSeconds()).isBetween(1.4, 5.0);
    assertThat(r.out.toString()).isEqualTo("spawned\n");   // partial output delivered
    assertAllGone(marker, file);
  }

  @Test
  void timeoutOfAShellTree() throws Exception {
    String marker = "alphora-marker-" + UUID.randomUUID();
    Path file = dir.resolve(marker);
    Recorder r = run(RunRequest.shell(id(), "echo start; (setsid sh -c 'while true; do echo x >> \"$0\"; "
        + "sleep 0.1; done' " + file + " &) ; sleep 100").withTimeout(1));
    assertThat(r.await().reason()).isEqualTo(RunExit.REASON_TIMEOUT);
    assertThat(r.out.toString()).isEqualTo("start\n");
    assertAllGone(marker, file);
  }

  @Test
  void cancelKillsTheRun() throws Exception {
    String id = id();
    Recorder r = new Recorder();
    runner.exec(RunRequest.pythonCode(id, "print('up', flush=True)\nimport time; time.sleep(60)"), r);
    r.started.get(10, TimeUnit.SECONDS);
    Thread.sleep(100);
    runner.cancel(id);
    RunExit e = r.await();
    assertThat(e.reason()).isEqualTo(RunExit.REASON_CANCELLED);
    assertThat(e.code()).isEqualTo(-9);
    assertThat(r.out.toString()).isEqualTo("up\n");
  }

  @Test
  void leftoversAreKilledWhenTheMainProcessExits() throws Exception {
    String marker = "alphora-marker-" + UUID.randomUUID();
    Path file = dir.resolve(marker);
    Recorder r = py(daemonCode(file) + "import time\nwhile not os.path.exists(" + q(file) + "): time.sleep(0.01)\n"
        + "print('bye')\n");
    assertThat(r.await().code()).isZero();
    assertThat(r.await().reason()).isNull();
    assertThat(processesWith(marker)).isEmpty();     // already gone when the exit arrives
    assertAllGone(marker, file);
  }

  @Test
  void backgroundLeftoversSurviveUntilCancelled() throws Exception {
    String marker = "alphora-marker-" + UUID.randomUUID();
    Path file = dir.resolve(marker);
    String id = id();
    Recorder r = run(RunRequest.pythonCode(id, daemonCode(file) + "print('main done')\n").withBackground(true));
    assertThat(r.await().code()).isZero();
    assertThat(r.out.toString()).isEqualTo("main done\n");
    Thread.sleep(600);
    assertThat(processesWith(marker)).isNotEmpty();
    long size = Files.size(file);
    Thread.sleep(400);
    assertThat(Files.size(file)).isGreaterThan(size);
    runner.cancel(id);
    assertAllGone(marker, file);
    assertThat(r.outputAfterExit).isFalse();
  }

  @Test
  void outputLimitTruncatesExactly() throws Exception {
    long limit = 1_000_000;
    Recorder r = run(RunRequest.pythonCode(id(), "import sys\nsys.stdout.write('x' * 50_000_000)\nprint('never')")
        .withMaxOutput(limit).withTimeout(30));
    RunExit e = r.await();
    assertThat(e.reason()).isEqualTo(RunExit.REASON_OUTPUT_LIMIT);
    assertThat(e.truncated()).isTrue();
    assertThat(r.bytes).isEqualTo(limit);
    assertThat(r.out.length()).isEqualTo((int) limit);
    assertThat(r.out.toString()).matches("x+");
  }

  @Test
  void outputUnderTheLimitIsNotTruncated() throws Exception {
    Recorder r = run(RunRequest.pythonCode(id(), "import sys\nsys.stdout.write('y' * 300_000)\nsys.stderr.write('z' * 100)")
        .withMaxOutput(300_100));
    assertThat(r.await().truncated()).isFalse();
    assertThat(r.await().code()).isZero();
    assertThat(r.bytes).isEqualTo(300_100);
  }

  @Test
  void outputIsLive() throws Exception {
    Recorder r = py("import time\nprint('first')\ntime.sleep(1)\nprint('second')");
    assertThat(r.await().code()).isZero();
    assertThat(r.out.toString()).isEqualTo("first\nsecond\n");
    long firstOutput = r.outputNanos.get(0);
    assertThat((r.exitNanos - firstOutput) / 1e9).isGreaterThanOrEqualTo(0.5);
  }

  @Test
  void concurrentRuns() throws Exception {
    List<Recorder> recorders = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Recorder r = new Recorder();
      recorders.add(r);
      runner.exec(RunRequest.pythonCode(id(), "import time, sys\ntime.sleep(0.3)\nprint('run', " + i + ")\n"
          + "print('e', " + i + ", file=sys.stderr)\nsys.exit(" + i + ")").withTimeout(20), r);
    }
    for (int i = 0; i < 8; i++) {
      Recorder r = recorders.get(i);
      assertThat(r.await().code()).isEqualTo(i);
      assertThat(r.out.toString()).isEqualTo("run " + i + "\n");
      assertThat(r.err.toString()).isEqualTo("e " + i + "\n");
    }
    assertThat(runner.activeRuns()).isZero();
  }

  @Test
  void multibyteCharacterSplitAcrossWrites() throws Exception {
    Recorder r = py("import os, time\nos.write(1, b'a\\xe2\\x82')\ntime.sleep(0.2)\nos.write(1, b'\\xac\\n')\n"
        + "os.write(2, b'\\xf0\\x9f')\ntime.sleep(0.1)\nos.write(2, b'\\x98\\x80')\nos.write(1, b'\\xff.')");
    assertThat(r.out.toString()).isEqualTo("a€\n\ufffd.");
    assertThat(r.err.toString()).isEqualTo("😀");
  }

  @Test
  void rlimitsAreApplied() throws Exception {
    Recorder r = run(RunRequest.pythonCode(id(), "import resource\nprint(resource.getrlimit(resource.RLIMIT_NOFILE))\n"
        + "print(resource.getrlimit(resource.RLIMIT_CPU))").withRlimits(Map.of("nofile", 256L, "cpu", 30L)));
    assertThat(r.out.toString()).isEqualTo("(256, 256)\n(30, 31)\n");
    Recorder shell = run(RunRequest.shell(id(), "ulimit -n").withRlimits(Map.of("nofile", 100L)));
    assertThat(shell.out.toString()).isEqualTo("100\n");
  }

  @Test
  void refusesDuplicateIdsAndReportsErrors() throws Exception {
    String id = id();
    Recorder r = new Recorder();
    runner.exec(RunRequest.pythonCode(id, "import time; time.sleep(0.5)"), r);
    assertThatThrownBy(() -> runner.exec(RunRequest.pythonCode(id, "pass"), new Recorder()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(r.await().code()).isZero();
    runner.cancel("no-such-run");
    assertThat(py("print('still fine')").out.toString()).isEqualTo("still fine\n");
  }

  @Test
  void runnerDeathFailsPendingRunsAndFiresOnDeath() throws Exception {
    String marker = "alphora-marker-" + UUID.randomUUID();
    Path file = dir.resolve(marker);
    try (RunnerProcess own = RunnerProcess.start(spec())) {
      CountDownLatch died = new CountDownLatch(1);
      own.onDeath(died::countDown);
      Recorder r = new Recorder();
      own.exec(RunRequest.pythonCode(id(), daemonCode(file) + "print('x', flush=True)\nimport time; time.sleep(60)"), r);
      r.started.get(10, TimeUnit.SECONDS);
      while (!Files.exists(file)) {
        Thread.sleep(10);
      }
      ProcessHandle.of(own.pid()).orElseThrow().destroyForcibly();
      RunExit e = r.await();
      assertThat(e.reason()).isEqualTo(RunExit.REASON_RUNNER_DIED);
      assertThat(e.code()).isEqualTo(-1);
      assertThat(e.error()).contains("died");
      assertThat(died.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(own.isAlive()).isFalse();
      assertThatThrownBy(() -> own.exec(RunRequest.pythonCode(id(), "pass"), new Recorder()))
          .isInstanceOf(IllegalStateException.class);
      assertAllGone(marker, file);   // the runner's namespaces die with it
    }
  }

  @Test
  void runnerOutlivesTheThreadThatStartedIt() throws Exception {
    // PR_SET_PDEATHSIG follows the forking thread: a runner spawned from a short-lived thread
    // would be killed when that thread ends, unless spawning is done on a long-lived thread.
    CompletableFuture<RunnerProcess> started = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        started.complete(RunnerProcess.start(spec()));
      } catch (Throwable e) {
        started.completeExceptionally(e);
      }
    });
    t.start();
    t.join();
    try (RunnerProcess own = started.get(10, TimeUnit.SECONDS)) {
      Thread.sleep(300);
      assertThat(own.isAlive()).isTrue();
      Recorder r = new Recorder();
      own.exec(RunRequest.pythonCode(id(), "print('alive')"), r);
      assertThat(r.await().code()).isZero();
      assertThat(r.out.toString()).isEqualTo("alive\n");
    }
  }

  @Test
  void closeDeliversKilledToPendingRuns() throws Exception {
    RunnerProcess own = RunnerProcess.start(spec());
    Recorder r = new Recorder();
    own.exec(RunRequest.pythonCode(id(), "import time; time.sleep(60)"), r);
    r.started.get(10, TimeUnit.SECONDS);
    own.close();
    assertThat(r.exit).isDone();
    assertThat(r.await().reason()).isEqualTo(RunExit.REASON_KILLED);
    assertThat(own.isAlive()).isFalse();
  }

  @Test
  void startFailsWithTheRunnersStderr() throws IOException {
    Path broken = dir.resolve("broken_runner.py");
    Files.writeString(broken, "import sys\nsys.stderr.write('kaputt: cannot start\\n')\nsys.exit(3)\n");
    RunnerSpec spec = new RunnerSpec(null, broken, List.of(), Map.of("PATH", "/usr/bin:/bin"), dir);
    assertThatThrownBy(() -> RunnerProcess.start(spec))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("kaputt: cannot start");
  }

  @Test
  void extractsTheScriptOncePerContent() throws IOException {
    Path a = RunnerScript.extract(dir.resolve("x"));
    Path b = RunnerScript.extract(dir.resolve("x"));
    assertThat(a).isEqualTo(b);
    assertThat(a.getFileName().toString()).matches("alphora_runner-[0-9a-f]{16}\\.py");
    assertThat(Files.readAllBytes(a)).isEqualTo(RunnerScript.content());
    assertThat(RunnerScript.extract()).exists();
  }

  @ParameterizedTest
  @ValueSource(strings = {"userns", "pgroup"})
  void weakerKillModesStillWork(String mode) throws Exception {
    try (RunnerProcess own = RunnerProcess.start(spec().withEnv("ALPHORA_RUNNER_KILL_MODE", mode))) {
      assertThat(own.killMode()).isEqualTo(mode.equals("userns") ? "pidns" : "pgroup");
      Recorder ok = new Recorder();
      own.exec(RunRequest.pythonCode(id(), "print('hi')\nimport sys; sys.exit(4)"), ok);
      assertThat(ok.await().code()).isEqualTo(4);
      assertThat(ok.out.toString()).isEqualTo("hi\n");
      String marker = "alphora-marker-" + UUID.randomUUID();
      Path file = dir.resolve(marker);
      Recorder slow = new Recorder();
      own.exec(RunRequest.shell(id(), "echo go; sh -c 'while true; do echo x >> \"$0\"; sleep 0.1; done' "
          + file + " & sleep 100").withTimeout(1), slow);
      assertThat(slow.await().reason()).isEqualTo(RunExit.REASON_TIMEOUT);
      assertThat(slow.out.toString()).isEqualTo("go\n");
      assertAllGone(marker, file);
    }
  }

  /** Prints latency and memory figures; asserts nothing about timing. */
  @Test
  void roundTripLatencyAndIdleMemory() throws Exception {
    int n = 200;
    long[] nanos = new long[n];
    for (int i = -20; i < n; i++) {
      Recorder r = new Recorder();
      long t0 = System.nanoTime();
      runner.exec(RunRequest.pythonCode(id(), "print(1)").withTimeout(10), r);
      RunExit e = r.await();
      if (i >= 0) {
        nanos[i] = System.nanoTime() - t0;
      }
      assertThat(e.code()).isZero();
    }
    Arrays.sort(nanos);
    Thread.sleep(300);
    String report = String.format("runner round trip print(1): p50 %.2f ms, p90 %.2f ms, max %.2f ms; "
            + "runner idle VmRSS %s; cells: %s",
        nanos[n / 2] / 1e6, nanos[n * 9 / 10] / 1e6, nanos[n - 1] / 1e6,
        status(runner.pid(), "VmRSS"), cellMemory(runner.pid()));
    System.out.println(report);
    Files.writeString(Path.of("target", "runner-bench.txt"), report + "\n");
  }

  // ---------------------------------------------------------------------------------------

  /** Python that starts a setsid'ed, double-forked shell daemon appending to file every 100 ms. */
  static String daemonCode(Path file) {
    return "import os\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
        + "        os.execv('/bin/sh', ['/bin/sh', '-c', 'while true; do echo x >> \"$0\"; sleep 0.1; done', "
        + q(file) + "])\n    os._exit(0)\nos.wait()\n";
  }

  static String q(Path p) {
    return "'" + p.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  static void assertAllGone(String marker, Path file) throws Exception {
    long deadline = System.nanoTime() + 1_000_000_000L;
    while (!processesWith(marker).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(processesWith(marker)).as("processes still running").isEmpty();
    if (Files.exists(file)) {
      long size = Files.size(file);
      Thread.sleep(400);
      assertThat(Files.size(file)).as("marker file still growing").isEqualTo(size);
    }
  }

  static List<Long> processesWith(String marker) throws IOException {
    List<Long> found = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) procs::iterator) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
          if (cmdline.contains(marker)) {
            found.add(Long.parseLong(name));
          }
        } catch (IOException gone) {
          // exited while we looked
        }
      }
    }
    return found;
  }

  static String status(long pid, String key) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith(key + ":")) {
        return line.substring(key.length() + 1).trim();
      }
    }
    return "?";
  }

  /** Count and total private memory (Pss) of the runner's pre-forked cell processes. */
  static String cellMemory(long runnerPid) throws IOException {
    List<ProcessHandle> all = new ArrayList<>();
    ProcessHandle.of(runnerPid).orElseThrow().descendants().forEach(all::add);
    long pssKb = 0;
    for (ProcessHandle h : all) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/" + h.pid() + "/smaps_rollup"))) {
          if (line.startsWith("Pss:")) {
            pssKb += Long.parseLong(line.replaceAll("[^0-9]", ""));
          }
        }
      } catch (IOException gone) {
        // exited
      }
    }
    return all.size() + " processes, Pss total " + pssKb + " kB (runner Pss "
        + pss(runnerPid) + " kB)";
  }

  static long pss(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
      if (line.startsWith("Pss:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }
}
