package io.alphora.sandbox.storage.s3;

import io.alphora.sandbox.config.StorageConfig;
import io.alphora.sandbox.storage.PresignedUrl;
import io.alphora.sandbox.storage.PutOptions;
import io.alphora.sandbox.storage.Storage;
import io.alphora.sandbox.storage.StorageInfo;
import io.alphora.sandbox.storage.StorageObject;
import io.alphora.sandbox.storage.impl.Keys;
import io.alphora.sandbox.storage.impl.StorageErrors;
import io.alphora.sandbox.storage.impl.Streams;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.streams.ReadStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * AWS S3 or an S3-compatible server (MinIO, Ceph, S3Proxy…) through the SDK v2 {@link S3AsyncClient}
 * on Netty. Every SDK future is bridged onto the caller's Vert.x context. The bucket is checked
 * (and created, with {@code auto_create_bucket}) on first use. Keys are stored under the
 * configured prefix. Credentials never appear in messages or in {@link #describe()}.
 */
public final class S3Storage implements Storage {
  private final Vertx vertx;
  private final StorageConfig config;
  private final String type;
  private final String bucket;
  private final String prefix;
  private final String store;
  private final S3AsyncClient s3;
  private final S3Presigner presigner;
  private final S3Listing listing;
  private volatile boolean bucketKnown;

  public S3Storage(Vertx vertx, StorageConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.type = config.type().value();
    this.bucket = config.bucket();
    this.prefix = Keys.storePrefix(config.prefix());
    String where = S3Clients.endpoint(config) == null ? "AWS S3 (region " + config.region() + ")"
        : (type.equals("minio") ? "MinIO" : "S3") + " at " + endpointShown();
    this.store = where + ", bucket '" + bucket + "'";
    this.s3 = S3Clients.client(config);
    this.presigner = S3Clients.presigner(config);
    this.listing = new S3Listing(s3, bucket, prefix);
  }

  @Override
  public String type() { return type; }

  String full(String key) { return prefix.isEmpty() ? key : prefix + "/" + key; }

  private String endpointShown() {
    return S3Clients.endpoint(config) == null ? null
        : S3Clients.endpoint(config).toString().replaceFirst("//[^/@]*@", "//");
  }

  /** The bucket exists (created when configured); remembered after the first success. */
  private Future<Void> bucket(Context ctx) {
    if (bucketKnown) {
      return Future.succeededFuture();
    }
    return cf(ctx, s3.headBucket(b -> b.bucket(bucket))).<Void>mapEmpty().recover(t -> {
      if (!S3Errors.notFound(t) || !config.autoCreateBucket()) {
        return Future.failedFuture(t);
      }
      boolean classic = config.region().equals(Region.US_EAST_1.id()) || S3Clients.endpoint(config) != null;
      return cf(ctx, s3.createBucket(b -> {
        b.bucket(bucket);
        if (!classic) {
          b.createBucketConfiguration(c -> c.locationConstraint(config.region()));
        }
      })).<Void>mapEmpty().recover(e -> S3Errors.unwrap(e) instanceof BucketAlreadyOwnedByYouException
          ? Future.succeededFuture() : Future.failedFuture(e));
    }).onSuccess(v -> bucketKnown = true);
  }

  /** Runs {@code op} on the caller's context once the bucket is there, mapping every failure. */
  private <T> Future<T> run(String what, String key, Callable<Future<T>> op) {
    Context ctx = vertx.getOrCreateContext();
    Future<T> f;
    try {
      f = bucket(ctx).compose(v -> {
        try {
          return op.call();
        } catch (Exception e) {
          return Future.failedFuture(e);
        }
      });
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.recover(t -> {
      if (S3Errors.unwrap(t) instanceof software.amazon.awssdk.services.s3.model.NoSuchBucketException) {
        bucketKnown = false; // deleted behind our back: check (and create) again next time
      }
      return Future.failedFuture(S3Errors.map(t, what, key, store));
    });
  }

  /** Argument errors become failed futures, like every other failure. */
  private static <T> Future<T> guard(Callable<Future<T>> body) {
    try {
      return body.call();
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  private static <T> Future<T> cf(Context ctx, CompletableFuture<T> f) { return Future.fromCompletionStage(f, ctx); }

  private Context ctx() { return vertx.getOrCreateContext(); }

  @Override
  public Future<StorageObject> put(String key, Buffer data, PutOptions options) {
    return guard(() -> {
      String k = Keys.check(key);
      PutOptions o = Keys.normalize(k, options);
      byte[] bytes = data.getBytes();
      return run("put '" + k + "'", null, () -> cf(ctx(), s3.putObject(r -> r.bucket(bucket).key(full(k))
              .contentType(o.contentType()).metadata(o.metadata()), AsyncRequestBody.fromBytes(bytes)))
          .map(res -> new StorageObject(k, bytes.length, Instant.now(), unquote(res.eTag()), o.contentType(),
              o.metadata(), false)));
    });
  }

  @Override
  public Future<StorageObject> put(String key, ReadStream<Buffer> data, PutOptions options) {
    return guard(() -> {
      String k = Keys.check(key);
      PutOptions o = Keys.normalize(k, options);
      data.pause();
      return run("put '" + k + "'", null, () -> new MultipartUploader(s3, ctx(), bucket, full(k), o).upload(data))
          .compose(etag -> info(k));
    });
  }

  @Override
  public Future<Buffer> get(String key) {
    return open(key).compose(s -> Streams.collect(s, MAX_WHOLE_BYTES,
        limit -> StorageErrors.tooLarge(limit, "stream it with open()")));
  }

  @Override
  public Future<ReadStream<Buffer>> open(String key) {
    return guard(() -> {
      String k = Keys.check(key);
      String what = "get '" + k + "'";
      return run(what, k, () -> {
        Context ctx = ctx();
        return cf(ctx, s3.getObject(r -> r.bucket(bucket).key(full(k)), AsyncResponseTransformer.toPublisher()))
            .map(body -> PublisherReadStream.of(ctx, body, t -> S3Errors.map(t, what, k, store)));
      });
    });
  }

  @Override
  public Future<Boolean> delete(String key) {
    return guard(() -> {
      String k = Keys.check(key);
      return exists(k).compose(there -> !there ? Future.succeededFuture(false)
          : run("delete '" + k + "'", null, () -> cf(ctx(), s3.deleteObject(r -> r.bucket(bucket).key(full(k))))
              .map(res -> true)));
    });
  }

  @Override
  public Future<Boolean> exists(String key) {
    return guard(() -> {
      String k = Keys.check(key);
      return info(k).map(o -> true).recover(t -> t instanceof io.alphora.sandbox.SandboxException se
          && se.code() == io.alphora.sandbox.ErrorCode.OBJECT_NOT_FOUND ? Future.succeededFuture(false)
          : Future.failedFuture(t));
    });
  }

  @Override
  public Future<List<StorageObject>> list(String prefixOfKey, boolean recursive, int maxKeys) {
    return guard(() -> {
      String p = Keys.checkPrefix(prefixOfKey);
      int max = Keys.checkMaxKeys(maxKeys);
      return run("list '" + p + "'", null, () -> listing.list(ctx(), p, recursive, max));
    });
  }

  @Override
  public Future<StorageObject> copy(String source, String destination) {
    return guard(() -> {
      String src = Keys.check(source);
      String dst = Keys.check(destination);
      return run("copy '" + src + "' to '" + dst + "'", src, () -> cf(ctx(), s3.copyObject(r -> r
              .sourceBucket(bucket).sourceKey(full(src)).destinationBucket(bucket).destinationKey(full(dst)))))
          .compose(res -> info(dst));
    });
  }

  @Override
  public Future<StorageObject> move(String source, String destination) {
    return guard(() -> {
      String src = Keys.check(source);
      String dst = Keys.check(destination);
      if (src.equals(dst)) {
        return info(src);
      }
      return copy(src, dst).compose(o -> run("delete '" + src + "'", null,
          () -> cf(ctx(), s3.deleteObject(r -> r.bucket(bucket).key(full(src))))).map(v -> o));
    });
  }

  @Override
  public Future<StorageObject> info(String key) {
    return guard(() -> {
      String k = Keys.check(key);
      return run("head '" + k + "'", k, () -> cf(ctx(), s3.headObject(r -> r.bucket(bucket).key(full(k))))
          .map(h -> object(k, h)));
    });
  }

  private static StorageObject object(String key, HeadObjectResponse h) {
    return new StorageObject(key, h.contentLength() == null ? 0 : h.contentLength(), h.lastModified(),
        unquote(h.eTag()), h.contentType(), h.metadata(), false);
  }

  static String unquote(String etag) { return etag == null ? null : etag.replace("\"", ""); }

  @Override
  public Future<Integer> deletePrefix(String prefixOfKey) {
    return guard(() -> {
      String p = Keys.checkPrefix(prefixOfKey);
      if (p.isEmpty()) {
        return Future.failedFuture(new io.alphora.sandbox.SandboxException.InvalidRequestException(
            "delete_prefix needs a non-empty prefix", java.util.Map.of("field", "prefix")));
      }
      return run("delete prefix '" + p + "'", null, () -> listing.deleteAll(ctx(), p));
    });
  }

  @Override
  public Future<Long> size(String prefixOfKey) {
    return guard(() -> {
      String p = Keys.checkPrefix(prefixOfKey);
      return run("size of '" + p + "'", null, () -> listing.list(ctx(), p, true, Integer.MAX_VALUE))
          .map(all -> all.stream().mapToLong(StorageObject::size).sum());
    });
  }

  @Override
  public Future<Void> healthCheck() {
    return run("health check", null, () -> cf(ctx(), s3.headBucket(b -> b.bucket(bucket))).mapEmpty());
  }

  @Override
  public Future<PresignedUrl> presign(String key, HttpMethod method, Duration expiresIn) {
    return guard(() -> {
      String k = Keys.check(key);
      Duration d = Keys.checkExpiry(expiresIn);
      if (method != HttpMethod.GET && method != HttpMethod.PUT) {
        return Future.failedFuture(new io.alphora.sandbox.SandboxException.InvalidRequestException(
            "method must be GET or PUT", java.util.Map.of("field", "method")));
      }
      // signing is local computation (no I/O), but the bucket must exist for the URL to work
      return run("presign '" + k + "'", null, () -> Future.succeededFuture(method == HttpMethod.GET
          ? presigned(presigner.presignGetObject(r -> r.signatureDuration(d).getObjectRequest(g -> g.bucket(bucket)
              .key(full(k)))), "GET")
          : presigned(presigner.presignPutObject(r -> r.signatureDuration(d).putObjectRequest(g -> g.bucket(bucket)
              .key(full(k)))), "PUT")));
    });
  }

  private static PresignedUrl presigned(software.amazon.awssdk.awscore.presigner.PresignedRequest r, String m) {
    return new PresignedUrl(r.url().toString(), m, r.expiration());
  }

  @Override
  public Future<StorageInfo> describe() {
    StorageInfo d = new StorageInfo(type, bucket, endpointShown(), config.region(), null, prefix, false, null);
    return healthCheck().transform(ar -> Future.succeededFuture(
        d.withHealth(ar.succeeded(), ar.failed() ? ar.cause().getMessage() : null)));
  }

  @Override
  public Future<Void> close() {
    return vertx.executeBlocking(() -> {
      s3.close();
      presigner.close();
      return null;
    }, false);
  }
}
