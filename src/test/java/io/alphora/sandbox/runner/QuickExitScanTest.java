package io.alphora.sandbox.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * pgroup mode's early exit report ({@code ALPHORA_RUNNER_PGROUP_QUICK=1}, set in Docker containers):
 * the runner's own session scan, called in a process shaped like a run's main process, and runs
 * through a runner in that mode.
 */
class QuickExitScanTest {
  @TempDir
  Path dir;

  /**
   * Loads the runner as a module in a fresh interpreter that calls setsid() (as a run's main process
   * does), prepares the given situation and prints what {@code _alone()} answers, then kills its
   * process group.
   */
  private static String alone(String setup) throws Exception {
    Path script = RunnerScript.extract();
    String py = String.join("\n",
        "import importlib.util, os, sys, time",
        "spec = importlib.util.spec_from_file_location('alphora_runner', sys.argv[1])",
        "r = importlib.util.module_from_spec(spec); spec.loader.exec_module(r)",
        "r.MODE = 'pgroup'",
        "os.setsid()",
        setup,
        "print(r._alone(), flush=True)",
        "os.killpg(os.getpid(), 9)",   // takes what the setup left along
        "");
    Process p = new ProcessBuilder("/usr/bin/python3", "-c", py, script.toString()).redirectErrorStream(true).start();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the probe did not finish");
    }
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
  }

  @Test
  void aMainProcessWithNothingElseInItsSessionIsAlone() throws Exception {
    assertThat(alone("pass")).isEqualTo("True");
  }

  @Test
  void aLiveChildKeepsTheReportForTheCell() throws Exception {
    assertThat(alone("import subprocess; c = subprocess.Popen(['sleep', '5'])")).startsWith("False");
  }

  @Test
  void anUnreapedChildCountsToo() throws Exception {
    // a zombie's parent (the run) may still read the pipes it shared: not over yet
    assertThat(alone("pid = os.fork()\nif pid == 0: os._exit(0)\ntime.sleep(0.2)")).isEqualTo("False");
  }

  @Test
  void anOrphanedGrandchildStillInTheSessionCounts() throws Exception {
    assertThat(alone("pid = os.fork()\nif pid == 0:\n    if os.fork() == 0:\n        time.sleep(5)\n    os._exit(0)\n"
        + "os.waitpid(pid, 0)")).isEqualTo("False");
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void runsInPgroupModeWithTheEarlyReportEndAndCleanUpAsWithout(boolean quick) throws Exception {
    RunnerSpec spec = RunnerProcessTest.spec(dir).withEnv("ALPHORA_RUNNER_KILL_MODE", "pgroup");
    if (quick) {
      spec = spec.withEnv("ALPHORA_RUNNER_PGROUP_QUICK", "1");
    }
    try (RunnerProcess own = RunnerProcess.start(spec)) {
      assertThat(own.killMode()).isEqualTo("pgroup");
      for (int i = 0; i < 20; i++) {
        RunnerProcessTest.Recorder ok = new RunnerProcessTest.Recorder();
        own.exec(RunRequest.pythonCode("q" + i, "import sys\nprint('out', " + i + ")\nsys.stderr.write('err')\nsys.exit(" + (i % 3) + ")"), ok);
        RunExit e = ok.await();
        assertThat(e.code()).isEqualTo(i % 3);
        assertThat(ok.out.toString()).isEqualTo("out " + i + "\n");
        assertThat(ok.err.toString()).isEqualTo("err");
      }
      // a child left running in the session: no early report; the run still ends and the child dies
      String marker = "alphora-quick-" + UUID.randomUUID();
      RunnerProcessTest.Recorder left = new RunnerProcessTest.Recorder();
      own.exec(RunRequest.pythonCode("left", "import subprocess\nsubprocess.Popen(['sh', '-c', 'sleep 30', '"
          + marker + "'])\nprint('bye')"), left);
      assertThat(left.await().code()).isZero();
      assertThat(left.out.toString()).isEqualTo("bye\n");
      RunnerProcessTest.assertAllGone(marker, Path.of("/nonexistent-" + marker));
      assertThat(own.isAlive()).isTrue();
    }
  }
}
