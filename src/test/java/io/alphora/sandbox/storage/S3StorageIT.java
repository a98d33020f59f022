package io.alphora.sandbox.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.config.SandboxConfig;
import io.alphora.sandbox.storage.s3.S3Storage;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.security.MessageDigest;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link S3Storage} passes the contract against a real S3 server: S3Proxy (Maven Central,
 * {@code org.gaul:s3proxy}, test scope) in this JVM on a free loopback port, with SigV4 checking, so
 * presigned URLs are really verified. Then the server is stopped under a running upload.
 */
class S3StorageIT extends StorageContract {
  static final String ACCESS = "AKIDALPHORATEST";
  static final String SECRET = "s3cr3t-Alphora-Test-Key";

  static Vertx vertx;
  static BlobStore blobs;
  static S3Proxy proxy;
  static int port;
  static S3Storage storage;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    blobs = new TransientNio2BlobStore();
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    startProxy();
    // a bucket that does not exist yet: the storage creates it on first use
    storage = new S3Storage(vertx, SandboxConfig.fromJson(new JsonObject().put("storage", new JsonObject()
        .put("storage_type", "s3").put("endpoint", "http://127.0.0.1:" + port).put("access_key", ACCESS)
        .put("secret_key", SECRET).put("bucket", "alphora-test").put("path_style", true)
        .put("prefix", "node-a"))).storage());
  }

  static void startProxy() throws Exception {
    proxy = S3Proxy.builder().blobStore(blobs).endpoint(URI.create("http://127.0.0.1:" + port))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET).build();
    proxy.start();
    long deadline = System.currentTimeMillis() + 30_000;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("S3Proxy did not start on port " + port + ": state " + proxy.getState()
            + " (it comes from org.gaul:s3proxy:4.1.0 in the test scope; run mvn -B verify to fetch it)");
      }
      Thread.sleep(20);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (storage != null) {
      io.alphora.sandbox.TestSupport.await(storage.close());
    }
    proxy.stop();
    io.alphora.sandbox.TestSupport.await(vertx.close());
  }

  @Override
  protected Vertx vertx() { return vertx; }

  @Override
  protected Storage storage() { return storage; }

  @Override
  protected int tamperedStatus() { return 403; }

  @Override
  protected String secret() { return SECRET; }

  @Test
  void describesTheBucketWithoutCredentials() {
    StorageInfo info = run(() -> storage.describe());
    assertThat(info.bucket()).isEqualTo("alphora-test");
    assertThat(info.endpoint()).isEqualTo("http://127.0.0.1:" + port);
    assertThat(info.region()).isEqualTo("us-east-1");
    assertThat(info.prefix()).isEqualTo("node-a");
    assertThat(info.toString()).doesNotContain(SECRET).doesNotContain(ACCESS);
  }

  @Test
  void aStoppedServerIsBackendUnavailableAndAHalfUploadIsNeverAnObject() throws Exception {
    run(() -> storage.putText(p + "before.txt", "still here"));
    long size = 40L * 1024 * 1024;
    // a slow 40 MB upload (multipart: 8 MiB parts); the server stops while it runs
    var upload = vertx.getOrCreateContext();
    MessageDigest md5 = MessageDigest.getInstance("MD5");
    io.vertx.core.Promise<StorageObject> result = io.vertx.core.Promise.promise();
    upload.runOnContext(v -> storage.put(p + "half.bin", generated(size, md5, 60),
        PutOptions.defaults()).onComplete(result));
    Thread.sleep(1500);
    assertThat(result.future().isComplete()).as("the upload is still running when the server stops").isFalse();
    proxy.stop();
    try {
      SandboxException e = null;
      try {
        io.alphora.sandbox.TestSupport.await(result.future(), 120);
      } catch (SandboxException failed) {
        e = failed;
      }
      assertThat(e).as("the upload must fail, not report success").isNotNull();
      assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.BACKEND_UNAVAILABLE);
      SandboxException health = fails(() -> storage.healthCheck());
      assertThat(health.code()).isEqualTo(ErrorCode.BACKEND_UNAVAILABLE);
      assertThat(health.status()).isEqualTo(503);
      assertThat(health.getMessage()).contains("not reachable").contains("127.0.0.1:" + port)
          .doesNotContain(SECRET);
      assertThat(fails(() -> storage.list(p, true, 10)).code()).isEqualTo(ErrorCode.BACKEND_UNAVAILABLE);
      assertThat(run(() -> storage.describe()).healthy()).isFalse();
    } finally {
      startProxy(); // same blob store, same port: what the store kept is visible again
    }
    assertThat(run(() -> storage.exists(p + "half.bin"))).as("no half-written object").isFalse();
    assertThat(run(() -> storage.getText(p + "before.txt"))).isEqualTo("still here");
    run(() -> storage.put(p + "after.txt", Buffer.buffer("ok"), null));
  }
}
