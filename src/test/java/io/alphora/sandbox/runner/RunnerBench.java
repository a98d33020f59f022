package io.alphora.sandbox.runner;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code main}: prints p50/p90 of sequential {@code print(1)} exec round trips through
 * {@link RunnerProcess} (from {@code exec()} to the {@code onExit} call) and the runner's idle
 * VmRSS. Args: [runs] [gapMillis between runs].
 */
public final class RunnerBench {
  private RunnerBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    long gapMillis = args.length > 1 ? Long.parseLong(args[1]) : 0;
    Path dir = Files.createTempDirectory("alphora-bench");
    try (RunnerProcess runner = RunnerProcess.start(RunnerSpec.of(RunnerScript.extract(dir), dir))) {
      long[] nanos = new long[n];
      for (int i = -Math.max(50, n / 4); i < n; i++) {
        if (gapMillis > 0) {
          Thread.sleep(gapMillis);
        }
        CompletableFuture<RunExit> done = new CompletableFuture<>();
        long[] exitAt = new long[1];
        long t0 = System.nanoTime();
        runner.exec(RunRequest.pythonCode("b" + i, "print(1)").withTimeout(10), new RunListener() {
          @Override public void onOutput(int fd, String data) { }
          @Override public void onExit(RunExit exit) {
            exitAt[0] = System.nanoTime();   // the round trip ends when onExit is called
            done.complete(exit);
          }
        });
        RunExit exit = done.get(10, TimeUnit.SECONDS);
        if (exit.code() != 0) {
          throw new IllegalStateException("run failed: " + exit);
        }
        if (i >= 0) {
          nanos[i] = exitAt[0] - t0;
        }
      }
      Arrays.sort(nanos);
      Thread.sleep(500);
      String rss = Files.readAllLines(Path.of("/proc/" + runner.pid() + "/status")).stream()
          .filter(l -> l.startsWith("VmRSS")).findFirst().orElse("?");
      System.out.printf("%d round trips (gap %d ms): p50 %.2f ms  p90 %.2f ms  p99 %.2f ms; runner %s%n",
          n, gapMillis, nanos[n / 2] / 1e6, nanos[n * 9 / 10] / 1e6, nanos[n * 99 / 100] / 1e6, rss);
    }
  }
}
