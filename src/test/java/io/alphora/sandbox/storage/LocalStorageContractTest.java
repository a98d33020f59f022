package io.alphora.sandbox.storage;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.TestSupport;
import io.alphora.sandbox.app.Main;
import io.alphora.sandbox.storage.local.LocalStorage;
import io.alphora.sandbox.workspace.Workspace;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link LocalStorage} passes the contract. The whole service runs (on a free port), because local
 * presigned URLs are served by its HTTP API.
 */
class LocalStorageContractTest extends StorageContract {
  static Vertx vertx;
  static Main.Started service;
  static Path base;

  @BeforeAll
  static void start() throws Exception {
    base = Files.createTempDirectory("alphora-local-storage-");
    vertx = Vertx.vertx();
    service = await(Main.start(vertx, TestSupport.config(base, new JsonObject().put("http",
        new JsonObject().put("port", 0)))));
  }

  @AfterAll
  static void stop() throws Exception {
    await(service.node().manager().shutdown());
    await(vertx.close());
    Workspace.deleteTree(base);
  }

  @Override
  protected Vertx vertx() { return vertx; }

  @Override
  protected Storage storage() { return service.node().storage(); }

  @Override
  protected int tamperedStatus() { return 401; }

  @Test
  void objectsAreFilesUnderTheRootAndSidecarsAreNeverListed() throws Exception {
    assertThat(storage()).isInstanceOf(LocalStorage.class);
    run(() -> storage().put(p + "dir/.hidden.m", Buffer.buffer("a key that looks like a sidecar"), null));
    run(() -> storage().put(p + "dir/file.txt", Buffer.buffer("x"), null));
    assertThat(run(() -> storage().list(p + "dir/", true, 10)).stream().map(StorageObject::key))
        .containsExactly(p + "dir/.hidden.m", p + "dir/file.txt");
    Path root = base.resolve("storage");
    try (Stream<Path> all = Files.walk(root)) {
      List<Path> files = all.filter(Files::isRegularFile).toList();
      assertThat(files).allMatch(f -> f.startsWith(root));
      assertThat(files.stream().filter(f -> f.startsWith(root.resolve("tmp")))).as("no temp file left").isEmpty();
    }
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(
        root.resolve("presign.key")))).isEqualTo("rw-------");
  }

  @Test
  void deletingTheLastObjectOfADirectoryRemovesTheDirectory() throws Exception {
    run(() -> storage().put(p + "x/y/z.txt", Buffer.buffer("x"), null));
    run(() -> storage().delete(p + "x/y/z.txt"));
    assertThat(run(() -> storage().list(p, false, 10))).isEmpty();
    try (Stream<Path> all = Files.walk(base.resolve("storage/objects"))) {
      assertThat(all.filter(d -> d.getFileName().toString().startsWith(p.substring(0, p.length() - 1)))).isEmpty();
    }
  }

  /** As on AWS S3; S3Proxy and MinIO refuse a key below an existing object, so this is not in the contract. */
  @Test
  void aKeyAndKeysBelowItCoexist() {
    run(() -> storage().put(p + "a", Buffer.buffer("file a"), PutOptions.of("text/plain")));
    run(() -> storage().put(p + "a/b", Buffer.buffer("file a/b"), PutOptions.of("text/plain")));
    assertThat(run(() -> storage().getText(p + "a"))).isEqualTo("file a");
    assertThat(run(() -> storage().getText(p + "a/b"))).isEqualTo("file a/b");
    assertThat(run(() -> storage().delete(p + "a"))).isTrue();
    assertThat(run(() -> storage().getText(p + "a/b"))).isEqualTo("file a/b");
  }

}
