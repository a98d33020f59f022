package io.alphora.sandbox.backend.docker;

import com.github.dockerjava.api.DockerClient;
import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.SecurityPolicy;
import io.alphora.sandbox.config.DockerConfig;
import io.alphora.sandbox.runner.RunExit;
import io.alphora.sandbox.runner.RunListener;
import io.alphora.sandbox.runner.RunRequest;
import io.alphora.sandbox.runner.RunnerProcess;
import io.alphora.sandbox.runner.RunnerScript;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code main}: p50/p90/p99 of sequential {@code print(1)} round trips to a runner inside a container
 * over the attach stream (from {@code exec()} to {@code onExit}), without REST. Args: [runs].
 */
public final class DockerRunnerBench {
  private DockerRunnerBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    Path dir = Files.createTempDirectory("alphora-dbench");
    DockerClient docker = DockerTestSupport.docker();
    DockerConfig cfg = DockerConfig.defaults();
    Containers cs = new Containers(cfg, "bench", dir, null);
    Path ws = Files.createDirectories(dir.resolve("ws"));
    Path site = Files.createDirectories(dir.resolve("site"));
    Files.setAttribute(ws, "unix:uid", 65534);
    Shape shape = Shape.of(DockerTestSupport.IMAGE, ResourceLimits.standard(), SecurityPolicy.standard(), 100, !"attach".equals(System.getenv("CHANNEL")));
    String id = cs.create(docker, shape, cs.name("bench-" + System.nanoTime()), ws, site, RunnerScript.extract(dir), dir.resolve("ctl"));
    try {
      io.alphora.sandbox.runner.RunnerChannel ch;
      if (shape.socket()) {
        var server = SocketLink.listen(dir.resolve("ctl"), new int[] {65534, 65534});
        docker.startContainerCmd(id).exec();
        ch = SocketLink.accept(docker, id, server, dir.resolve("ctl"));
      } else {
        ch = AttachChannel.open(docker, id);
        docker.startContainerCmd(id).exec();
      }
      try (RunnerProcess runner = RunnerProcess.connect(ch, "bench")) {
        long[] nanos = new long[n];
        for (int i = -50; i < n; i++) {
          CompletableFuture<RunExit> done = new CompletableFuture<>();
          long[] exitAt = new long[1];
          long t0 = System.nanoTime();
          runner.exec(RunRequest.pythonCode("b" + i, "print(1)").withTimeout(10), new RunListener() {
            @Override public void onOutput(int fd, String data) { }
            @Override public void onExit(RunExit exit) {
              exitAt[0] = System.nanoTime();
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
        System.out.printf("%d round trips in a container (" + (shape.socket() ? "socket" : "attach") + "): p50 %.2f ms  p90 %.2f ms  p99 %.2f ms%n",
            n, nanos[n / 2] / 1e6, nanos[n * 9 / 10] / 1e6, nanos[n * 99 / 100] / 1e6);
      }
    } finally {
      docker.removeContainerCmd(id).withForce(true).exec();
      docker.close();
    }
  }
}
