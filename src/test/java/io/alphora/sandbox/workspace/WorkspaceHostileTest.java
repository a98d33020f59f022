package io.alphora.sandbox.workspace;

import static io.alphora.sandbox.workspace.WorkspaceTest.assertCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.FileInfo;
import io.alphora.sandbox.SandboxException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the code inside a sandbox can do to the workspace, and what the host side must refuse. */
class WorkspaceHostileTest {
  static final long MB = 1 << 20;
  @TempDir Path tmp;
  Workspace ws;
  Path root;
  /** A directory standing for the host, outside the workspace. */
  Path host;
  Path hostFile;

  @BeforeEach
  void setUp() throws IOException {
    ws = new Workspace(tmp.resolve("ws"));
    root = ws.root();
    host = Files.createDirectories(tmp.resolve("host"));
    hostFile = Files.writeString(host.resolve("secret.txt"), "host secret");
  }

  @ParameterizedTest
  @ValueSource(strings = {"../x", "a/../../x", "/etc/passwd", "..", "a/../..", "/", "//workspace/x", "/workspacex",
      "/workspace/../x", "./../x"})
  void refusesPathsThatLeave(String bad) {
    assertCode(() -> ws.readText(bad, MB), ErrorCode.PATH_TRAVERSAL);
    assertCode(() -> ws.writeText(bad, "x", MB), ErrorCode.PATH_TRAVERSAL);
    assertCode(() -> ws.info(bad), ErrorCode.PATH_TRAVERSAL);
    assertCode(() -> ws.exists(bad), ErrorCode.PATH_TRAVERSAL);
    assertCode(() -> ws.delete(bad), ErrorCode.PATH_TRAVERSAL);
    assertCode(() -> ws.list(bad, false, null), ErrorCode.PATH_TRAVERSAL);
    assertCode(() -> ws.resolve(bad), ErrorCode.PATH_TRAVERSAL);
    assertCode(() -> ws.copy(bad, "x"), ErrorCode.PATH_TRAVERSAL);
    assertCode(() -> ws.move("x", bad), ErrorCode.PATH_TRAVERSAL);
    assertThat(tmp.resolve("x")).doesNotExist();
  }

  @Test
  void messagesNameThePath() {
    assertThatThrownBy(() -> ws.readText("../x", MB)).hasMessage("path '../x' leaves the workspace");
    assertThatThrownBy(() -> ws.readText("/etc/passwd", MB)).hasMessageContaining("absolute paths are not allowed");
  }

  @Test
  void refusesNulBytes() {
    assertCode(() -> ws.writeText("a\0b", "x", MB), ErrorCode.INVALID_REQUEST);
    assertCode(() -> ws.readText("a\0b", MB), ErrorCode.INVALID_REQUEST);
  }

  @Test
  void refusesEverythingThroughADirectoryLink() throws IOException {
    Files.createSymbolicLink(root.resolve("link"), host);
    Files.createSymbolicLink(root.resolve("etc"), Path.of("/etc"));
    ws.writeText("x.txt", "x", MB);
    assertThatThrownBy(() -> ws.readText("etc/passwd", MB)).hasMessageContaining("'etc' is a symbolic link");
    for (String p : List.of("link/secret.txt", "etc/passwd")) {
      assertCode(() -> ws.readText(p, MB), ErrorCode.PATH_TRAVERSAL);
      assertCode(() -> ws.openRead(p), ErrorCode.PATH_TRAVERSAL);
      assertCode(() -> ws.readablePath(p), ErrorCode.PATH_TRAVERSAL);
      assertCode(() -> ws.writeText(p, "pwned", MB), ErrorCode.PATH_TRAVERSAL);
      assertCode(() -> ws.delete(p), ErrorCode.PATH_TRAVERSAL);
      assertCode(() -> ws.copy(p, "stolen.txt"), ErrorCode.PATH_TRAVERSAL);
      assertCode(() -> ws.move(p, "stolen.txt"), ErrorCode.PATH_TRAVERSAL);
      assertCode(() -> ws.copy("x.txt", p), ErrorCode.PATH_TRAVERSAL);
      assertCode(() -> ws.move("x.txt", p), ErrorCode.PATH_TRAVERSAL);
      assertCode(() -> ws.info(p), ErrorCode.PATH_TRAVERSAL);
      assertCode(() -> ws.exists(p), ErrorCode.PATH_TRAVERSAL);
    }
    assertCode(() -> ws.writeText("link/new.txt", "x", MB), ErrorCode.PATH_TRAVERSAL);
    assertCode(() -> ws.list("link", false, null), ErrorCode.PATH_TRAVERSAL);
    assertCode(() -> ws.list("etc", true, null), ErrorCode.PATH_TRAVERSAL);
    assertCode(() -> ws.copy("link", "copied"), ErrorCode.PATH_TRAVERSAL);
    assertThat(hostFile).hasContent("host secret");
    assertThat(host.resolve("new.txt")).doesNotExist();
    assertThat(ws.exists("stolen.txt")).isFalse();
  }

