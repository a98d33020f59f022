package io.alphora.sandbox.storage;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.config.StorageConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.streams.ReadStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * An object store: the local filesystem, S3 or an S3-compatible server such as MinIO (the seed's
 * {@code StorageBackend}). Every method returns a Future completed on the caller's Vert.x context;
 * failures are {@link SandboxException}s: {@code invalid_request} (a bad key or argument),
 * {@code object_not_found} (404), {@code payload_too_large} (413), {@code storage_error} (502, the
 * store refused or failed) and {@code backend_unavailable} (503, the store cannot be reached).
 *
 * <p><b>Keys</b> are '/'-separated relative names of at most 1024 UTF-8 bytes. Refused with
 * {@code invalid_request}: an empty key, a leading '/', empty segments ({@code a//b}, a trailing
 * '/'), {@code .} and {@code ..} segments, NUL and other control characters. {@code a} and
 * {@code a/b} can both exist on local storage and AWS S3; some S3-compatible servers (MinIO,
 * S3Proxy's file stores) refuse the second with an error ({@code storage_error}).
 *
 * <p><b>Listing</b> has one meaning on every backend: {@code prefix} is a plain string prefix of
 * the key ({@code "my"} matches {@code myfile.txt} and {@code my/dir/x}). Recursive listings return
 * every matching object and no directory entries. Non-recursive listings return the matching keys
 * with no '/' after the prefix, and fold the others into one {@link StorageObject#directory} entry
 * per distinct {@code prefix + segment + "/"}. Entries are sorted by key (Unicode code point order,
 * the same as S3's UTF-8 byte order), and {@code maxKeys} is applied after sorting, counting
 * directory entries too.
 *
 * <p><b>Writes</b> are atomic: a reader sees the old object or the new one, never a part, and a
 * failed or interrupted write leaves no object behind (local: temp file + rename; S3: a single PUT,
 * or a multipart upload that is completed only after every part arrived, else aborted).
 */
public interface Storage {
  /** Upper bound of {@link #get} (whole objects in memory); stream larger ones with {@link #open}. */
  long MAX_WHOLE_BYTES = 64L * 1024 * 1024;
  /** Upper bound of one object. */
  long MAX_OBJECT_BYTES = 5L * 1024 * 1024 * 1024;
  /** Default and upper bound of {@code maxKeys}. */
  int DEFAULT_MAX_KEYS = 1000;
  int MAX_KEYS_LIMIT = 100_000;

  /**
   * The storage {@code config} asks for, from the {@link StorageFactory} registered under its type.
   *
   * @throws IllegalStateException when no factory serves the type
   */
  static Storage create(Vertx vertx, StorageConfig config) {
    String type = config.type().value();
    for (StorageFactory f : ServiceLoader.load(StorageFactory.class, Storage.class.getClassLoader())) {
      if (f.name().equals(type)) {
        return f.create(vertx, config);
      }
    }
    throw new IllegalStateException("no storage factory for storage_type '" + type + "' on the class path");
  }

  /** {@code local}, {@code s3} or {@code minio}. */
  String type();

  /** Stores {@code data} under {@code key}, replacing any object there. */
  Future<StorageObject> put(String key, Buffer data, PutOptions options);

  /**
   * Streams {@code data} to {@code key} without holding it in memory (S3: multipart upload in 8 MiB
   * parts when it is larger than one part). The stream must not have been read from yet; it is
   * paused and resumed as the store accepts data. A failure of the stream fails the put and leaves
   * nothing behind. Over {@link #MAX_OBJECT_BYTES}: {@code payload_too_large}.
   */
  Future<StorageObject> put(String key, ReadStream<Buffer> data, PutOptions options);

  /** The whole object; {@code payload_too_large} over {@link #MAX_WHOLE_BYTES}. */
  Future<Buffer> get(String key);

  /**
   * The object as a stream. It is paused: set handlers, then {@code resume()} or {@code pipeTo(…)}.
   * A stream that fails midway ends with its exception handler, never with a short end.
   */
  Future<ReadStream<Buffer>> open(String key);

  /** True when an object was deleted, false when there was none. */
  Future<Boolean> delete(String key);

  Future<Boolean> exists(String key);

  /** See the class comment. {@code maxKeys} from 1 to {@link #MAX_KEYS_LIMIT}. */
  Future<List<StorageObject>> list(String prefix, boolean recursive, int maxKeys);

  /** Server-side copy; content type and metadata are preserved. Returns the new object. */
  Future<StorageObject> copy(String source, String destination);

  /** {@link #copy} then delete of the source (local storage: an atomic rename). */
  Future<StorageObject> move(String source, String destination);

  /** All fields of one object; {@code object_not_found} when missing. */
  Future<StorageObject> info(String key);

  /**
   * Deletes every object whose key starts with {@code prefix}; returns how many. An empty prefix is
   * refused ({@code invalid_request}): emptying a whole store takes explicit deletes.
   */
  Future<Integer> deletePrefix(String prefix);

  /** Total bytes of the objects whose key starts with {@code prefix} ("" for all). */
  Future<Long> size(String prefix);

  /**
   * Succeeds when the store can be used now (local: the directory is writable; S3: the bucket
   * answers, created first when configured); fails with {@code backend_unavailable} or
   * {@code storage_error} saying why.
   */
  Future<Void> healthCheck();

  /**
   * A URL allowing {@code method} ({@code GET} or {@code PUT}) on {@code key} for
   * {@code expiresIn} (1 s to 7 days) without credentials.
   */
  Future<PresignedUrl> presign(String key, HttpMethod method, Duration expiresIn);

  /** The store's description with a fresh health check (never fails for an unreachable store). */
  Future<StorageInfo> describe();

  /** Releases connections and threads. Safe to call more than once, and before any use. */
  Future<Void> close();

  /** UTF-8 text with content type {@code text/plain; charset=utf-8} (the seed's {@code put_text}). */
  default Future<StorageObject> putText(String key, String text) {
    return putText(key, text, Map.of());
  }

  default Future<StorageObject> putText(String key, String text, Map<String, String> metadata) {
    return put(key, Buffer.buffer(text.getBytes(StandardCharsets.UTF_8)),
        new PutOptions("text/plain; charset=utf-8", metadata));
  }

  /** The object decoded as UTF-8 (the seed's {@code get_text}). */
  default Future<String> getText(String key) {
    return get(key).map(b -> b.toString(StandardCharsets.UTF_8));
  }

  /** {@code storage_error} with a message naming what failed. */
  static SandboxException error(String message) {
    return new SandboxException(ErrorCode.STORAGE_ERROR, message);
  }
}
