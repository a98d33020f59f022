package io.alphora.sandbox.storage.s3;

import io.alphora.sandbox.storage.PutOptions;
import io.alphora.sandbox.storage.Storage;
import io.alphora.sandbox.storage.impl.StorageErrors;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Streams a body to S3 holding at most one part (8 MiB) in memory: the stream is paused while a
 * part uploads. A body that ends within the first part is one PUT; a longer one is a multipart
 * upload, completed only after every part was stored and aborted on any failure (of the body or of
 * the store), so a partial object never becomes visible.
 */
final class MultipartUploader {
  static final int PART_BYTES = 8 * 1024 * 1024;
  private static final Logger LOG = LoggerFactory.getLogger(MultipartUploader.class);

  private final S3AsyncClient s3;
  private final Context ctx;
  private final String bucket;
  private final String key;
  private final PutOptions options;
  private final Promise<String> done = Promise.promise();
  private final List<CompletedPart> parts = new ArrayList<>();
  private Buffer part = Buffer.buffer();
  private String uploadId;
  private long total;
  private boolean uploading;
  private boolean ended;

  MultipartUploader(S3AsyncClient s3, Context ctx, String bucket, String key, PutOptions options) {
    this.s3 = s3;
    this.ctx = ctx;
    this.bucket = bucket;
    this.key = key;
    this.options = options;
  }

  /** Uploads {@code data}; the future holds the ETag and fails with the store's error, mapped by the caller. */
  Future<String> upload(ReadStream<Buffer> data) {
    data.handler(b -> {
      total += b.length();
      if (total > Storage.MAX_OBJECT_BYTES) {
        data.pause();
        fail(StorageErrors.tooLarge(Storage.MAX_OBJECT_BYTES, null));
        return;
      }
      part.appendBuffer(b);
      if (part.length() >= PART_BYTES && !uploading) {
        data.pause();
        next(data);
      }
    });
    data.exceptionHandler(this::fail);
    data.endHandler(v -> {
      ended = true;
      if (!uploading) {
        finish();
      }
    });
    data.resume();
    return done.future();
  }

  /** Uploads full parts until less than one is buffered, then reads on (or finishes). */
  private void next(ReadStream<Buffer> data) {
    Buffer p = part;
    part = Buffer.buffer();
    uploading = true;
    uploadPart(p).onComplete(ar -> {
      uploading = false;
      if (ar.failed()) {
        fail(ar.cause());
      } else if (part.length() >= PART_BYTES) {
        next(data);
      } else if (ended) {
        finish();
      } else {
        data.resume();
      }
    });
  }

  private void finish() {
    if (done.future().isComplete()) {
      return;
    }
    if (uploadId == null) {
      byte[] bytes = part.getBytes();
      cf(s3.putObject(r -> r.bucket(bucket).key(key).contentType(options.contentType()).metadata(options.metadata()),
          AsyncRequestBody.fromBytes(bytes))).onComplete(ar -> {
            if (ar.succeeded()) {
              done.tryComplete(ar.result().eTag());
            } else {
              fail(ar.cause());
            }
          });
      return;
    }
    Future<Void> last = part.length() > 0 ? uploadPart(part) : Future.succeededFuture();
    last.compose(v -> cf(s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
            .multipartUpload(m -> m.parts(parts)))))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            done.tryComplete(ar.result().eTag());
          } else {
            fail(ar.cause());
          }
        });
  }

  private Future<Void> uploadPart(Buffer p) {
    Future<String> id = uploadId != null ? Future.succeededFuture(uploadId)
        : cf(s3.createMultipartUpload(r -> r.bucket(bucket).key(key).contentType(options.contentType())
            .metadata(options.metadata()))).map(res -> uploadId = res.uploadId());
    int number = parts.size() + 1;
    byte[] bytes = p.getBytes();
    return id.compose(u -> cf(s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(u).partNumber(number)
            .contentLength((long) bytes.length), AsyncRequestBody.fromBytes(bytes))))
        .map(res -> {
          parts.add(CompletedPart.builder().partNumber(number).eTag(res.eTag()).build());
          return null;
        });
  }

  private void fail(Throwable t) {
    if (!done.tryFail(t) || uploadId == null) {
      return;
    }
    String id = uploadId;
    cf(s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(id))).onFailure(e ->
        LOG.warn("could not abort multipart upload of '{}' ({}); the store's lifecycle rules must clean it up",
            key, e.getMessage()));
  }

  private <T> Future<T> cf(java.util.concurrent.CompletableFuture<T> f) { return Future.fromCompletionStage(f, ctx); }
}
