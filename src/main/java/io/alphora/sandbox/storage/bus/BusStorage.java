package io.alphora.sandbox.storage.bus;

import io.alphora.sandbox.bus.Actions;
import io.alphora.sandbox.bus.BusClient;
import io.alphora.sandbox.bus.Json;
import io.alphora.sandbox.storage.PresignedUrl;
import io.alphora.sandbox.storage.PutOptions;
import io.alphora.sandbox.storage.Storage;
import io.alphora.sandbox.storage.StorageInfo;
import io.alphora.sandbox.storage.StorageObject;
import io.alphora.sandbox.storage.impl.QueueReadStream;
import io.alphora.sandbox.storage.impl.StorageErrors;
import io.alphora.sandbox.storage.impl.Streams;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * {@link Storage} over the event bus ({@link StorageVerticle} on {@code <prefix>.storage}), for
 * JVMs that do not host the store themselves ({@code SandboxManager.client(vertx).storage()}).
 * Contents travel inline, so objects are limited to {@value StorageVerticle#INLINE_MAX} bytes here
 * ({@code payload_too_large} beyond): {@link #open} and the stream {@link #put} buffer them. For
 * larger objects use a presigned URL or the HTTP API.
 */
public final class BusStorage implements Storage {
  private static final long TIMEOUT_MS = 120_000;

  private final Vertx vertx;
  private final BusClient bus;

  public BusStorage(Vertx vertx, BusClient bus) {
    this.vertx = vertx;
    this.bus = bus;
  }

  private Future<JsonObject> call(String action, JsonObject body) {
    return bus.request(bus.addresses().storage(), action, body, TIMEOUT_MS).map(JsonObject.class::cast);
  }

  private static StorageObject object(JsonObject j) { return Json.fromJson(j, StorageObject.class, "reply"); }

  @Override
  public String type() { return "bus"; }

  @Override
  public Future<StorageObject> put(String key, Buffer data, PutOptions options) {
    PutOptions o = options == null ? PutOptions.defaults() : options;
    return call(Actions.PUT_OBJECT, new JsonObject().put("key", key).put("encoding", "base64")
        .put("content", Base64.getEncoder().encodeToString(data.getBytes())).put("content_type", o.contentType())
        .put("metadata", new JsonObject(new LinkedHashMap<>(o.metadata())))).map(BusStorage::object);
  }

  @Override
  public Future<StorageObject> put(String key, ReadStream<Buffer> data, PutOptions options) {
    return Streams.collect(data, StorageVerticle.INLINE_MAX, max -> StorageErrors.tooLarge(max,
        "over the event bus; use the HTTP API or a presigned PUT URL")).compose(b -> put(key, b, options));
  }

  @Override
  public Future<Buffer> get(String key) {
    return call(Actions.GET_OBJECT, new JsonObject().put("key", key).put("encoding", "base64"))
        .map(j -> Buffer.buffer(Base64.getDecoder().decode(j.getString("content"))));
  }

  @Override
  public Future<ReadStream<Buffer>> open(String key) {
    return get(key).map(b -> QueueReadStream.of(vertx.getOrCreateContext(), b));
  }

  @Override
  public Future<Boolean> delete(String key) {
    return call(Actions.DELETE_OBJECT, new JsonObject().put("key", key)).map(j -> j.getBoolean("deleted"));
  }

  @Override
  public Future<Boolean> exists(String key) {
    return call(Actions.OBJECT_EXISTS, new JsonObject().put("key", key)).map(j -> j.getBoolean("exists"));
  }

  @Override
  public Future<List<StorageObject>> list(String prefix, boolean recursive, int maxKeys) {
    return call(Actions.LIST_OBJECTS, new JsonObject().put("prefix", prefix).put("recursive", recursive)
        .put("max_keys", maxKeys)).map(j -> {
          List<StorageObject> out = new ArrayList<>();
          j.getJsonArray("objects").forEach(o -> out.add(object((JsonObject) o)));
          return out;
        });
  }

  @Override
  public Future<StorageObject> copy(String source, String destination) {
    return call(Actions.COPY_OBJECT, new JsonObject().put("source", source).put("dest", destination))
        .map(BusStorage::object);
  }

  @Override
  public Future<StorageObject> move(String source, String destination) {
    return call(Actions.MOVE_OBJECT, new JsonObject().put("source", source).put("dest", destination))
        .map(BusStorage::object);
  }

  @Override
  public Future<StorageObject> info(String key) {
    return call(Actions.OBJECT_INFO, new JsonObject().put("key", key)).map(BusStorage::object);
  }

  @Override
  public Future<Integer> deletePrefix(String prefix) {
    return call(Actions.DELETE_PREFIX, new JsonObject().put("prefix", prefix)).map(j -> j.getInteger("deleted"));
  }

  @Override
  public Future<Long> size(String prefix) {
    return call(Actions.STORAGE_SIZE, new JsonObject().put("prefix", prefix)).map(j -> j.getLong("size"));
  }

  @Override
  public Future<Void> healthCheck() {
    return call(Actions.STORAGE_HEALTH, new JsonObject()).compose(j -> j.getBoolean("healthy")
        ? Future.succeededFuture()
        : Future.failedFuture(StorageErrors.unavailable("(over the bus)", j.getString("error"), null)));
  }

  @Override
  public Future<PresignedUrl> presign(String key, HttpMethod method, Duration expiresIn) {
    return call(Actions.PRESIGN, new JsonObject().put("key", key).put("method", method.name())
        .put("expires_in", expiresIn.getSeconds())).map(j -> Json.fromJson(j, PresignedUrl.class, "reply"));
  }

  @Override
  public Future<StorageInfo> describe() {
    return call(Actions.STORAGE_INFO, new JsonObject()).map(j -> Json.fromJson(j, StorageInfo.class, "reply"));
  }

  @Override
  public Future<Void> close() { return Future.succeededFuture(); }
}
