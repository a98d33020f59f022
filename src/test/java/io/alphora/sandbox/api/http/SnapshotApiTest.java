package io.alphora.sandbox.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;

/** Workspaces saved as tar.gz objects and restored into new sandboxes, and hostile archives refused. */
class SnapshotApiTest extends RestTestBase {

  @Test
  void snapshotRoundTripKeepsFilesBytesAndDirectories() {
    String id = create(new JsonObject());
    String s = "/v1/sandboxes/" + id;
    byte[] bin = new byte[2 * 1024 * 1024 + 3];
    new Random(11).nextBytes(bin);
    assertThat(FilesApiTest.putBytes(s + "/files/data/deep/nested/blob.bin", bin).status()).isEqualTo(201);
    call("PUT", s + "/files/hello.py", "print('hi')\n");
    call("PUT", s + "/files/empty/dir/.keep", "");
    exec(id, new JsonObject().put("language", "shell").put("command",
        "mkdir -p emptydir && chmod +x hello.py && ln -s /etc/passwd link && mkfifo pipe"));
    Res snap = post(s + "/snapshots", new JsonObject().put("key", "snaps/round-trip.tar.gz"));
    assertThat(snap.status()).as(snap.body()).isEqualTo(201);
    assertThat(snap.json().getString("key")).isEqualTo("snaps/round-trip.tar.gz");
    assertThat(snap.json().getLong("size")).isPositive();
    assertThat(snap.json().getJsonArray("skipped").encode()).contains("link").contains("pipe");
    JsonArray before = listing(s);
    assertThat(delete(s).status()).isEqualTo(204);

    String copy = create(new JsonObject().put("from_snapshot", "snaps/round-trip.tar.gz"));
    String c = "/v1/sandboxes/" + copy;
    assertThat(get(c + "/files/data/deep/nested/blob.bin").raw().body()).isEqualTo(bin);
    assertThat(get(c + "/files/hello.py").body()).isEqualTo("print('hi')\n");
    assertThat(listing(c)).as("same tree, links and FIFOs left out").isEqualTo(before);
    JsonObject x = exec(copy, new JsonObject().put("language", "shell").put("command",
        "test -x hello.py && test -d emptydir && test ! -e link && test ! -e pipe && echo ok"));
    assertThat(x.getString("stdout")).isEqualTo("ok\n");

    Res auto = post(c + "/snapshots", null);
    assertThat(auto.status()).isEqualTo(201);
    assertThat(auto.json().getString("key")).startsWith("snapshots/" + copy + "/").endsWith(".tar.gz");
  }

  /** Paths and types, without times (a restore keeps modification times of files, not of directories). */
  private static JsonArray listing(String s) {
    JsonArray out = new JsonArray();
    get(s + "/files?recursive=true").json().getJsonArray("files").forEach(o -> {
      JsonObject f = (JsonObject) o;
      if (!f.getString("path").equals("link") && !f.getString("path").equals("pipe")) {
        out.add(new JsonObject().put("path", f.getString("path")).put("dir", f.getBoolean("is_directory"))
            .put("size", f.getBoolean("is_directory") ? 0 : f.getLong("size")));
      }
    });
    return out;
  }

  @Test
  void missingSnapshotsAndBadRequests() {
    expectError(post("/v1/sandboxes", new JsonObject().put("from_snapshot", "snaps/none.tar.gz")), 404,
        "object_not_found");
    expectError(post("/v1/sandboxes", new JsonObject().put("from_snapshot", "../x")), 400, "invalid_request");
    expectError(post("/v1/sandboxes", new JsonObject().put("from_snapshot", 5)), 400, "invalid_request");
    String id = create(new JsonObject());
    expectError(post("/v1/sandboxes/" + id + "/snapshots", new JsonObject().put("key", "/abs")), 400,
        "invalid_request");
    expectError(post("/v1/sandboxes/" + id + "/snapshots", new JsonObject().put("name", "x")), 400,
        "invalid_request");
    expectError(post("/v1/sandboxes/sbx_missing/snapshots", null), 404, "sandbox_not_found");
    assertThat(upload("snaps/not-gzip.tar.gz", "plain text".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(200);
    expectError(post("/v1/sandboxes", new JsonObject().put("from_snapshot", "snaps/not-gzip.tar.gz")), 400,
        "invalid_request");
  }

  @Test
  void hostileArchivesAreRefusedAndNothingIsWritten() throws Exception {
    record Case(String name, Consumer<TarArchiveOutputStream> entries) {}
    List<Case> cases = List.of(
        new Case("dotdot", t -> file(t, "../escaped.txt")),
        new Case("nested-dotdot", t -> file(t, "a/../../escaped.txt")),
        new Case("absolute", t -> file(t, "/tmp/escaped.txt")),
        new Case("symlink", t -> special(t, "link", TarConstants.LF_SYMLINK, "/etc/passwd")),
        new Case("hardlink", t -> special(t, "hard", TarConstants.LF_LINK, "/etc/passwd")),
        new Case("device", t -> special(t, "dev", TarConstants.LF_CHR, null)),
        new Case("fifo", t -> special(t, "fifo", TarConstants.LF_FIFO, null)));
    for (Case k : cases) {
      String key = "hostile/" + k.name() + ".tar.gz";
      // a harmless file first: it is unpacked before the bad entry is seen, and must vanish too
      assertThat(upload(key, tarGz(t -> {
        file(t, "innocent.txt");
        k.entries().accept(t);
      })).status()).isEqualTo(200);
      String id = "hostile-" + k.name();
      String msg = expectError(post("/v1/sandboxes", new JsonObject().put("sandbox_id", id).put("from_snapshot", key)),
          400, "invalid_request");
      assertThat(msg).as(k.name()).contains("nothing was restored");
      expectError(get("/v1/sandboxes/" + id), 404, "sandbox_not_found");
      assertThat(base.resolve("sandboxes").resolve(id)).as(k.name() + ": no directory left").doesNotExist();
    }
    assertThat(base.resolve("escaped.txt")).doesNotExist();
    assertThat(base.resolve("sandboxes/escaped.txt")).doesNotExist();
    assertThat(Path.of("/tmp/escaped.txt")).doesNotExist();
    try (Stream<Path> left = Files.list(base.resolve("sandboxes"))) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".restore"));
    }
  }

  static Res upload(String key, byte[] data) {
    return send("PUT", "/v1/storage/objects/" + key, HttpRequest.BodyPublishers.ofByteArray(data), "application/gzip");
  }

  static byte[] tarGz(Consumer<TarArchiveOutputStream> entries) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(new GZIPOutputStream(out))) {
      entries.accept(t);
      t.finish();
    }
    return out.toByteArray();
  }

  static void file(TarArchiveOutputStream t, String name) {
    try {
      byte[] data = ("content of " + name).getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry e = new TarArchiveEntry(name, true);
      e.setSize(data.length);
      t.putArchiveEntry(e);
      t.write(data);
      t.closeArchiveEntry();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static void special(TarArchiveOutputStream t, String name, byte type, String linkTarget) {
    try {
      TarArchiveEntry e = new TarArchiveEntry(name, type, true);
      if (linkTarget != null) {
        e.setLinkName(linkTarget);
      }
      t.putArchiveEntry(e);
      t.closeArchiveEntry();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
