package io.alphora.sandbox.storage.local;

import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.storage.PresignedUrl;
import io.alphora.sandbox.storage.PutOptions;
import io.alphora.sandbox.storage.Storage;
import io.alphora.sandbox.storage.StorageInfo;
import io.alphora.sandbox.storage.StorageObject;
import io.alphora.sandbox.storage.impl.Keys;
import io.alphora.sandbox.storage.impl.StorageErrors;
import io.alphora.sandbox.storage.impl.Streams;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileProps;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Objects as files under a directory ({@link LocalLayout}), on Vert.x's async file system. Writes are
 * atomic (temp file + rename), metadata lives in a sidecar beside each object, listings walk the
 * tree in key order on a worker thread. Presigned URLs point at this node's HTTP API
 * ({@code /presigned/<key>}); see {@link #presign(String, HttpMethod, Duration, String)}.
 */
public final class LocalStorage implements Storage {
  /** Node-local shared map where the HTTP API publishes its base URL for presigned URLs. */
  public static final String NODE_MAP = "alphora.sandbox.node";
  public static final String BASE_URL = "http_base_url";
  /** Path of the route that serves local presigned URLs. */
  public static final String PRESIGNED_PATH = "/presigned/";

  private final Vertx vertx;
  private final FileSystem fs;
  private final LocalLayout layout;
  private final String prefix;
  private final LocalTree tree;
  private final LocalWriter writer;
  private Future<PresignSigner> ready;

  public LocalStorage(Vertx vertx, Path root, String prefix) {
    this.vertx = vertx;
    this.fs = vertx.fileSystem();
    this.prefix = prefix;
    this.layout = new LocalLayout(root, prefix);
    this.tree = new LocalTree(layout);
    this.writer = new LocalWriter(vertx, layout);
  }

  @Override
  public String type() { return "local"; }

  public Path root() { return layout.root; }

  /** Creates the directories and loads the signing key once; retried after a failure. */
  private synchronized Future<PresignSigner> ready() {
    if (ready == null || ready.failed()) {
      ready = vertx.executeBlocking(() -> {
        Files.createDirectories(layout.objects);
        Files.createDirectories(layout.tmp);
        return PresignSigner.load(layout.signingKey);
      }, false).recover(t -> Future.failedFuture(StorageErrors.unavailable("directory " + layout.root,
          String.valueOf(t.getMessage()) + " (check storage.local_path / SANDBOX_STORAGE_PATH)", t)));
    }
    return ready;
  }

  @Override
  public Future<StorageObject> put(String key, Buffer data, PutOptions options) {
    return call(() -> {
      String k = Keys.check(key);
      PutOptions o = Keys.normalize(k, options);
      if (data.length() > MAX_OBJECT_BYTES) {
        throw StorageErrors.tooLarge(MAX_OBJECT_BYTES, null);
      }
      return ready().compose(s -> writer.putBuffer(k, data, o)).compose(v -> info(k));
    }, key);
  }

  @Override
  public Future<StorageObject> put(String key, ReadStream<Buffer> data, PutOptions options) {
    return call(() -> {
      String k = Keys.check(key);
      PutOptions o = Keys.normalize(k, options);
      data.pause();
      return ready().compose(s -> writer.putStream(k, data, o)).compose(v -> info(k));
    }, key);
  }

  @Override
  public Future<Buffer> get(String key) {
    return call(() -> {
      String k = Keys.check(key);
      return ready().compose(s -> fs.props(layout.data(k).toString())).compose(p -> {
        if (p.size() > MAX_WHOLE_BYTES) {
          return Future.failedFuture(StorageErrors.tooLarge(MAX_WHOLE_BYTES, "stream it with open()"));
        }
        return fs.readFile(layout.data(k).toString());
      });
    }, key);
  }

  @Override
  public Future<ReadStream<Buffer>> open(String key) {
    return call(() -> {
      String k = Keys.check(key);
      return ready().compose(s -> fs.open(layout.data(k).toString(), new OpenOptions().setRead(true).setWrite(false)))
          .map(af -> {
            af.pause();
            af.setReadBufferSize(64 * 1024);
            return Streams.feed(vertx.getOrCreateContext(), af, af::close);
          });
    }, key);
  }

  @Override
  public Future<Boolean> delete(String key) {
    return call(() -> {
      String k = Keys.check(key);
      Path data = layout.data(k);
      return ready().compose(s -> fs.delete(data.toString())).transform(ar -> {
        if (ar.failed()) {
          return missing(ar.cause()) ? Future.succeededFuture(false) : Future.failedFuture(ar.cause());
        }
        return fs.delete(layout.meta(k).toString()).otherwiseEmpty()
            .compose(v -> vertx.executeBlocking(() -> {
              tree.prune(data.getParent());
              return true;
            }, false));
      });
    }, key);
  }

  @Override
  public Future<Boolean> exists(String key) {
    return call(() -> {
      String k = Keys.check(key);
      return ready().compose(s -> fs.exists(layout.data(k).toString()));
    }, key);
  }

  @Override
  public Future<List<StorageObject>> list(String prefixOfKey, boolean recursive, int maxKeys) {
    return call(() -> {
      String p = Keys.checkPrefix(prefixOfKey);
      int max = Keys.checkMaxKeys(maxKeys);
      return ready().compose(s -> vertx.executeBlocking(() -> tree.list(p, recursive, max), false));
    }, prefixOfKey);
  }

  @Override
  public Future<StorageObject> copy(String source, String destination) {
    return call(() -> {
      String src = Keys.check(source);
      String dst = Keys.check(destination);
      Path tmp = writer.temp();
      return info(src).compose(o -> fs.copy(layout.data(src).toString(), tmp.toString())
              .compose(v -> writer.commit(dst, tmp, LocalWriter.sidecar(new PutOptions(o.contentType(), o.metadata()),
                  o.etag())))
              .onFailure(t -> writer.cleanup(tmp)))
          .compose(v -> info(dst));
    }, source);
  }

  @Override
  public Future<StorageObject> move(String source, String destination) {
    return call(() -> {
      String src = Keys.check(source);
      String dst = Keys.check(destination);
      if (src.equals(dst)) {
        return info(src);
      }
      Path tmpMeta = writer.temp();
      return info(src).compose(o -> fs.writeFile(tmpMeta.toString(), LocalWriter.sidecar(
                  new PutOptions(o.contentType(), o.metadata()), o.etag()).toBuffer())
              .compose(v -> writer.moveInto(tmpMeta, layout.meta(dst)))
              .compose(v -> writer.moveInto(layout.data(src), layout.data(dst)))
              .onFailure(t -> writer.cleanup(tmpMeta)))
          .compose(v -> fs.delete(layout.meta(src).toString()).otherwiseEmpty())
          .compose(v -> vertx.executeBlocking(() -> {
            tree.prune(layout.data(src).getParent());
            return null;
          }, false))
          .compose(v -> info(dst));
    }, source);
  }

  @Override
  public Future<StorageObject> info(String key) {
    return call(() -> {
      String k = Keys.check(key);
      return ready().compose(s -> fs.props(layout.data(k).toString())).compose(p -> fs.readFile(layout.meta(k).toString())
          .map(b -> new JsonObject(b)).otherwise(new JsonObject()).map(m -> object(k, p, m)));
    }, key);
  }

  private static StorageObject object(String key, FileProps p, JsonObject m) {
    Map<String, String> meta = m.getJsonObject("metadata", new JsonObject()).stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue())));
    String ct = m.getString("content_type", io.alphora.sandbox.workspace.MimeTypes.forName(key));
    return new StorageObject(key, p.size(), Instant.ofEpochMilli(p.lastModifiedTime()), m.getString("etag"), ct,
        meta, false);
  }

  @Override
  public Future<Integer> deletePrefix(String prefixOfKey) {
    return call(() -> {
      String p = Keys.checkPrefix(prefixOfKey);
      if (p.isEmpty()) {
        throw new SandboxException.InvalidRequestException("delete_prefix needs a non-empty prefix",
            Map.of("field", "prefix"));
      }
      return ready().compose(s -> vertx.executeBlocking(() -> tree.deletePrefix(p), false));
    }, prefixOfKey);
  }

  @Override
  public Future<Long> size(String prefixOfKey) {
    return list(prefixOfKey, true, MAX_KEYS_LIMIT).compose(first -> {
      if (first.size() < MAX_KEYS_LIMIT) {
        return Future.succeededFuture(first.stream().mapToLong(StorageObject::size).sum());
      }
      String p = Keys.checkPrefix(prefixOfKey); // very large stores: one unbounded walk
      return vertx.executeBlocking(() -> tree.list(p, true, Integer.MAX_VALUE).stream()
          .mapToLong(StorageObject::size).sum(), false);
    });
  }

  @Override
  public Future<Void> healthCheck() {
    Path probe = writer.temp();
    return ready().compose(s -> fs.writeFile(probe.toString(), Buffer.buffer("ok")))
        .compose(v -> fs.delete(probe.toString()))
        .recover(t -> Future.failedFuture(t instanceof SandboxException se ? se
            : StorageErrors.unavailable("directory " + layout.root, "it is not writable: " + t.getMessage(), t)));
  }

  @Override
  public Future<PresignedUrl> presign(String key, HttpMethod method, Duration expiresIn) {
    Object base = vertx.sharedData().getLocalMap(NODE_MAP).get(BASE_URL);
    if (base == null) {
      return Future.failedFuture(StorageErrors.unavailable("presigned URLs", "local storage's presigned URLs "
          + "are served by this node's HTTP API, which is not listening here (or use s3/minio storage)", null));
    }
    return presign(key, method, expiresIn, base.toString());
  }

  /** A presigned URL on {@code baseUrl} (scheme://host:port of this service as the client sees it). */
  public Future<PresignedUrl> presign(String key, HttpMethod method, Duration expiresIn, String baseUrl) {
    return call(() -> {
      String k = Keys.check(key);
      String m = method(method);
      Instant expires = Instant.now().plus(Keys.checkExpiry(expiresIn)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
      return ready().map(s -> new PresignedUrl(baseUrl + PRESIGNED_PATH + encodeKey(k) + "?method=" + m
          + "&expires=" + expires.getEpochSecond() + "&signature=" + s.sign(m, k, expires.getEpochSecond()), m,
          expires));
    }, key);
  }

  /** Checks a presigned request; {@code unauthorized} when forged, changed or expired. */
  public Future<Void> verify(String key, String method, long expires, String signature) {
    return call(() -> ready().map(s -> {
      s.verify(method, Keys.check(key), expires, signature, Instant.now().getEpochSecond());
      return null;
    }), key);
  }

  static String method(HttpMethod m) {
    if (m != HttpMethod.GET && m != HttpMethod.PUT) {
      throw new SandboxException.InvalidRequestException("method must be GET or PUT", Map.of("field", "method"));
    }
    return m.name();
  }

  static String encodeKey(String key) {
    return java.util.Arrays.stream(key.split("/"))
        .map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))
        .collect(Collectors.joining("/"));
  }

  @Override
  public Future<StorageInfo> describe() {
    StorageInfo d = new StorageInfo("local", null, null, null, layout.root.toString(), prefix, false, null);
    return healthCheck().transform(ar -> Future.succeededFuture(
        d.withHealth(ar.succeeded(), ar.failed() ? ar.cause().getMessage() : null)));
  }

  @Override
  public Future<Void> close() { return Future.succeededFuture(); }

  /** Runs {@code body}, turning a thrown or failed missing-file into {@code object_not_found}. */
  private <T> Future<T> call(java.util.concurrent.Callable<Future<T>> body, String key) {
    Future<T> f;
    try {
      f = body.call();
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
    return f.recover(t -> Future.failedFuture(map(t, key)));
  }

  private Throwable map(Throwable t, String key) {
    if (t instanceof SandboxException) {
      return t;
    }
    if (missing(t)) {
      return StorageErrors.notFound(key);
    }
    return StorageErrors.failed("local storage at " + layout.root, String.valueOf(t.getMessage()), t);
  }

  static boolean missing(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof NoSuchFileException || String.valueOf(c.getMessage()).contains("NoSuchFileException")) {
        return true;
      }
    }
    return false;
  }
}
