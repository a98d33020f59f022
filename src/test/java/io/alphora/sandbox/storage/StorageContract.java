package io.alphora.sandbox.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.TestSupport;
import io.alphora.sandbox.storage.impl.PipeOutputStream;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The storage contract, written once: every {@link Storage} (local directory, S3 through S3Proxy)
 * passes it. Each test works under its own random prefix, so tests do not see each other's keys.
 */
public abstract class StorageContract {
  protected abstract Vertx vertx();

  protected abstract Storage storage();

  /** The status a store gives a tampered presigned URL (S3: 403, local: 401). */
  protected abstract int tamperedStatus();

  protected String p;
  private Context ctx;

  @BeforeEach
  void prefix() {
    p = "t" + UUID.randomUUID().toString().substring(0, 8) + "/";
    ctx = vertx().getOrCreateContext();
  }

  /** Runs {@code body} on one Vert.x context (streams are context-bound) and waits for it. */
  protected <T> T run(Supplier<Future<T>> body) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> body.get().onComplete(p));
    return TestSupport.await(p.future(), 300);
  }

  protected SandboxException fails(Supplier<Future<?>> body) {
    try {
      run(body::get);
    } catch (SandboxException e) {
      return e;
    }
    throw new AssertionError("expected a failure");
  }

  private static PutOptions text() { return PutOptions.of("text/plain"); }

  @Test
  void putGetInfoKeepContentTypeAndMetadata() {
    byte[] bin = new byte[70_000];
    new Random(7).nextBytes(bin);
    StorageObject put = run(() -> storage().put(p + "data/blob.bin", Buffer.buffer(bin),
        new PutOptions("application/x-test", Map.of("Owner", "alice"))));
    assertThat(put.key()).isEqualTo(p + "data/blob.bin");
    assertThat(put.size()).isEqualTo(bin.length);
    assertThat(put.etag()).isNotBlank();
    assertThat(run(() -> storage().get(p + "data/blob.bin")).getBytes()).isEqualTo(bin);
    StorageObject info = run(() -> storage().info(p + "data/blob.bin"));
    assertThat(info.contentType()).isEqualTo("application/x-test");
    assertThat(info.metadata()).containsExactly(Map.entry("owner", "alice"));
    assertThat(info.size()).isEqualTo(bin.length);
    assertThat(info.lastModified()).isNotNull();
    assertThat(info.isDirectory()).isFalse();
    assertThat(run(() -> storage().exists(p + "data/blob.bin"))).isTrue();
    run(() -> storage().putText(p + "t.txt", "héllo"));
    assertThat(run(() -> storage().getText(p + "t.txt"))).isEqualTo("héllo");
    assertThat(run(() -> storage().info(p + "t.txt")).contentType()).startsWith("text/plain");
    assertThat(run(() -> storage().info(p + "guess.json")
        .recover(t -> storage().put(p + "guess.json", Buffer.buffer("{}"), null))).contentType())
        .isEqualTo("application/json");
  }

  @Test
  void replacingAnObjectReplacesDataAndMetadata() {
    run(() -> storage().put(p + "k", Buffer.buffer("one"), new PutOptions("text/plain", Map.of("v", "1"))));
    run(() -> storage().put(p + "k", Buffer.buffer("second"), PutOptions.of("text/csv")));
    assertThat(run(() -> storage().getText(p + "k"))).isEqualTo("second");
    StorageObject info = run(() -> storage().info(p + "k"));
    assertThat(info.metadata()).isEmpty();
    assertThat(info.contentType()).isEqualTo("text/csv");
  }

  @Test
  void badKeysAreInvalidRequestsOnEveryOperation() {
    for (String bad : List.of("", "/abs", "a//b", "a/", "../x", "a/../b", "./a", "a\0b", "a\nb")) {
      assertThat(fails(() -> storage().put(bad, Buffer.buffer("x"), null)).code()).as(bad)
          .isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(fails(() -> storage().get(bad)).code()).as(bad).isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(fails(() -> storage().info(bad)).code()).as(bad).isEqualTo(ErrorCode.INVALID_REQUEST);
    }
    assertThat(fails(() -> storage().put("a".repeat(1025), Buffer.buffer("x"), null)).code())
        .isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(fails(() -> storage().list("/x", true, 10)).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(fails(() -> storage().list(p, true, 0)).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(fails(() -> storage().deletePrefix("")).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(fails(() -> storage().put(p + "m", Buffer.buffer("x"), PutOptions.defaults()
        .withMetadata(Map.of("bad key", "v")))).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
  }

  @Test
  void missingObjects() {
    assertThat(fails(() -> storage().get(p + "nope")).code()).isEqualTo(ErrorCode.OBJECT_NOT_FOUND);
    assertThat(fails(() -> storage().open(p + "nope")).code()).isEqualTo(ErrorCode.OBJECT_NOT_FOUND);
    SandboxException info = fails(() -> storage().info(p + "nope"));
    assertThat(info.code()).isEqualTo(ErrorCode.OBJECT_NOT_FOUND);
    assertThat(info.status()).isEqualTo(404);
    assertThat(info.getMessage()).contains(p + "nope");
    assertThat(fails(() -> storage().copy(p + "nope", p + "x")).code()).isEqualTo(ErrorCode.OBJECT_NOT_FOUND);
    assertThat(run(() -> storage().exists(p + "nope"))).isFalse();
    assertThat(run(() -> storage().delete(p + "nope"))).isFalse();
  }

  @Test
  void listingHasOneMeaning() {
    for (String k : List.of("myfile.txt", "my/dir/x", "my/y", "mz", "other/z", "my/dir/deep/w", "my!")) {
      run(() -> storage().put(p + k, Buffer.buffer(k), text()));
    }
    assertThat(keys(run(() -> storage().list(p + "my", true, 100))))
        .containsExactly("my!", "my/dir/deep/w", "my/dir/x", "my/y", "myfile.txt");
    List<StorageObject> folded = run(() -> storage().list(p + "my", false, 100));
    assertThat(keys(folded)).containsExactly("my!", "my/", "myfile.txt");
    assertThat(folded.get(1).isDirectory()).isTrue();
    assertThat(folded.get(1).size()).isZero();
    assertThat(keys(run(() -> storage().list(p + "my/", false, 100)))).containsExactly("my/dir/", "my/y");
    assertThat(keys(run(() -> storage().list(p, false, 100)))).containsExactly("my!", "my/", "myfile.txt", "mz",
        "other/");
    assertThat(keys(run(() -> storage().list(p, false, 2)))).as("max_keys after sorting").containsExactly("my!", "my/");
    assertThat(keys(run(() -> storage().list(p + "my/dir/", true, 1)))).containsExactly("my/dir/deep/w");
    assertThat(run(() -> storage().list(p + "zzz", true, 10))).isEmpty();
    StorageObject entry = run(() -> storage().list(p + "myfile", true, 10)).get(0);
    assertThat(entry.size()).isEqualTo("myfile.txt".length());
    assertThat(entry.etag()).isNotBlank();
    assertThat(entry.lastModified()).isNotNull();
    assertThat(entry.contentType()).as("listings carry no content type on any backend").isNull();
    assertThat(run(() -> storage().size(p + "my/"))).isEqualTo("my/dir/x".length() + "my/y".length()
        + "my/dir/deep/w".length());
  }

  private List<String> keys(List<StorageObject> objects) {
    return objects.stream().map(o -> o.key().substring(p.length())).toList();
  }

  @Test
  void copyKeepsMetadataAndMoveRemovesTheSource() {
    run(() -> storage().put(p + "src.bin", Buffer.buffer("payload"), new PutOptions("application/x-a",
        Map.of("k", "v"))));
    StorageObject copy = run(() -> storage().copy(p + "src.bin", p + "dir/copy.bin"));
    assertThat(copy.contentType()).isEqualTo("application/x-a");
    assertThat(copy.metadata()).containsEntry("k", "v");
    assertThat(run(() -> storage().getText(p + "dir/copy.bin"))).isEqualTo("payload");
    StorageObject moved = run(() -> storage().move(p + "dir/copy.bin", p + "moved.bin"));
    assertThat(moved.metadata()).containsEntry("k", "v");
    assertThat(run(() -> storage().exists(p + "dir/copy.bin"))).isFalse();
    assertThat(run(() -> storage().getText(p + "moved.bin"))).isEqualTo("payload");
    assertThat(keys(run(() -> storage().list(p, false, 10)))).containsExactly("moved.bin", "src.bin");
  }

  @Test
  void deletePrefixCountsAndLeavesTheRest() {
    for (String k : List.of("logs/a", "logs/b/c", "logsx", "keep")) {
      run(() -> storage().put(p + k, Buffer.buffer("x"), text()));
    }
    assertThat(run(() -> storage().deletePrefix(p + "logs/"))).isEqualTo(2);
    assertThat(keys(run(() -> storage().list(p, true, 10)))).containsExactly("keep", "logsx");
  }

  @Test
  void fiftyMegabytesStreamBothWays() throws Exception {
    long size = 50L * 1024 * 1024;
    MessageDigest sent = MessageDigest.getInstance("SHA-256");
    // the source is a writer thread behind a bounded pipe: the 50 MB never exist in memory at once
    StorageObject stored = run(() -> storage().put(p + "big.bin", generated(size, sent, 0), PutOptions.defaults()));
    assertThat(stored.size()).isEqualTo(size);
    MessageDigest got = MessageDigest.getInstance("SHA-256");
    long[] n = {0};
    run(() -> storage().open(p + "big.bin").compose(s -> drain(s, got, n)));
    assertThat(n[0]).isEqualTo(size);
    assertThat(HexFormat.of().formatHex(got.digest())).isEqualTo(HexFormat.of().formatHex(sent.digest()));
  }

  /** {@code size} pseudo-random bytes written by a thread into a pipe, digested as they go. */
  protected ReadStream<Buffer> generated(long size, MessageDigest digest, long pauseMsPerMiB) {
    PipeOutputStream pipe = new PipeOutputStream(vertx().getOrCreateContext());
    Thread t = new Thread(() -> {
      Random r = new Random(42);
      byte[] chunk = new byte[256 * 1024];
      try {
        for (long left = size; left > 0; left -= chunk.length) {
          r.nextBytes(chunk);
          int len = (int) Math.min(chunk.length, left);
          digest.update(chunk, 0, len);
          pipe.write(chunk, 0, len);
          if (pauseMsPerMiB > 0 && (size - left) % (1024 * 1024) == 0) {
            Thread.sleep(pauseMsPerMiB);
          }
        }
        pipe.close();
      } catch (Exception e) {
        pipe.fail(e);
      }
    }, "test-generator");
    t.setDaemon(true);
    t.start();
    return pipe.readStream();
  }

  static Future<Void> drain(ReadStream<Buffer> s, MessageDigest digest, long[] n) {
    Promise<Void> done = Promise.promise();
    s.handler(b -> {
      digest.update(b.getBytes());
      n[0] += b.length();
    });
    s.exceptionHandler(done::tryFail);
    s.endHandler(v -> done.tryComplete());
    s.resume();
    return done.future();
  }

  @Test
  void presignedUrlsWorkWithoutCredentialsAndRefuseTampering() {
    run(() -> storage().put(p + "shared.txt", Buffer.buffer("presigned body"), text()));
    PresignedUrl get = run(() -> storage().presign(p + "shared.txt", HttpMethod.GET, Duration.ofMinutes(5)));
    assertThat(get.url()).startsWith("http");
    assertThat(get.expiresAt()).isAfter(java.time.Instant.now());
    WebClient web = WebClient.create(vertx());
    try {
      HttpResponse<Buffer> ok = TestSupport.await(web.getAbs(get.url()).send());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.bodyAsString()).isEqualTo("presigned body");
      String tampered = get.url().replace(p + "shared.txt", p + "other.txt");
      assertThat(TestSupport.await(web.getAbs(tampered).send()).statusCode()).isEqualTo(tamperedStatus());
      String badSig = get.url().substring(0, get.url().length() - 2)
          + (get.url().endsWith("aa") ? "bb" : "aa");
      assertThat(TestSupport.await(web.getAbs(badSig).send()).statusCode()).isEqualTo(tamperedStatus());
      PresignedUrl put = run(() -> storage().presign(p + "up.bin", HttpMethod.PUT, Duration.ofMinutes(5)));
      HttpResponse<Buffer> up = TestSupport.await(web.putAbs(put.url()).sendBuffer(Buffer.buffer("uploaded")));
      assertThat(up.statusCode()).as(up.bodyAsString()).isEqualTo(200);
      assertThat(run(() -> storage().getText(p + "up.bin"))).isEqualTo("uploaded");
      assertThat(TestSupport.await(web.putAbs(get.url()).sendBuffer(Buffer.buffer("x"))).statusCode())
          .as("a GET URL does not allow PUT").isEqualTo(tamperedStatus());
    } finally {
      web.close();
    }
    assertThat(fails(() -> storage().presign(p + "x", HttpMethod.GET, Duration.ofDays(8))).code())
        .isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(fails(() -> storage().presign(p + "x", HttpMethod.DELETE, Duration.ofMinutes(1))).code())
        .isEqualTo(ErrorCode.INVALID_REQUEST);
  }

  @Test
  void healthAndDescriptionShowNoSecrets() {
    run(() -> storage().healthCheck());
    StorageInfo info = run(() -> storage().describe());
    assertThat(info.healthy()).isTrue();
    assertThat(info.type()).isEqualTo(storage().type());
    assertThat(info.toString()).doesNotContain(secret());
  }

  /** A credential that must never show up in descriptions or messages ("" when there is none). */
  protected String secret() { return "\u0000none"; }

  @Test
  void textHelpersAreUtf8() {
    run(() -> storage().putText(p + "u.txt", "ünïcödé ✓"));
    assertThat(run(() -> storage().get(p + "u.txt")).toString(StandardCharsets.UTF_8)).isEqualTo("ünïcödé ✓");
    assertThatThrownBy(() -> run(() -> storage().getText(p + "none.txt"))).isInstanceOf(SandboxException.class);
  }
}