  @Test
  void aLinkToTheRootIsListedButNeverEntered() throws IOException {
    ws.writeText("x.txt", "x", MB);
    Files.createSymbolicLink(root.resolve("ws_link"), Path.of("."));
    assertCode(() -> ws.readText("ws_link/x.txt", MB), ErrorCode.PATH_TRAVERSAL);
    assertCode(() -> ws.writeText("ws_link/y.txt", "y", MB), ErrorCode.PATH_TRAVERSAL);
    List<FileInfo> all = ws.list("", true, null);
    assertThat(all).extracting(FileInfo::path).containsExactly("ws_link", "x.txt");
    FileInfo link = all.get(0);
    assertThat(link.isSymlink()).isTrue();
    assertThat(link.isDirectory()).isFalse();
    assertThat(link.size()).isEqualTo(1); // the link itself: "." is one byte
  }

  @Test
  void aFileLinkIsRefusedButDeletingItUnlinksOnlyTheLink() throws IOException {
    Files.createSymbolicLink(root.resolve("pw"), hostFile);
    assertCode(() -> ws.readText("pw", MB), ErrorCode.PATH_TRAVERSAL);
    assertCode(() -> ws.writeText("pw", "pwned", MB), ErrorCode.PATH_TRAVERSAL);
    assertCode(() -> ws.copy("pw", "copy.txt"), ErrorCode.PATH_TRAVERSAL);
    assertCode(() -> ws.info("pw"), ErrorCode.PATH_TRAVERSAL);
    assertThat(ws.list("", false, null)).singleElement().satisfies(f -> assertThat(f.isSymlink()).isTrue());
    assertThat(ws.delete("pw")).isTrue();
    assertThat(root.resolve("pw")).doesNotExist();
    assertThat(hostFile).hasContent("host secret");
  }

  @Test
  void hardLinksToHostFilesAreRefused() throws IOException {
    Files.createLink(root.resolve("hl.txt"), hostFile);
    assertThatThrownBy(() -> ws.readText("hl.txt", MB)).hasMessageContaining("hard-linked");
    assertCode(() -> ws.readText("hl.txt", MB), ErrorCode.PATH_TRAVERSAL);
    assertCode(() -> ws.openRead("hl.txt"), ErrorCode.PATH_TRAVERSAL);
    assertCode(() -> ws.writeText("hl.txt", "pwned", MB), ErrorCode.PATH_TRAVERSAL);
    assertCode(() -> ws.copy("hl.txt", "copy.txt"), ErrorCode.PATH_TRAVERSAL);
    assertCode(() -> ws.move("hl.txt", "moved.txt"), ErrorCode.PATH_TRAVERSAL);
    Files.createDirectories(root.resolve("dir"));
    Files.createLink(root.resolve("dir/inner.txt"), hostFile);
    assertCode(() -> ws.copy("dir", "dir2"), ErrorCode.PATH_TRAVERSAL);
    assertThat(ws.exists("dir2")).isFalse();
    assertThat(ws.delete("hl.txt")).isTrue();
    assertThat(hostFile).hasContent("host secret");
  }

