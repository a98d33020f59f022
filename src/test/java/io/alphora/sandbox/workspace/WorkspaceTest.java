package io.alphora.sandbox.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.FileInfo;
import io.alphora.sandbox.FileType;
import io.alphora.sandbox.SandboxException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ordinary behaviour: reads, writes, listings, copy/move, limits. Hostile cases: {@link WorkspaceHostileTest}. */
class WorkspaceTest {
  static final long MB = 1 << 20;
  @TempDir Path tmp;
  Path rootDir;
  Workspace ws;

  @BeforeEach
  void setUp() {
    rootDir = tmp.resolve("ws");
    ws = new Workspace(rootDir);
  }

  static void assertCode(ThrowingCallable call, ErrorCode code) {
    assertThatThrownBy(call).isInstanceOfSatisfying(SandboxException.class, e -> assertThat(e.code()).isEqualTo(code));
  }

  @Test
  void rootIsCreatedAndCanonical() throws IOException {
    assertThat(ws.root()).isEqualTo(rootDir.toRealPath());
    assertThat(ws.info("").isDirectory()).isTrue();
    assertThat(ws.resolve("")).isEqualTo(ws.root());
    assertThat(ws.resolve(".")).isEqualTo(ws.root());
    assertThat(ws.resolve(null)).isEqualTo(ws.root());
  }

