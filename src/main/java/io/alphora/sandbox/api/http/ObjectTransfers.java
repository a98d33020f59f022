package io.alphora.sandbox.api.http;

import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.bus.BusErrors;
import io.alphora.sandbox.bus.Json;
import io.alphora.sandbox.storage.PutOptions;
import io.alphora.sandbox.storage.Storage;
import io.alphora.sandbox.storage.StorageObject;
import io.alphora.sandbox.storage.impl.StorageErrors;
import io.alphora.sandbox.storage.impl.Streams;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Object bodies over HTTP, both ways streamed between the connection and the store (never whole in
 * memory): used by {@code /v1/storage/objects/…} and by local storage's presigned URLs.
 */
final class ObjectTransfers {
  /** Request headers {@code X-Meta-<name>: value} become the object's metadata. */
  static final String META_HEADER = "x-meta-";

  private ObjectTransfers() {}

  /** The key after {@code prefix} in the raw path, percent-decoded ('+' stays a plus). */
  static String key(RoutingContext ctx, String prefix) {
    String raw = ctx.request().path();
    int i = raw.indexOf(prefix);
    String enc = i < 0 ? "" : raw.substring(i + prefix.length());
    return URLDecoder.decode(enc.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** GET (or HEAD): headers from the object's info, then the body piped from the store. */
  static void download(RoutingContext ctx, Storage storage, String key, boolean headOnly) {
    storage.info(key).onComplete(ar -> {
      HttpServerResponse res = ctx.response();
      if (ar.failed()) {
        if (headOnly) {
          res.setStatusCode(BusErrors.toSandboxException(ar.cause()).status()).end();
        } else {
          Http.error(ctx, ar.cause());
        }
        return;
      }
      StorageObject o = ar.result();
      res.putHeader("Content-Type", o.contentType() == null ? "application/octet-stream" : o.contentType())
          .putHeader("Content-Length", String.valueOf(o.size()));
      if (o.etag() != null) {
        res.putHeader("ETag", "\"" + o.etag() + "\"");
      }
      if (o.lastModified() != null) {
        res.putHeader("Last-Modified", DateTimeFormatter.RFC_1123_DATE_TIME.format(o.lastModified().atZone(ZoneOffset.UTC)));
      }
      o.metadata().forEach((k, v) -> res.putHeader("X-Meta-" + k, v));
      if (headOnly) {
        res.end();
        return;
      }
      storage.open(key).onComplete(s -> {
        if (s.failed()) {
          Http.error(ctx, s.cause());
          return;
        }
        // a store failing midway must not look like a complete (short) body: reset the connection
        s.result().pipe().endOnFailure(false).to(res).onFailure(t -> res.reset());
      });
    });
  }

  /** PUT: the request body streamed into the store; answers the stored object. */
  static void upload(RoutingContext ctx, Storage storage, String key) {
    HttpServerRequest req = ctx.request();
    req.pause();
    String len = req.getHeader("Content-Length");
    if (len != null && len.trim().matches("\\d{1,18}") && Long.parseLong(len.trim()) > Storage.MAX_OBJECT_BYTES) {
      refuse(ctx, StorageErrors.tooLarge(Storage.MAX_OBJECT_BYTES, null));
      return;
    }
    storage.put(key, Streams.limit(req, Storage.MAX_OBJECT_BYTES,
            max -> StorageErrors.tooLarge(max, null)), options(req))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            Http.json(ctx, 200, Json.toJson(ar.result()));
          } else {
            refuse(ctx, ar.cause());
          }
        });
  }

  /**
   * Answers an error to a request whose body may not have been read: the rest is thrown away (not
   * buffered) and the connection closed after the answer, so a client cannot keep streaming into it.
   */
  static void refuse(RoutingContext ctx, Throwable error) {
    HttpServerRequest req = ctx.request();
    if (!req.isEnded()) {
      ctx.response().putHeader("Connection", "close");
      req.exceptionHandler(t -> { });
      req.handler(b -> { }).resume();
    }
    Http.error(ctx, error);
  }

  /**
   * Content type from the request (curl's default form type counts as none: the key's extension
   * decides then) and metadata from {@code X-Meta-*} headers.
   */
  static PutOptions options(HttpServerRequest req) {
    String ct = req.getHeader("Content-Type");
    if (ct != null && ct.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      ct = null;
    }
    Map<String, String> meta = new LinkedHashMap<>();
    req.headers().forEach(h -> {
      if (h.getKey().toLowerCase(Locale.ROOT).startsWith(META_HEADER)) {
        meta.put(h.getKey().substring(META_HEADER.length()).toLowerCase(Locale.ROOT), h.getValue());
      }
    });
    return new PutOptions(ct, meta);
  }

  static SandboxException invalid(String message, String field) {
    return new SandboxException.InvalidRequestException(message, Map.of("field", field));
  }
}
