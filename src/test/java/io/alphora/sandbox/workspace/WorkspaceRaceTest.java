package io.alphora.sandbox.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.SandboxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sandbox that keeps swapping directory {@code d} for a symlink to a host directory while the host
 * side works on {@code d/...}. Operations may fail, but they must never touch the host directory.
 */
class WorkspaceRaceTest {
  static final long MB = 1 << 20;
  static final long RUN_NANOS = 1_500_000_000L;
  @TempDir Path tmp;
  Workspace ws;
  Path root;
  Path host;
  final AtomicBoolean stop = new AtomicBoolean();
  final AtomicLong swaps = new AtomicLong();
  Thread attacker;

  @BeforeEach
  void setUp() throws IOException {
    ws = new Workspace(tmp.resolve("ws"));
    root = ws.root();
    host = Files.createDirectories(tmp.resolve("host"));
    Files.writeString(host.resolve("secret.txt"), "host secret");
    Files.createDirectories(host.resolve("sub"));
    Files.writeString(host.resolve("sub/keep.txt"), "keep");
    ws.writeText("d/secret.txt", "workspace", MB);
    Files.createSymbolicLink(root.resolve("lnk"), host);
    attacker = new Thread(this::swapForever, "attacker");
    attacker.setDaemon(true);
    attacker.start();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    stop.set(true);
    attacker.join(5000);
  }

  /** d (directory) -> real, lnk (symlink) -> d, then back: d alternates between the two. */
  private void swapForever() {
    Path d = root.resolve("d");
    Path real = root.resolve("real");
    Path lnk = root.resolve("lnk");
    while (!stop.get()) {
      try {
        Files.move(d, real);
        Files.move(lnk, d);
        Thread.onSpinWait();
        Files.move(d, lnk);
        Files.move(real, d);
        swaps.incrementAndGet();
      } catch (IOException e) {
        // the host side may have created or removed entries; keep going
      }
    }
  }

  @Test
  void readsNeverReturnHostData() {
    long ok = 0;
    for (long end = System.nanoTime() + RUN_NANOS; System.nanoTime() < end; ) {
      try {
        assertThat(ws.readText("d/secret.txt", MB)).isEqualTo("workspace");
        ok++;
      } catch (SandboxException expected) {
        // refused or not found mid-swap
      }
    }
    assertThat(swaps.get()).isPositive();
    System.out.println("reads ok=" + ok + " swaps=" + swaps.get());
  }

  @Test
  void writesAndDeletesNeverTouchTheHost() throws IOException {
    for (long end = System.nanoTime() + RUN_NANOS; System.nanoTime() < end; ) {
      try {
        ws.writeText("d/sub/keep.txt", "pwned", MB);
      } catch (SandboxException expected) {
        // refused mid-swap
      }
      try {
        ws.delete("d/sub");
      } catch (SandboxException expected) {
        // refused mid-swap
      }
      try {
        ws.list("d", true, null);
        ws.copy("d", "copy-of-d");
        ws.delete("copy-of-d");
      } catch (SandboxException expected) {
        // refused mid-swap
      }
    }
    stop.set(true);
    assertThat(swaps.get()).isPositive();
    assertThat(host.resolve("secret.txt")).hasContent("host secret");
    assertThat(host.resolve("sub/keep.txt")).hasContent("keep");
    try (var s = Files.list(host)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("secret.txt", "sub");
    }
  }
}
