package io.alphora.sandbox.api.http;

import static io.alphora.sandbox.api.http.Http.body;
import static io.alphora.sandbox.api.http.Http.reply;

import io.alphora.sandbox.bus.Actions;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Consumer;

/** Sandboxes, executions, packages and environment variables under {@code /v1/sandboxes}. */
final class SandboxRoutes {
  private static final long RUN_REPLY_MS = 3_700_000L;

  private final StreamRoutes streams;

  SandboxRoutes(StreamRoutes streams) { this.streams = streams; }

  /** Wraps a handler so that anything it throws becomes the API's error body. */
  static Handler<RoutingContext> h(Consumer<RoutingContext> c) {
    return ctx -> {
      try {
        c.accept(ctx);
      } catch (RuntimeException e) {
        Http.error(ctx, e);
      }
    };
  }

  static String id(RoutingContext ctx) { return ctx.pathParam("id"); }

  void mount(Router r) {
    String s = "/v1/sandboxes/:id";
    r.post("/v1/sandboxes").handler(h(ctx -> reply(ctx, Http.bus(ctx).manager(Actions.CREATE, body(ctx)), 201)));
    r.get("/v1/sandboxes").handler(h(ctx -> {
      JsonObject q = new JsonObject();
      for (String k : new String[] {"status", "backend", "name"}) {
        if (ctx.request().getParam(k) != null) {
          q.put(k, ctx.request().getParam(k));
        }
      }
      reply(ctx, Http.bus(ctx).manager(Actions.LIST, q), 200);
    }));
    r.get(s).handler(h(ctx -> reply(ctx, Http.bus(ctx).sandbox(id(ctx), Actions.INFO, null), 200)));
    r.delete(s).handler(h(ctx -> reply(ctx, Http.bus(ctx).sandbox(id(ctx), Actions.DESTROY, null), 204)));
    lifecycle(r, s + "/start", Actions.START);
    lifecycle(r, s + "/stop", Actions.STOP);
    lifecycle(r, s + "/restart", Actions.RESTART);
    lifecycle(r, s + "/reset", Actions.RESET);
    lifecycle(r, s + "/keepalive", Actions.KEEPALIVE);
    r.get(s + "/health").handler(h(ctx -> reply(ctx, Http.bus(ctx).sandbox(id(ctx), Actions.HEALTH, null), 200)));
    r.get(s + "/usage").handler(h(ctx -> reply(ctx, Http.bus(ctx).sandbox(id(ctx), Actions.USAGE, null), 200)));

    r.post(s + "/executions").handler(h(this::execute));
    r.get(s + "/executions/:exec").handler(h(ctx -> reply(ctx, Http.bus(ctx).sandbox(id(ctx), Actions.EXEC_STATUS,
        new JsonObject().put("exec_id", ctx.pathParam("exec"))), 200)));
    r.delete(s + "/executions/:exec").handler(h(ctx -> reply(ctx, Http.bus(ctx).sandbox(id(ctx), Actions.CANCEL,
        new JsonObject().put("exec_id", ctx.pathParam("exec"))), 200)));

    r.get(s + "/packages").handler(h(ctx -> reply(ctx, Http.bus(ctx).sandbox(id(ctx), Actions.LIST_PACKAGES, null), 200)));
    r.get(s + "/packages/:name").handler(h(ctx -> reply(ctx, Http.bus(ctx).sandbox(id(ctx), Actions.GET_PACKAGE,
        new JsonObject().put("name", ctx.pathParam("name"))), 200)));
    r.post(s + "/packages").handler(h(ctx -> reply(ctx,
        Http.bus(ctx).sandbox(id(ctx), Actions.INSTALL_PACKAGES, body(ctx), RUN_REPLY_MS), 200)));
    r.delete(s + "/packages/:name").handler(h(ctx -> reply(ctx, Http.bus(ctx).sandbox(id(ctx), Actions.UNINSTALL_PACKAGE,
        new JsonObject().put("name", ctx.pathParam("name"))), 200)));

    r.get(s + "/env").handler(h(ctx -> reply(ctx, Http.bus(ctx).sandbox(id(ctx), Actions.GET_ENV, null), 200)));
    r.put(s + "/env").handler(h(ctx -> reply(ctx, Http.bus(ctx).sandbox(id(ctx), Actions.SET_ENV, body(ctx)), 200)));
    r.get(s + "/env/:key").handler(h(ctx -> reply(ctx, Http.bus(ctx).sandbox(id(ctx), Actions.GET_ENV_VAR,
        new JsonObject().put("key", ctx.pathParam("key"))), 200)));
    r.put(s + "/env/:key").handler(h(ctx -> {
      JsonObject b = body(ctx);
      reply(ctx, Http.bus(ctx).sandbox(id(ctx), Actions.SET_ENV_VAR, new JsonObject().put("key", ctx.pathParam("key"))
          .put("value", b.getValue("value"))), 200);
    }));
    r.delete(s + "/env/:key").handler(h(ctx -> reply(ctx, Http.bus(ctx).sandbox(id(ctx), Actions.DELETE_ENV_VAR,
        new JsonObject().put("key", ctx.pathParam("key"))), 204)));
  }

  private void lifecycle(Router r, String path, String action) {
    r.post(path).handler(h(ctx -> reply(ctx, Http.bus(ctx).sandbox(id(ctx), action, null), 200)));
  }

  private void execute(RoutingContext ctx) {
    JsonObject req = body(ctx);
    JsonObject msg = new JsonObject();
    for (String k : new String[] {"exec_id", "request_id"}) {
      Object v = req.remove(k);
      if (v != null) {
        msg.put(k, v);
      }
    }
    msg.put("request", req);
    if (StreamRoutes.wantsEvents(ctx)) {
      streams.execute(ctx, msg);
      return;
    }
    reply(ctx, Http.bus(ctx).sandbox(id(ctx), Actions.EXEC, msg, RUN_REPLY_MS), 200);
  }
}
