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
 * root (and so its own containerd, which dockerd starts there), pid file, unix socket, a tcp socket
 * on loopback and a default bridge of its own, and no iptables rules. Never {@code --bridge=none}:
 * a dockerd started so deletes the host's {@code docker0}, and with it the shared daemon's network. {@link #close} stops it and its
 * containerd, unmounts whatever they left and deletes the directory, also after a failed test.
 * Needs root and the {@code dockerd} binary; without it the test fails saying how to get it.
 */
public final class PrivateDockerd implements AutoCloseable {
  private final Path dir;
  private final int tcpPort;
  private final String bridge;
  private Process process;
  private DockerClient client;

  private PrivateDockerd(Path dir, int tcpPort) {
    this.dir = dir;
    this.tcpPort = tcpPort;
    this.bridge = "alphora-t" + tcpPort;
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
      d.addBridge();
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
        c.logMaxSize(), c.runnerChannel(), c.workspace());
  }

  public synchronized boolean running() { return process != null && process.isAlive(); }

  private void addBridge() throws IOException, InterruptedException {
    String net = "10.213." + (tcpPort % 250) + ".1/24";
    ip("link", "add", "name", bridge, "type", "bridge");
    ip("addr", "add", net, "dev", bridge);
    ip("link", "set", bridge, "up");
  }

  private static void ip(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed (the private dockerd needs root and "
          + "iproute2): " + out.strip());
    }
  }

  /** Starts the daemon (again, after {@link #stop}) over the same data, and waits until it answers. */
  public synchronized void start() throws Exception {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("the private dockerd is running already");
    }
    List<String> cmd = List.of("dockerd", "--data-root", dir.resolve("data").toString(),
        "--exec-root", dir.resolve("exec").toString(), "--pidfile", dir.resolve("docker.pid").toString(),
        "-H", unixHost(), "-H", tcpHost(), "--bridge=" + bridge, "--iptables=false", "--ip6tables=false",
        "--ip-forward=false", "--ip-masq=false",
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
      try {
        ip("link", "del", bridge);
      } catch (IllegalStateException notThere) {
        // never made
      }
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
