package io.alphora.sandbox.api.http;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.bus.BusErrors;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/** Small helpers shared by the route classes: JSON replies, the error body, request bodies. */
final class Http {
  static final String JSON = "application/json";

  private Http() {}

  static final String BUS = "alphora.bus";

  /** The bus client acting for this request's tenant (set by the authentication handler). */
  static io.alphora.sandbox.bus.BusClient bus(RoutingContext ctx) { return ctx.get(BUS); }

  static final String TENANT = "alphora.tenant";

  /** The tenant of this request's API key, or null when the service runs without keys. */
  static String tenant(RoutingContext ctx) { return ctx.get(TENANT); }

  static void json(RoutingContext ctx, int status, Object body) {
    HttpServerResponse r = ctx.response();
    if (r.ended()) {
      return;
    }
    r.setStatusCode(status).putHeader("Content-Type", JSON);
    if (body == null) {
      r.end();
    } else {
      r.end(Buffer.buffer(body instanceof JsonObject j ? j.encode() : io.vertx.core.json.Json.encode(body)));
    }
  }

  /** Completes the request with the future's value (status {@code ok}) or the error body. */
  static void reply(RoutingContext ctx, Future<?> f, int ok) {
    f.onComplete(ar -> {
      if (ar.succeeded()) {
        if (ok == 204) {
          ctx.response().setStatusCode(204).end();
        } else {
          json(ctx, ok, ar.result());
        }
      } else {
        error(ctx, ar.cause());
      }
    });
  }

  static void error(RoutingContext ctx, Throwable t) {
    SandboxException e = BusErrors.toSandboxException(t);
    if (!ctx.response().ended()) {
      json(ctx, e.status(), BusErrors.body(e));
    }
  }

  static void error(RoutingContext ctx, int status, String code, String message) {
    json(ctx, status, new JsonObject().put("error", new JsonObject().put("code", code).put("message", message)
        .put("details", new JsonObject())));
  }

  /** The request body as a JSON object; an empty body is {@code {}}. */
  static JsonObject body(RoutingContext ctx) {
    Buffer b = ctx.body().buffer();
    if (b == null || b.length() == 0) {
      return new JsonObject();
    }
    try {
      Object v = io.vertx.core.json.Json.decodeValue(b);
      if (v instanceof JsonObject o) {
        return o;
      }
      throw new SandboxException.InvalidRequestException("request body must be a JSON object, got "
          + (v == null ? "null" : v.getClass().getSimpleName().replace("Json", "").toLowerCase()));
    } catch (DecodeException e) {
      throw new SandboxException.InvalidRequestException("request body is not valid JSON: "
          + e.getMessage().replaceAll("\\s+", " "), Map.of());
    }
  }

  static boolean flag(RoutingContext ctx, String name) {
    String v = ctx.request().getParam(name);
    if (v == null || v.isEmpty()) {
      return false;
    }
    return switch (v.toLowerCase()) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new SandboxException.InvalidRequestException("query parameter '" + name
          + "' must be true or false, got '" + v + "'", Map.of("field", name));
    };
  }

  static SandboxException tooLarge(long limit) {
    return new SandboxException(ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than the limit of " + limit
        + " bytes", Map.of("limit", limit));
  }
}
