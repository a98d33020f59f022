package io.alphora.sandbox.backend.docker;

import com.github.dockerjava.api.DockerClient;
import io.alphora.sandbox.runner.RunnerChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A container's runner reached over a unix socket: the service listens on {@code runner.sock} in
 * the sandbox's control directory (bind-mounted read-only at {@value #MOUNT}), the container's
 * first process connects to it, makes the connection its stdin and stdout and execs the runner.
 * Frames then go straight between the JVM and the runner, without the daemon's stdio copying of
 * an attach stream (about 2 ms less per run here). The socket file is removed once the runner is
 * connected, so nothing else in the container can connect. Local daemons only (the daemon must
 * see the control directory); {@link AttachChannel} serves remote ones.
 */
final class SocketLink implements RunnerChannel {
  static final String MOUNT = "/run/alphora";
  /** The container's command: connect, take the connection as stdin/stdout, exec the runner. */
  static final String SHIM = "import os, socket, sys\n"
      + "s = socket.socket(socket.AF_UNIX)\n"
      + "s.connect('" + MOUNT + "/runner.sock')\n"
      + "os.dup2(s.fileno(), 0)\n"
      + "os.dup2(s.fileno(), 1)\n"
      + "s.close()\n"
      + "os.execv(sys.executable, [sys.executable, '-I', '-u', '" + Containers.RUNNER + "'])\n";
  private static final long CONNECT_TIMEOUT_MS = 10_000;

  private final DockerClient docker;
  private final String containerId;
  private final SocketChannel socket;
  private volatile boolean ended;

  private SocketLink(DockerClient docker, String containerId, SocketChannel socket) {
    this.docker = docker;
    this.containerId = containerId;
    this.socket = socket;
  }

  /** Whether {@code ctlDir/runner.sock} fits in a unix socket address (108 bytes with the NUL). */
  static boolean fits(Path ctlDir) {
    return ctlDir.toAbsolutePath().resolve("runner.sock").toString()
        .getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 100;
  }

  /** A listening socket in {@code ctlDir}, owned by the container's user. Open it before the container starts. */
  static ServerSocketChannel listen(Path ctlDir, int[] owner) throws IOException {
    Files.createDirectories(ctlDir);
    Path sock = ctlDir.resolve("runner.sock");
    Files.deleteIfExists(sock);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(sock));
    if (owner != null) {
      for (Path p : new Path[] {ctlDir, sock}) {
        Files.setAttribute(p, "unix:uid", owner[0]);
        Files.setAttribute(p, "unix:gid", owner[1]);
      }
    }
    return server;
  }

  /** Waits for the started container's runner to connect, then closes and removes the listener. */
  static SocketLink accept(DockerClient docker, String containerId, ServerSocketChannel server, Path ctlDir)
      throws IOException {
    try (server; Selector sel = Selector.open()) {
      server.configureBlocking(false);
      server.register(sel, SelectionKey.OP_ACCEPT);
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONNECT_TIMEOUT_MS);
      SocketChannel ch = null;
      while (ch == null) {
        long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
        if (left <= 0) {
          throw new IOException("the runner in container " + AttachChannel.short12(containerId)
              + " did not connect within 10 s; its log: " + Containers.logTail(docker, containerId));
        }
        sel.select(Math.min(left, 200));
        ch = server.accept();
        if (ch == null && !running(docker, containerId)) {
          throw new IOException("container " + AttachChannel.short12(containerId) + " exited before its runner "
              + "connected; its log: " + Containers.logTail(docker, containerId));
        }
      }
      ch.configureBlocking(true);
      return new SocketLink(docker, containerId, ch);
    } finally {
      Files.deleteIfExists(ctlDir.resolve("runner.sock"));
    }
  }

  private static boolean running(DockerClient docker, String id) {
    try {
      return Boolean.TRUE.equals(docker.inspectContainerCmd(id).exec().getState().getRunning());
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public OutputStream input() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b, off, len);
        while (buf.hasRemaining()) {
          socket.write(buf);
        }
      }

      @Override
      public void close() throws IOException { socket.shutdownOutput(); }
    };
  }

  @Override
  public InputStream output() {
    // SocketChannel reads and writes lock separately: a blocked read never holds up a frame sent
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        int n;
        try {
          n = socket.read(ByteBuffer.wrap(b, off, len));
        } catch (IOException e) {
          n = -1;
        }
        if (n < 0) {
          ended = true;
        }
        return n;
      }
    };
  }

  @Override
  public InputStream errors() { return InputStream.nullInputStream(); }

  @Override
  public String describe() { return "container " + AttachChannel.short12(containerId); }

  @Override
  public long pid() { return -1; }

  @Override
  public boolean isAlive() { return !ended && socket.isOpen(); }

  @Override
  public Integer waitFor(long millis) throws InterruptedException {
    return AttachChannel.waitForExit(docker, containerId, millis, ended);
  }

  @Override
  public void kill() {
    try {
      docker.killContainerCmd(containerId).exec();
    } catch (RuntimeException ignored) {
      // not running
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // closed either way
    }
    ended = true;
  }
}
