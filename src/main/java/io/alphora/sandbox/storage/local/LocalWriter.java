package io.alphora.sandbox.storage.local;

import io.alphora.sandbox.Ids;
import io.alphora.sandbox.storage.PutOptions;
import io.alphora.sandbox.storage.Storage;
import io.alphora.sandbox.storage.impl.StorageErrors;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The write path of local storage: data and sidecar go to {@code tmp/} first and are renamed into
 * place (sidecar, then data), so a reader sees the old object or the new one and a failed write
 * leaves only temp files, which are deleted.
 */
final class LocalWriter {
  private static final CopyOptions REPLACE = new CopyOptions().setReplaceExisting(true).setAtomicMove(true);

  private final Vertx vertx;
  private final FileSystem fs;
  private final LocalLayout layout;

  LocalWriter(Vertx vertx, LocalLayout layout) {
    this.vertx = vertx;
    this.fs = vertx.fileSystem();
    this.layout = layout;
  }

  /** A fresh temp name under {@code tmp/}. */
  Path temp() { return layout.tmp.resolve("w-" + Ids.random(20)); }

  static JsonObject sidecar(PutOptions o, String etag) {
    return new JsonObject().put("content_type", o.contentType())
        .put("metadata", new JsonObject(new java.util.LinkedHashMap<>(o.metadata()))).put("etag", etag);
  }

  Future<Void> putBuffer(String key, Buffer data, PutOptions o) {
    Path tmp = temp();
    return fs.writeFile(tmp.toString(), data)
        .compose(v -> commit(key, tmp, sidecar(o, md5(data.getBytes()))))
        .onFailure(t -> cleanup(tmp));
  }

  /** Streams {@code data} into a temp file, computing the MD5 as it goes, then commits it. */
  Future<Void> putStream(String key, ReadStream<Buffer> data, PutOptions o) {
    Path tmp = temp();
    return fs.open(tmp.toString(), new OpenOptions().setCreateNew(true).setWrite(true))
        .compose(af -> receive(data, af).transform(ar -> af.close().transform(c -> ar.failed()
            ? Future.failedFuture(ar.cause()) : c.failed() ? Future.failedFuture(c.cause())
            : Future.succeededFuture(ar.result()))))
        .compose(etag -> commit(key, tmp, sidecar(o, etag)))
        .onFailure(t -> cleanup(tmp));
  }

  private Future<String> receive(ReadStream<Buffer> data, AsyncFile af) {
    Promise<String> done = Promise.promise();
    MessageDigest md5 = digest();
    long[] n = {0};
    data.handler(b -> {
      n[0] += b.length();
      if (n[0] > Storage.MAX_OBJECT_BYTES) {
        data.pause();
        done.tryFail(StorageErrors.tooLarge(Storage.MAX_OBJECT_BYTES, null));
        return;
      }
      md5.update(b.getBytes());
      af.write(b);
      if (af.writeQueueFull()) {
        data.pause();
        af.drainHandler(v -> data.resume());
      }
    });
    data.exceptionHandler(done::tryFail);
    af.exceptionHandler(done::tryFail);
    data.endHandler(v -> af.flush().onComplete(ar -> {
      if (ar.succeeded()) {
        done.tryComplete(HexFormat.of().formatHex(md5.digest()));
      } else {
        done.tryFail(ar.cause());
      }
    }));
    data.resume();
    return done.future();
  }

  /** Moves a complete temp file (and a new sidecar) over {@code key}. */
  Future<Void> commit(String key, Path tmpData, JsonObject meta) {
    Path tmpMeta = temp();
    return fs.writeFile(tmpMeta.toString(), meta.toBuffer())
        .compose(v -> moveInto(tmpMeta, layout.meta(key)))
        .compose(v -> moveInto(tmpData, layout.data(key)))
        .onFailure(t -> cleanup(tmpMeta));
  }

  /**
   * Renames {@code from} to {@code to}, creating its directory. A concurrent delete may prune the
   * directory between the two steps, hence the one retry.
   */
  Future<Void> moveInto(Path from, Path to) {
    String dir = to.getParent().toString();
    return fs.mkdirs(dir)
        .compose(v -> fs.move(from.toString(), to.toString(), REPLACE))
        .recover(t -> LocalStorage.missing(t)
            ? fs.mkdirs(dir).compose(v -> fs.move(from.toString(), to.toString(), REPLACE))
            : Future.failedFuture(t));
  }

  void cleanup(Path tmp) { fs.delete(tmp.toString()).otherwiseEmpty(); }

  static String md5(byte[] data) {
    MessageDigest md = digest();
    return HexFormat.of().formatHex(md.digest(data));
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is not available", e);
    }
  }

  Vertx vertx() { return vertx; }
}
