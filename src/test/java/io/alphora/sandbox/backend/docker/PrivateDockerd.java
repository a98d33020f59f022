package io.alphora.sandbox.backend.docker;

import com.github.dockerjava.api.DockerClient;
import io.alphora.sandbox.config.DockerConfig;
import io.alphora.sandbox.workspace.Workspace;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Docker daemon of a test's own, for what must not happen to the daemon every test shares (CI
 * starts one): stopping and restarting it, or reaching it over tcp. It has its own data root, exec
 * root (and so its own containerd, which dockerd starts there), pid file, unix socket and a tcp
 * socket on loopback, and touches no host network ({@code --bridge=none}, no iptables): its
 * containers can only run with {@code network_mode none}. {@link #close} stops it and its
 * containerd, unmounts whatever they left and deletes the directory, also after a failed test.
 * Needs root and the {@code dockerd} binary; without it the test fails saying how to get it.
 */
public final class PrivateDockerd implements AutoCloseable {
  private final Path dir;
  private final int tcpPort;
  private Process process;
  private DockerClient client;

  private PrivateDockerd(Path dir, int tcpPort) {
    this.dir = dir;
    this.tcpPort = tcpPort;
  }

  /** Starts a daemon and loads the runtime image into it from the shared daemon (a few seconds). */
  public static PrivateDockerd startWithRuntimeImage() throws Exception {
    DockerClient shared = DockerTestSupport.docker();
    if (!Files.isExecutable(Path.of("/usr/bin/dockerd")) && !onPath("dockerd")) {
      throw new IllegalStateException("this test starts a Docker daemon of its own and needs the dockerd binary: "
          + "run scripts/install-deps (installs docker.io), or apt-get install docker.io");
    }
    // unix socket paths are limited to 108 bytes: keep the directory short
    PrivateDockerd d = new PrivateDockerd(Files.createTempDirectory(Path.of("/tmp"), "adk"), freePort());
    try {
      d.start();
      try (InputStream image = shared.saveImageCmd(DockerTestSupport.IMAGE).exec()) {
        d.client().loadImageCmd(image).exec();
      }
      return d;
    } catch (Exception | Error e) {
      d.close();
      throw e;
    }
  }

  private static boolean onPath(String binary) {
    for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!p.isEmpty() && Files.isExecutable(Path.of(p, binary))) {
        return true;
      }
    }
    return false;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** {@code unix:///tmp/adk…/docker.sock} */
  public String unixHost() { return "unix://" + dir.resolve("docker.sock"); }

  /** {@code tcp://127.0.0.1:<port>} (plain, loopback only) */
  public String tcpHost() { return "tcp://127.0.0.1:" + tcpPort; }

  /** A client for this daemon (over its unix socket). */
  public synchronized DockerClient client() {
    if (client == null) {
      client = DockerClients.create(withHost(DockerConfig.defaults(), unixHost()));
    }
    return client;
  }

  /** {@code c} pointed at another daemon. */
  public static DockerConfig withHost(DockerConfig c, String host) {
    return new DockerConfig(c.image(), host, c.networkMode(), c.user(), c.workingDir(), c.cpuPeriod(), c.pidsLimit(),
        c.readOnlyRoot(), c.capDrop(), c.capAdd(), c.securityOpt(), c.environment(), c.volumes(), c.tlsVerify(),
        c.tlsCaCert(), c.tlsClientCert(), c.tlsClientKey(), c.poolSize(), c.poolMaxAgeSeconds(), c.orphans(),
        c.logMaxSize(), c.runnerChannel());
  }

  public synchronized boolean running() { return process != null && process.isAlive(); }

  /** Starts the daemon (again, after {@link #stop}) over the same data, and waits until it answers. */
  public synchronized void start() throws Exception {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("the private dockerd is running already");
    }
    List<String> cmd = List.of("dockerd", "--data-root", dir.resolve("data").toString(),
        "--exec-root", dir.resolve("exec").toString(), "--pidfile", dir.resolve("docker.pid").toString(),
        "-H", unixHost(), "-H", tcpHost(), "--bridge=none", "--iptables=false", "--ip6tables=false",
        "--containerd-namespace", "alphora-test", "--containerd-plugins-namespace", "alphora-test-plugins");
    process = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("dockerd.log").toFile())).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the private dockerd exited with " + process.exitValue() + ": " + logTail());
      }
      if (DockerClients.ping(client())) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the private dockerd did not answer within 60 s: " + logTail());
  }

  /**
   * Stops the daemon as an operator or a package upgrade would ({@code SIGTERM}: it stops its
   * containers and its containerd), and waits until it is gone.
   */
  public synchronized void stop() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    process = null;
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("dockerd.log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Stops the daemon and its containerd, unmounts what they left under the directory and deletes it. */
  @Override
  public void close() throws Exception {
    try {
      if (client != null) {
        client.close();
      }
      stop();
    } finally {
      killContainerd();
      unmountUnder(dir);
      Workspace.deleteTree(dir);
    }
  }

  /** The containerd dockerd started in its exec root outlives a dockerd that was killed. */
  private void killContainerd() {
    Path pidFile = dir.resolve("exec/containerd/containerd.pid");
    try {
      if (Files.isRegularFile(pidFile)) {
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle.of(pid).filter(h -> h.info().command().orElse("").endsWith("containerd")).ifPresent(h -> {
          h.destroyForcibly();
          h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> h).join();
        });
      }
    } catch (IOException | RuntimeException ignored) {
      // nothing to kill
    }
  }

  private static void unmountUnder(Path dir) throws IOException, InterruptedException {
    List<String> points = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
      String point = line.split(" ")[1].replace("\\040", " ");
      if (point.startsWith(dir + "/")) {
        points.add(point);
      }
    }
    points.sort(Comparator.comparing(String::length).reversed());
    for (String p : points) {
      new ProcessBuilder("umount", "-l", p).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
