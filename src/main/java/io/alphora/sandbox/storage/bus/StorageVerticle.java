package io.alphora.sandbox.storage.bus;

import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.bus.Actions;
import io.alphora.sandbox.bus.Addresses;
import io.alphora.sandbox.bus.BusErrors;
import io.alphora.sandbox.bus.Json;
import io.alphora.sandbox.storage.PutOptions;
import io.alphora.sandbox.storage.Storage;
import io.alphora.sandbox.storage.StorageObject;
import io.alphora.sandbox.storage.impl.StorageErrors;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers storage commands on {@code <prefix>.storage} for bus clients and {@link BusStorage}.
 * Object contents travel inline (UTF-8 or base64, at most {@value #INLINE_MAX} bytes): bodies
 * larger than that belong on HTTP ({@code /v1/storage/objects/…} or a presigned URL), not on the
 * bus. Bodies and replies are the REST shapes; failures carry the API's error JSON.
 */
public final class StorageVerticle extends VerticleBase {
  /** Largest object content carried in one bus message. */
  public static final int INLINE_MAX = 16 * 1024 * 1024;

  private final Storage storage;
  private final Addresses addresses;
  private MessageConsumer<JsonObject> consumer;

  public StorageVerticle(Storage storage, Addresses addresses) {
    this.storage = storage;
    this.addresses = addresses;
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().consumer(addresses.storage(), this::onMessage);
    return consumer.completion();
  }

  private void onMessage(Message<JsonObject> msg) {
    JsonObject b = msg.body() == null ? new JsonObject() : msg.body();
    Future<?> f;
    try {
      f = handle(String.valueOf(msg.headers().get(Actions.HEADER)), b);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onComplete(ar -> {
      if (ar.succeeded()) {
        msg.reply(ar.result());
      } else {
        BusErrors.fail(msg, ar.cause());
      }
    });
  }

  private Future<?> handle(String action, JsonObject b) {
    return switch (action) {
      case Actions.PUT_OBJECT -> storage.put(str(b, "key"), content(b), options(b)).map(Json::toJson);
      case Actions.GET_OBJECT -> get(str(b, "key"), "base64".equals(b.getString("encoding")));
      case Actions.DELETE_OBJECT -> storage.delete(str(b, "key")).map(d -> new JsonObject().put("deleted", d));
      case Actions.OBJECT_EXISTS -> storage.exists(str(b, "key")).map(e -> new JsonObject().put("exists", e));
      case Actions.OBJECT_INFO -> storage.info(str(b, "key")).map(Json::toJson);
      case Actions.LIST_OBJECTS -> storage.list(b.getString("prefix", ""), b.getBoolean("recursive", false),
          b.getInteger("max_keys", Storage.DEFAULT_MAX_KEYS)).map(StorageVerticle::objects);
      case Actions.COPY_OBJECT -> storage.copy(str(b, "source"), str(b, "dest")).map(Json::toJson);
      case Actions.MOVE_OBJECT -> storage.move(str(b, "source"), str(b, "dest")).map(Json::toJson);
      case Actions.DELETE_PREFIX -> storage.deletePrefix(b.getString("prefix", ""))
          .map(n -> new JsonObject().put("deleted", n));
      case Actions.STORAGE_SIZE -> storage.size(b.getString("prefix", "")).map(n -> new JsonObject().put("size", n));
      case Actions.PRESIGN -> storage.presign(str(b, "key"), method(b.getString("method", "GET")),
          Duration.ofSeconds(b.getLong("expires_in", 3600L))).map(Json::toJson);
      case Actions.STORAGE_INFO -> storage.describe().map(Json::toJson);
      case Actions.STORAGE_HEALTH -> storage.healthCheck().transform(ar -> Future.succeededFuture(new JsonObject()
          .put("healthy", ar.succeeded()).put("error", ar.failed() ? ar.cause().getMessage() : null)));
      default -> throw new SandboxException.InvalidRequestException("unknown storage action '" + action + "'");
    };
  }

  private Future<JsonObject> get(String key, boolean base64) {
    return storage.info(key).compose(o -> {
      if (o.size() > INLINE_MAX) {
        return Future.failedFuture(StorageErrors.tooLarge(INLINE_MAX, "objects larger than that are read over "
            + "HTTP (GET /v1/storage/objects/{key}) or a presigned URL"));
      }
      return storage.get(key).map(data -> new JsonObject().put("object", Json.toJson(o))
          .put("encoding", base64 ? "base64" : "utf-8")
          .put("content", base64 ? Base64.getEncoder().encodeToString(data.getBytes())
              : data.toString(StandardCharsets.UTF_8)));
    });
  }

  static JsonObject objects(List<StorageObject> list) {
    JsonArray a = new JsonArray();
    list.forEach(o -> a.add(Json.toJson(o)));
    return new JsonObject().put("objects", a);
  }

  private static Buffer content(JsonObject b) {
    String c = str(b, "content");
    byte[] bytes = "base64".equals(b.getString("encoding")) ? Base64.getDecoder().decode(c)
        : c.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > INLINE_MAX) {
      throw StorageErrors.tooLarge(INLINE_MAX, "larger objects go over HTTP (PUT /v1/storage/objects/{key})");
    }
    return Buffer.buffer(bytes);
  }

  private static PutOptions options(JsonObject b) {
    Map<String, String> meta = new LinkedHashMap<>();
    b.getJsonObject("metadata", new JsonObject()).forEach(e -> meta.put(e.getKey(), String.valueOf(e.getValue())));
    return new PutOptions(b.getString("content_type"), meta);
  }

  static HttpMethod method(String m) {
    if (!"GET".equalsIgnoreCase(m) && !"PUT".equalsIgnoreCase(m)) {
      throw new SandboxException.InvalidRequestException("'method' must be GET or PUT, got '" + m + "'",
          Map.of("field", "method"));
    }
    return HttpMethod.valueOf(m.toUpperCase(java.util.Locale.ROOT));
  }

  private static String str(JsonObject b, String field) {
    Object v = b.getValue(field);
    if (!(v instanceof String s)) {
      throw new SandboxException.InvalidRequestException("'" + field + "' (a string) is required",
          Map.of("field", field));
    }
    return s;
  }

  @Override
  public Future<?> stop() { return consumer == null ? Future.succeededFuture() : consumer.unregister(); }
}