  @Test
  void fifosAreRefusedWithoutHanging() throws Exception {
    mkfifo(root.resolve("pipe"));
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      assertCode(() -> ws.readText("pipe", MB), ErrorCode.INVALID_REQUEST);
      assertCode(() -> ws.openRead("pipe"), ErrorCode.INVALID_REQUEST);
      assertCode(() -> ws.copy("pipe", "copy"), ErrorCode.INVALID_REQUEST);
      assertThat(ws.list("", false, null)).extracting(FileInfo::name).containsExactly("pipe");
      assertThat(ws.writeText("pipe", "replaced", MB).created()).isFalse();
    });
    assertThat(ws.readText("pipe", MB)).isEqualTo("replaced");
  }

  /** The stat said "regular file" or "directory", then the sandbox put a FIFO there: the open must not hang. */
  @Test
  void aFifoSwappedInAfterTheCheckDoesNotHangTheOpen() throws Exception {
    mkfifo(root.resolve("pipe"));
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      try (SecureDir dir = new DirWalker(root, null).openRoot()) {
        try (SeekableByteChannel ch = dir.openRead(Path.of("pipe"))) {
          assertThatThrownBy(ch::position).isInstanceOf(IOException.class); // how openVerified spots it
        }
        assertThatThrownBy(() -> dir.openChild(Path.of("pipe"), "pipe")).isInstanceOf(IOException.class);
      }
    });
  }

  /** An open directory keeps working on the real directory after the sandbox swaps its name for a link. */
  @Test
  void operationsStayAnchoredWhenADirectoryIsSwappedForALink() throws IOException {
    ws.writeText("d/victim.txt", "v", MB);
    Files.writeString(host.resolve("victim.txt"), "host copy");
    DirWalker walker = new DirWalker(root, null);
    try (SecureDir d = walker.open(WorkspacePath.parse("d/x"), 1, false)) {
      Files.move(root.resolve("d"), root.resolve("d-real"));
      Files.createSymbolicLink(root.resolve("d"), host);
      FileIo.write(d, Path.of("new.txt"), "d/new.txt", new ByteArrayInputStream("n".getBytes()), MB);
      TreeDeleter.delete(d, Path.of("victim.txt"), d.stat(Path.of("victim.txt")), "d/victim.txt");
    }
    assertThat(root.resolve("d-real/new.txt")).hasContent("n");
    assertThat(root.resolve("d-real/victim.txt")).doesNotExist();
    assertThat(host.resolve("new.txt")).doesNotExist();
    assertThat(host.resolve("victim.txt")).hasContent("host copy");
  }

  @Test
  void recursiveDeleteNeverEntersLinkedDirectories() throws Exception {
    Files.createDirectories(host.resolve("sub"));
    Files.writeString(host.resolve("sub/keep.txt"), "keep");
    ws.writeText("tree/a/b.txt", "b", MB);
    Files.createSymbolicLink(root.resolve("tree/a/out"), host);
    Files.createSymbolicLink(root.resolve("tree/file-link"), hostFile);
    Files.createLink(root.resolve("tree/hard"), hostFile);
    mkfifo(root.resolve("tree/pipe"));
    assertThat(ws.delete("tree")).isTrue();
    assertThat(root.resolve("tree")).doesNotExist();
    assertThat(host.resolve("sub/keep.txt")).hasContent("keep");
    assertThat(hostFile).hasContent("host secret");
  }

  @Test
  void copyOfADirectoryWithALinkInsideIsRefusedAndLeavesNothing() throws IOException {
    ws.writeText("proj/a.txt", "a", MB);
    ws.writeText("proj/z/zz.txt", "z", MB);
    Files.createSymbolicLink(root.resolve("proj/z/escape"), host);
    assertThatThrownBy(() -> ws.copy("proj", "proj-copy"))
        .isInstanceOfSatisfying(SandboxException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.PATH_TRAVERSAL);
          assertThat(e.getMessage()).contains("proj/z/escape");
        });
    assertThat(ws.exists("proj-copy")).isFalse();
    assertThat(ws.list("", false, null)).extracting(FileInfo::name).containsExactly("proj");
    try (var s = Files.list(root)) {
      assertThat(s).hasSize(1);
    }
  }

  @Test
  void deleteTreeForBackendsNeverFollowsLinks() throws Exception {
    Path sandboxDir = Files.createDirectories(tmp.resolve("sbx/ws/a"));
    Files.createSymbolicLink(sandboxDir.resolve("out"), host);
    Files.createLink(sandboxDir.resolve("hard"), hostFile);
    mkfifo(sandboxDir.resolve("pipe"));
    Path linkToHost = Files.createSymbolicLink(tmp.resolve("link-to-host"), host);
    Workspace.deleteTree(linkToHost);
    assertThat(linkToHost).doesNotExist();
    Workspace.deleteTree(tmp.resolve("sbx"));
    Workspace.deleteTree(tmp.resolve("sbx"));
    assertThat(tmp.resolve("sbx")).doesNotExist();
    assertThat(hostFile).hasContent("host secret");
    try (var s = Files.list(host)) {
      assertThat(s).hasSize(1);
    }
  }

  static void mkfifo(Path p) throws IOException, InterruptedException {
    Process pr = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
    assertThat(pr.waitFor()).isZero();
  }
}
