package io.alphora.sandbox.api.http;

import static io.alphora.sandbox.api.http.Http.body;
import static io.alphora.sandbox.api.http.Http.reply;
import static io.alphora.sandbox.api.http.SandboxRoutes.h;
import static io.alphora.sandbox.api.http.SandboxRoutes.id;

import io.alphora.sandbox.bus.Actions;
import io.alphora.sandbox.bus.BusClient;
import io.alphora.sandbox.bus.Json;
import io.alphora.sandbox.storage.PresignedUrl;
import io.alphora.sandbox.storage.Storage;
import io.alphora.sandbox.storage.StorageObject;
import io.alphora.sandbox.storage.TenantStorage;
import io.alphora.sandbox.storage.impl.StorageErrors;
import io.alphora.sandbox.storage.local.LocalStorage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * {@code /v1/storage/…} and {@code POST /v1/sandboxes/{id}/snapshots}. Objects are served by this
 * node straight from its {@link Storage} (bodies stream between the connection and the store; the
 * event bus is for commands, not for gigabytes); snapshots go over the bus to the node hosting the
 * sandbox, since its workspace lives there.
 */
final class StorageRoutes {
  static final String OBJECTS = "/v1/storage/objects/";
  private static final long SNAPSHOT_REPLY_MS = 30 * 60_000L;
  private static final Set<String> PRESIGN_FIELDS = Set.of("key", "expires_in", "method");

  private final Vertx vertx;
  private final BusClient bus;
  private final Storage storage;

  StorageRoutes(Vertx vertx, BusClient bus, Storage storage) {
    this.vertx = vertx;
    this.bus = bus;
    this.storage = storage;
  }

  void mount(Router r) {
    r.get("/v1/storage/objects").handler(h(this::list));
    r.put(OBJECTS + "*").handler(h(ctx ->
        ObjectTransfers.upload(ctx, storage(ctx), ObjectTransfers.key(ctx, OBJECTS))));
    r.get(OBJECTS + "*").handler(h(ctx ->
        ObjectTransfers.download(ctx, storage(ctx), ObjectTransfers.key(ctx, OBJECTS), false)));
    r.head(OBJECTS + "*").handler(h(ctx ->
        ObjectTransfers.download(ctx, storage(ctx), ObjectTransfers.key(ctx, OBJECTS), true)));
    r.delete(OBJECTS + "*").handler(h(ctx -> {
      String key = ObjectTransfers.key(ctx, OBJECTS);
      storage(ctx).delete(key).onComplete(ar -> {
        if (ar.failed()) {
          Http.error(ctx, ar.cause());
        } else if (ar.result()) {
          ctx.response().setStatusCode(204).end();
        } else {
          Http.error(ctx, StorageErrors.notFound(key));
        }
      });
    }));
    r.post("/v1/storage/presign").handler(h(this::presign));
    r.get("/v1/storage/info").handler(h(ctx -> reply(ctx, storage.describe().map(i -> withoutNulls(Json.toJson(i))),
        200)));
    r.post("/v1/sandboxes/:id/snapshots").handler(h(ctx ->
        reply(ctx, Http.bus(ctx).sandbox(id(ctx), Actions.SNAPSHOT, body(ctx), SNAPSHOT_REPLY_MS), 201)));
  }

  /** The store as this request's tenant sees it (its own keys only). */
  private Storage storage(RoutingContext ctx) { return TenantStorage.of(storage, Http.tenant(ctx)); }

  private void list(RoutingContext ctx) {
    int max = Storage.DEFAULT_MAX_KEYS;
    String raw = ctx.request().getParam("max_keys");
    if (raw != null && !raw.isEmpty()) {
      try {
        max = Integer.parseInt(raw.trim());
      } catch (NumberFormatException e) {
        throw ObjectTransfers.invalid("query parameter 'max_keys' must be an integer, got '" + raw + "'", "max_keys");
      }
      io.alphora.sandbox.storage.impl.Keys.checkMaxKeys(max);
    }
    int want = max;
    String prefix = ctx.request().getParam("prefix", "");
    // one more than asked tells whether the listing was cut
    Future<List<StorageObject>> f = storage(ctx).list(prefix, Http.flag(ctx, "recursive"),
        Math.min(want + 1, Storage.MAX_KEYS_LIMIT));
    reply(ctx, f.map(all -> {
      JsonArray a = new JsonArray();
      all.stream().limit(want).forEach(o -> a.add(Json.toJson(o)));
      return new JsonObject().put("objects", a).put("truncated", all.size() > want);
    }), 200);
  }

  private void presign(RoutingContext ctx) {
    JsonObject b = body(ctx);
    for (String f : b.fieldNames()) {
      if (!PRESIGN_FIELDS.contains(f)) {
        throw ObjectTransfers.invalid("unknown field '" + f + "': presign takes key, expires_in, method", f);
      }
    }
    if (!(b.getValue("key") instanceof String key)) {
      throw ObjectTransfers.invalid("'key' (a string) is required", "key");
    }
    Object exp = b.getValue("expires_in", 3600);
    if (!(exp instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw ObjectTransfers.invalid("'expires_in' must be a whole number of seconds", "expires_in");
    }
    Object m = b.getValue("method", "GET");
    if (!(m instanceof String ms) || !(ms.equals("GET") || ms.equals("PUT"))) {
      throw ObjectTransfers.invalid("'method' must be \"GET\" or \"PUT\"", "method");
    }
    Duration d = Duration.ofSeconds(n.longValue());
    HttpMethod method = HttpMethod.valueOf(ms);
    String full = TenantStorage.key(Http.tenant(ctx), key);
    Future<PresignedUrl> url = storage instanceof LocalStorage local
        ? local.presign(full, method, d, baseUrl(ctx)) // the address this client reached us at
        : storage.presign(full, method, d);
    reply(ctx, url.map(u -> new JsonObject().put("url", u.url()).put("method", u.method())
        .put("expires_at", Json.formatTime(u.expiresAt()))), 200);
  }

  static String baseUrl(RoutingContext ctx) {
    URI u = URI.create(ctx.request().absoluteURI());
    return u.getScheme() + "://" + u.getRawAuthority();
  }

  private static JsonObject withoutNulls(JsonObject j) {
    JsonObject out = new JsonObject();
    j.forEach(e -> {
      if (e.getValue() != null) {
        out.put(e.getKey(), e.getValue());
      }
    });
    return out;
  }

  /** The store's health for /ready: null when fine, else why; answers within {@code timeoutMs}. */
  static Future<String> health(Vertx vertx, Storage storage, long timeoutMs) {
    Promise<String> p = Promise.promise();
    long timer = vertx.setTimer(timeoutMs, t -> p.tryComplete("no answer from the store within " + timeoutMs + " ms"));
    storage.healthCheck().onComplete(ar -> {
      vertx.cancelTimer(timer);
      p.tryComplete(ar.succeeded() ? null : ar.cause().getMessage());
    });
    return p.future();
  }
}
