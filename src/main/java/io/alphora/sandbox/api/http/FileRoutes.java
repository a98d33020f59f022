package io.alphora.sandbox.api.http;

import static io.alphora.sandbox.api.http.Http.body;
import static io.alphora.sandbox.api.http.Http.reply;
import static io.alphora.sandbox.api.http.SandboxRoutes.h;
import static io.alphora.sandbox.api.http.SandboxRoutes.id;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.Ids;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.bus.Actions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Files of a workspace. Uploads stream to a staging file under the base path (never into memory),
 * counting bytes against the sandbox's file-size limit, and are then committed atomically into the
 * workspace by the backend; downloads are served from the path the backend verified.
 */
final class FileRoutes {
  private static final String PREFIX = "/files/";

  private final Vertx vertx;
  private final Path staging;

  FileRoutes(Vertx vertx, Path staging) {
    this.vertx = vertx;
    this.staging = staging;
  }

  void mount(Router r) {
    String s = "/v1/sandboxes/:id";
    r.get(s + "/files").handler(h(ctx -> {
      JsonObject q = new JsonObject().put("path", param(ctx, "path", "")).put("recursive", Http.flag(ctx, "recursive"));
      if (ctx.request().getParam("pattern") != null) {
        q.put("pattern", ctx.request().getParam("pattern"));
      }
      reply(ctx, Http.bus(ctx).sandbox(id(ctx), Actions.LIST_FILES, q), 200);
    }));
    r.get(s + "/files/*").handler(h(this::download));
    r.head(s + "/files/*").handler(h(ctx -> Http.bus(ctx).sandbox(id(ctx), Actions.FILE_EXISTS, path(ctx)).onComplete(ar -> {
      if (ar.failed()) {
        SandboxException e = io.alphora.sandbox.bus.BusErrors.toSandboxException(ar.cause());
        ctx.response().setStatusCode(e.status()).end();
      } else {
        ctx.response().setStatusCode(((JsonObject) ar.result()).getBoolean("exists") ? 200 : 404).end();
      }
    })));
    r.put(s + "/files/*").handler(h(this::upload));
    r.delete(s + "/files/*").handler(h(ctx -> Http.bus(ctx).sandbox(id(ctx), Actions.DELETE_FILE, path(ctx)).onComplete(ar -> {
      if (ar.failed()) {
        Http.error(ctx, ar.cause());
      } else if (((JsonObject) ar.result()).getBoolean("deleted")) {
        ctx.response().setStatusCode(204).end();
      } else {
        Http.error(ctx, SandboxException.SandboxFileNotFoundException.forPath(relPath(ctx)));
      }
    })));
    r.post(s + "/copy").handler(h(ctx ->
        reply(ctx, Http.bus(ctx).sandbox(id(ctx), Actions.COPY_FILE, body(ctx)), 200)));
    r.post(s + "/move").handler(h(ctx ->
        reply(ctx, Http.bus(ctx).sandbox(id(ctx), Actions.MOVE_FILE, body(ctx)), 200)));
  }

  private static String param(RoutingContext ctx, String name, String def) {
    String v = ctx.request().getParam(name);
    return v == null ? def : v;
  }