  @Test
  void writesAndReadsTextAndBinary() {
    WriteResult r = ws.writeText("hello.txt", "héllo wörld", MB);
    assertThat(r.created()).isTrue();
    assertThat(r.file().name()).isEqualTo("hello.txt");
    assertThat(r.file().path()).isEqualTo("hello.txt");
    assertThat(r.file().size()).isEqualTo("héllo wörld".getBytes(StandardCharsets.UTF_8).length);
    assertThat(ws.readText("hello.txt", MB)).isEqualTo("héllo wörld");

    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) {
      all[i] = (byte) i;
    }
    ws.writeBytes("bin/all.bin", all, MB);
    assertThat(ws.readBytes("bin/all.bin", MB)).containsExactly(all);
  }

  @Test
  void createsParentsAndReportsCreatedThenReplaced() {
    assertThat(ws.writeText("a/b/c/d.txt", "1", MB).created()).isTrue();
    assertThat(ws.isDirectory("a/b/c")).isTrue();
    WriteResult again = ws.writeText("a/b/c/d.txt", "22", MB);
    assertThat(again.created()).isFalse();
    assertThat(again.file().size()).isEqualTo(2);
    assertThat(ws.readText("a/b/c/d.txt", MB)).isEqualTo("22");
  }

  @Test
  void normalisesPathsLexically() {
    ws.writeText("sub/../ok.txt", "ok", MB);
    assertThat(Files.exists(ws.root().resolve("ok.txt"))).isTrue();
    assertThat(ws.exists("sub")).isFalse();
    assertThat(ws.readText("./x/../ok.txt", MB)).isEqualTo("ok");
    ws.writeText("a//b/./c.txt", "c", MB);
    assertThat(ws.readText("a/b/c.txt", MB)).isEqualTo("c");
    assertThat(ws.readText("/workspace/ok.txt", MB)).isEqualTo("ok");
    assertThat(ws.resolve("/workspace")).isEqualTo(ws.root());
    ws.writeText("back\\slash.txt", "b", MB);
    assertThat(ws.list("", false, null)).extracting(FileInfo::name).contains("back\\slash.txt");
  }

  @Test
  void streamingWriteAndRead() throws IOException {
    byte[] big = new byte[3 * 64 * 1024 + 7];
    new java.util.Random(1).nextBytes(big);
    ws.write("big.bin", new ByteArrayInputStream(big), big.length);
    try (InputStream in = ws.openRead("big.bin")) {
      assertThat(in.readAllBytes()).containsExactly(big);
    }
    assertThat(ws.readablePath("big.bin")).isEqualTo(ws.root().resolve("big.bin"));
  }

  @Test
  void limitExceededLeavesNothingBehind() throws IOException {
    assertThatThrownBy(() -> ws.writeBytes("d/big.bin", new byte[1001], 1000))
        .isInstanceOfSatisfying(SandboxException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
          assertThat(e.status()).isEqualTo(413);
          assertThat(e.details()).containsEntry("limit", 1000L);
        });
    assertThat(ws.exists("d/big.bin")).isFalse();
    ws.writeText("keep.txt", "old", MB);
    assertCode(() -> ws.writeBytes("keep.txt", new byte[50], 10), ErrorCode.PAYLOAD_TOO_LARGE);
    assertThat(ws.readText("keep.txt", MB)).isEqualTo("old");
    try (Stream<Path> all = Files.walk(ws.root())) {
      assertThat(all.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(Workspace.TEMP_PREFIX));
    }
    ws.writeBytes("exact.bin", new byte[10], 10);
    assertCode(() -> ws.readBytes("exact.bin", 9), ErrorCode.PAYLOAD_TOO_LARGE);
    assertThat(ws.readBytes("exact.bin", 10)).hasSize(10);
  }

  @Test
  void directoriesAndFilesInTheWrongPlace() {
    ws.writeText("f.txt", "x", MB);
    ws.writeText("dir/a.txt", "a", MB);
    assertCode(() -> ws.writeText("dir", "x", MB), ErrorCode.IS_A_DIRECTORY);
    assertCode(() -> ws.writeText("", "x", MB), ErrorCode.IS_A_DIRECTORY);
    assertCode(() -> ws.writeText("f.txt/x", "x", MB), ErrorCode.NOT_A_DIRECTORY);
    assertCode(() -> ws.readText("dir", MB), ErrorCode.IS_A_DIRECTORY);
    assertCode(() -> ws.openRead(""), ErrorCode.IS_A_DIRECTORY);
    assertCode(() -> ws.list("f.txt", false, null), ErrorCode.NOT_A_DIRECTORY);
    assertCode(() -> ws.list("nope", false, null), ErrorCode.FILE_NOT_FOUND);
    assertCode(() -> ws.readText("f.txt/x", MB), ErrorCode.FILE_NOT_FOUND);
    assertThatThrownBy(() -> ws.readText("nope.txt", MB)).hasMessage("file 'nope.txt' not found");
  }

  @Test
  void existsInfoAndResolve() {
    ws.writeText("data/report.csv", "a,b\n", MB);
    assertThat(ws.exists("data/report.csv")).isTrue();
    assertThat(ws.exists("data/none.csv")).isFalse();
    assertThat(ws.exists("none/none.csv")).isFalse();
    assertThat(ws.isDirectory("data")).isTrue();
    assertThat(ws.isDirectory("data/report.csv")).isFalse();
    FileInfo f = ws.info("data/report.csv");
    assertThat(f.name()).isEqualTo("report.csv");
    assertThat(f.path()).isEqualTo("data/report.csv");
    assertThat(f.size()).isEqualTo(4);
    assertThat(f.sizeHuman()).isEqualTo("4.0 B");
    assertThat(f.fileType()).isEqualTo(FileType.CSV);
    assertThat(f.mimeType()).isEqualTo("text/csv");
    assertThat(f.isDirectory()).isFalse();
    assertThat(f.isSymlink()).isFalse();
    assertThat(f.modifiedTime()).isNotNull();
    assertThat(f.createdTime()).isNotNull();
    FileInfo d = ws.info("data");
    assertThat(d.size()).isZero();
    assertThat(d.mimeType()).isEqualTo("inode/directory");
    assertThat(ws.resolve("data/new/x.txt")).isEqualTo(ws.root().resolve("data/new/x.txt"));
    assertThat(ws.resolveExisting("data/report.csv")).isEqualTo(ws.root().resolve("data/report.csv"));
    assertCode(() -> ws.resolveExisting("data/x"), ErrorCode.FILE_NOT_FOUND);
  }

  @Test
  void deleteFilesAndDirectories() {
    ws.writeText("d/e/f.txt", "x", MB);
    ws.writeText("g.txt", "x", MB);
    assertThat(ws.delete("g.txt")).isTrue();
    assertThat(ws.delete("g.txt")).isFalse();
    assertThat(ws.delete("missing/deeper")).isFalse();
    assertThat(ws.delete("d")).isTrue();
    assertThat(ws.exists("d")).isFalse();
    assertThatThrownBy(() -> ws.delete("")).isInstanceOfSatisfying(SandboxException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(e.getMessage()).contains("refusing to delete the workspace root");
    });
    assertCode(() -> ws.delete("."), ErrorCode.INVALID_REQUEST);
    assertCode(() -> ws.delete("/workspace"), ErrorCode.INVALID_REQUEST);
    assertThat(Files.isDirectory(ws.root())).isTrue();
  }

  @Test
  void copyAndMoveAreBinarySafe() {
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) {
      all[i] = (byte) (255 - i);
    }
    ws.writeBytes("src.bin", all, MB);
    FileInfo c = ws.copy("src.bin", "out/copy.bin");
    assertThat(c.path()).isEqualTo("out/copy.bin");
    assertThat(ws.readBytes("out/copy.bin", MB)).containsExactly(all);
    FileInfo m = ws.move("out/copy.bin", "moved/deep/m.bin");
    assertThat(m.path()).isEqualTo("moved/deep/m.bin");
    assertThat(ws.exists("out/copy.bin")).isFalse();
    assertThat(ws.readBytes("moved/deep/m.bin", MB)).containsExactly(all);
    assertThat(ws.readBytes("src.bin", MB)).containsExactly(all);
    assertCode(() -> ws.copy("nope", "x"), ErrorCode.FILE_NOT_FOUND);
    assertCode(() -> ws.move("nope", "x"), ErrorCode.FILE_NOT_FOUND);
  }

  @Test
  void copyAndMoveIntoAnExistingDirectoryLikeCpAndMv() {
    ws.writeText("a.txt", "a", MB);
    ws.writeText("dest/keep.txt", "k", MB);
    assertThat(ws.copy("a.txt", "dest").path()).isEqualTo("dest/a.txt");
    assertThat(ws.copy("a.txt", "").path()).isEqualTo("a.txt");
    ws.writeText("b.txt", "b", MB);
    assertThat(ws.move("b.txt", "dest").path()).isEqualTo("dest/b.txt");
    assertThat(ws.move("dest/b.txt", "dest/b.txt").path()).isEqualTo("dest/b.txt");
    ws.writeText("over.txt", "new", MB);
    ws.move("over.txt", "dest/keep.txt");
    assertThat(ws.readText("dest/keep.txt", MB)).isEqualTo("new");
    ws.writeText("sub/dest/x", "1", MB);
    ws.writeText("d2/dest/y", "1", MB);
    assertCode(() -> ws.move("d2/dest", "sub"), ErrorCode.IS_A_DIRECTORY);
    assertCode(() -> ws.copy("d2/dest", "sub"), ErrorCode.IS_A_DIRECTORY);
  }

  @Test
  void copiesDirectoriesRecursively() {
    ws.writeText("proj/a.py", "print(1)", MB);
    ws.writeText("proj/pkg/b.py", "print(2)", MB);
    ws.writeBytes("proj/pkg/data/c.bin", new byte[] {0, 1, 2}, MB);
    FileInfo c = ws.copy("proj", "backup/proj2");
    assertThat(c.isDirectory()).isTrue();
    assertThat(c.path()).isEqualTo("backup/proj2");
    assertThat(ws.readText("backup/proj2/pkg/b.py", MB)).isEqualTo("print(2)");
    assertThat(ws.readBytes("backup/proj2/pkg/data/c.bin", MB)).containsExactly(0, 1, 2);
    assertThat(ws.copy("proj", "backup").path()).isEqualTo("backup/proj");
    assertCode(() -> ws.copy("proj", "proj/inner"), ErrorCode.INVALID_REQUEST);
    assertCode(() -> ws.move("proj", "proj/inner"), ErrorCode.INVALID_REQUEST);
    assertCode(() -> ws.copy("", "x"), ErrorCode.INVALID_REQUEST);
    assertCode(() -> ws.move("", "x"), ErrorCode.INVALID_REQUEST);
    assertThat(ws.move("proj", "renamed").isDirectory()).isTrue();
    assertThat(ws.readText("renamed/a.py", MB)).isEqualTo("print(1)");
  }

  @Test
  void preservesExecutableBits() throws IOException {
    ws.writeText("run.sh", "#!/bin/sh\n", MB);
    Files.setPosixFilePermissions(ws.root().resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
    ws.writeText("run.sh", "#!/bin/sh\necho hi\n", MB);
    ws.copy("run.sh", "bin/run2.sh");
    ws.copy("bin", "bin2");
    for (String p : List.of("run.sh", "bin/run2.sh", "bin2/run2.sh")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ws.root().resolve(p)))).isEqualTo("rwxr-xr-x");
    }
  }

  @Test
  void listsDirectoriesFirstThenByName() {
    ws.writeText("ok.txt", "", MB);
    ws.writeText("B.txt", "", MB);
    ws.writeText("d/a.py", "", MB);
    ws.writeText("d/z/deep.py", "", MB);
    ws.writeText("c/readme.md", "", MB);
    ws.writeText("main.py", "", MB);
    assertThat(ws.list("", false, null)).extracting(FileInfo::path)
        .containsExactly("c", "d", "B.txt", "main.py", "ok.txt");
    assertThat(ws.list("", true, null)).extracting(FileInfo::path)
        .containsExactly("c", "c/readme.md", "d", "d/z", "d/z/deep.py", "d/a.py", "B.txt", "main.py", "ok.txt");
    assertThat(ws.list("d", true, "*.py")).extracting(FileInfo::path).containsExactly("d/z/deep.py", "d/a.py");
    assertThat(ws.list("", true, "*.py")).extracting(FileInfo::name).containsExactly("deep.py", "a.py", "main.py");
    assertThat(ws.list("/workspace/d", false, null)).extracting(FileInfo::name).containsExactly("z", "a.py");
    assertCode(() -> ws.list("", false, "[z-a]"), ErrorCode.INVALID_REQUEST);
  }

  @Test
  void listingHidesTempFilesAndIsCapped() throws IOException {
    Files.writeString(ws.root().resolve(Workspace.TEMP_PREFIX + "leftover"), "x");
    for (int i = 0; i < 5; i++) {
      ws.writeText("f" + i, "", MB);
    }
    assertThat(ws.list("", false, null)).extracting(FileInfo::name).containsExactly("f0", "f1", "f2", "f3", "f4");
    Workspace small = new Workspace(rootDir, 3);
    Listing l = small.listing("", false, null);
    assertThat(l.truncated()).isTrue();
    assertThat(l.files()).extracting(FileInfo::name).containsExactly("f0", "f1", "f2");
    assertThat(ws.listing("", false, null).truncated()).isFalse();
  }

  @Test
  void usageCountsWithoutFollowingLinks() throws IOException {
    ws.writeBytes("a.bin", new byte[100], MB);
    ws.writeBytes("d/b.bin", new byte[20], MB);
    ws.writeBytes("d/e/c.bin", new byte[3], MB);
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.write(outside.resolve("huge.bin"), new byte[5000]);
    Files.createSymbolicLink(ws.root().resolve("d/link"), outside);
    Usage u = ws.usage();
    assertThat(u.bytes()).isEqualTo(123);
    assertThat(u.files()).isEqualTo(4);
    assertThat(u.directories()).isEqualTo(2);
  }

  @Test
  void commitMovesAStagedFile() throws IOException {
    Path staged = Files.writeString(tmp.resolve("upload.part"), "staged body");
    WriteResult r = ws.commit("up/loaded.txt", staged, MB);
    assertThat(r.created()).isTrue();
    assertThat(r.file().size()).isEqualTo(11);
    assertThat(ws.readText("up/loaded.txt", MB)).isEqualTo("staged body");
    assertThat(staged).doesNotExist();
    Path big = Files.write(tmp.resolve("big.part"), new byte[100]);
    assertCode(() -> ws.commit("up/loaded.txt", big, 10), ErrorCode.PAYLOAD_TOO_LARGE);
    assertThat(big).exists();
    assertThat(ws.readText("up/loaded.txt", MB)).isEqualTo("staged body");
    assertThat(ws.commit("up/loaded.txt", big, 100).created()).isFalse();
  }

  @Test
  void destroyRemovesEverythingButNothingOutside() throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("keep"));
    Files.writeString(outside.resolve("precious.txt"), "p");
    ws.writeText("a/b/c.txt", "x", MB);
    Files.createSymbolicLink(ws.root().resolve("a/out"), outside);
    ws.destroy();
    assertThat(rootDir).doesNotExist();
    assertThat(outside.resolve("precious.txt")).hasContent("p");
    ws.destroy(); // idempotent
  }

  @Test
  void deletesTreesDeeperThanTheWalkLimit() throws IOException {
    Path deep = ws.root().resolve("deep");
    Path p = deep;
    for (int i = 0; i < Limits.MAX_DEPTH + 40; i++) {
      p = p.resolve("d");
    }
    Files.createDirectories(p);
    Files.writeString(p.resolve("leaf.txt"), "leaf");
    assertThat(ws.delete("deep")).isTrue();
    assertThat(deep).doesNotExist();
    try (Stream<Path> left = Files.list(ws.root())) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void namesThatAreNotUtf8CanStillBeListedAndDeleted() throws Exception {
    ws.writeText("odd/keep.txt", "k", MB);
    Process pr = new ProcessBuilder("sh", "-c", "touch \"$(printf 'odd/bad\\377name')\"")
        .directory(ws.root().toFile()).inheritIO().start();
    assertThat(pr.waitFor()).isZero();
    assertThat(ws.list("odd", false, null)).extracting(FileInfo::name).contains("bad\uFFFDname", "keep.txt");
    assertThat(ws.delete("odd")).isTrue();
    assertThat(ws.exists("odd")).isFalse();
  }

  @Test
  void commitAcrossFilesystemsCopiesThenRemovesTheStagedFile() throws IOException {
    Path shm = Path.of("/dev/shm");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(shm)
        && !Files.getFileStore(shm).equals(Files.getFileStore(tmp)), "needs a second filesystem");
    Path staged = Files.createTempFile(shm, "alphora-test", ".part");
    try {
      Files.writeString(staged, "from tmpfs");
      assertThat(ws.commit("x/y.txt", staged, MB).created()).isTrue();
      assertThat(ws.readText("x/y.txt", MB)).isEqualTo("from tmpfs");
      assertThat(staged).doesNotExist();
    } finally {
      Files.deleteIfExists(staged);
    }
  }
}