  /** The workspace path after {@code /files/}, percent-decoded ('+' stays a plus). */
  static String relPath(RoutingContext ctx) {
    String raw = ctx.request().path();
    int i = raw.indexOf(PREFIX);
    String enc = i < 0 ? "" : raw.substring(i + PREFIX.length());
    return URLDecoder.decode(enc.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static JsonObject path(RoutingContext ctx) { return new JsonObject().put("path", relPath(ctx)); }

  /** Streams a file in pieces read by the backend, pacing each piece by the response's write queue. */
  private void download(RoutingContext ctx) {
    String sandbox = id(ctx);
    String rel = relPath(ctx);
    Http.bus(ctx).sandboxJson(sandbox, Actions.FILE_INFO, new JsonObject().put("path", rel)).onComplete(ar -> {
      if (ar.failed()) {
        Http.error(ctx, ar.cause());
        return;
      }
      JsonObject f = ar.result();
      if (f.getBoolean("is_directory")) {
        Http.error(ctx, new SandboxException(ErrorCode.IS_A_DIRECTORY, "'" + rel + "' is a directory: list it with "
            + "GET /v1/sandboxes/{id}/files?path=", Map.of("path", rel)));
        return;
      }
      long size = f.getLong("size");
      ctx.response().putHeader("Content-Type", String.valueOf(f.getString("mime_type")))
          .putHeader("Content-Length", String.valueOf(size))
          .putHeader("Content-Disposition", "attachment; filename=\"" + f.getString("name").replace("\"", "") + "\"");
      if (size == 0) {
        ctx.response().end();
        return;
      }
      piece(ctx, sandbox, rel, 0, size);
    });
  }

  private void piece(RoutingContext ctx, String sandbox, String rel, long offset, long size) {
    int length = (int) Math.min(1024 * 1024, size - offset);
    Http.bus(ctx).sandbox(sandbox, Actions.READ_CHUNK, new JsonObject().put("path", rel).put("offset", offset)
        .put("length", length)).onComplete(ar -> {
          HttpServerResponse res = ctx.response();
          if (ar.failed() || !(ar.result() instanceof Buffer chunk) || chunk.length() < length) {
            res.reset(); // the file went away or shrank under us: the client must not take a short body as whole
            return;
          }
          long next = offset + chunk.length();
          res.write(chunk);
          if (next >= size) {
            res.end();
          } else if (res.writeQueueFull()) {
            res.drainHandler(v -> piece(ctx, sandbox, rel, next, size));
          } else {
            piece(ctx, sandbox, rel, next, size);
          }
        });
  }

  private void upload(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    req.pause();
    String sandbox = id(ctx);
    String rel = relPath(ctx);
    Http.bus(ctx).sandboxJson(sandbox, Actions.INFO, null).compose(info -> {
      long limit = limit(info);
      String len = req.getHeader("Content-Length");
      if (len != null && parseLength(len) > limit) {
        return Future.failedFuture(Http.tooLarge(limit));
      }
      String file = staging.resolve("upload-" + Ids.random(20)).toString();
      return vertx.fileSystem().open(file, new OpenOptions().setCreateNew(true).setWrite(true))
          .compose(af -> receive(req, af, limit).eventually(af::close)
              .compose(n -> Http.bus(ctx).sandboxJson(sandbox, Actions.COMMIT_FILE,
                  new JsonObject().put("path", rel).put("staged", file)))
              .eventually(() -> vertx.fileSystem().delete(file).otherwiseEmpty()));
    }).onComplete(ar -> {
      if (ar.succeeded()) {
        Http.json(ctx, ar.result().getBoolean("created") ? 201 : 200, ar.result().getJsonObject("file"));
      } else {
        if (!req.isEnded()) {
          // answer now and throw the rest of the body away (nothing is buffered); the connection is
          // closed after the answer so a client cannot keep streaming into it
          ctx.response().putHeader("Connection", "close");
          req.handler(buf -> { }).resume();
        }
        Http.error(ctx, ar.cause());
      }
    });
  }

  private static long parseLength(String v) {
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new SandboxException.InvalidRequestException("Content-Length '" + v + "' is not a number");
    }
  }

  /** The smaller of resource_limits.max_file_size and security_policy.max_file_size_mb. */
  private static long limit(JsonObject info) {
    long a = info.getJsonObject("resource_limits").getLong("max_file_size");
    long b = info.getJsonObject("security_policy").getLong("max_file_size_mb") * 1024L * 1024L;
    return Math.min(a, b);
  }

  /** Streams the request body to {@code af}, failing with 413 as soon as it passes {@code limit}. */
  private static Future<Long> receive(HttpServerRequest req, AsyncFile af, long limit) {
    io.vertx.core.Promise<Long> done = io.vertx.core.Promise.promise();
    long[] n = {0};
    req.handler(buf -> {
      n[0] += buf.length();
      if (n[0] > limit) {
        done.tryFail(Http.tooLarge(limit));
        return;
      }
      af.write(buf);
      if (af.writeQueueFull()) {
        req.pause();
        af.drainHandler(v -> req.resume());
      }
    });
    req.exceptionHandler(done::tryFail);
    req.endHandler(v -> done.tryComplete(n[0]));
    req.resume();
    return done.future();
  }
}
