package io.alphora.sandbox.api.http;

import static io.alphora.sandbox.api.http.SandboxRoutes.h;

import io.alphora.sandbox.SandboxTools;
import io.alphora.sandbox.ToolFormat;
import io.alphora.sandbox.ToolResult;
import io.alphora.sandbox.api.Callers;
import io.alphora.sandbox.bus.Actions;
import io.alphora.sandbox.bus.BusClient;
import io.alphora.sandbox.impl.BusSandbox;
import io.alphora.sandbox.tools.ToolRunner;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The agent tools over HTTP: {@code GET /v1/tools?format=}, {@code POST /v1/sandboxes/{id}/tools/{name}}
 * and {@code POST /v1/tools/call}. A tool runs through the Java API on a bus-backed sandbox handle.
 * Only an unknown sandbox (404) or a malformed call body (400) is an HTTP error; anything about the
 * tool or its arguments is a {@code 200} envelope with {@code success:false}, because its reader is
 * the model.
 */
final class ToolRoutes {
  /** Without {@code ?format=}: the seed's own {@code get_tool_definitions()} entries. */
  static final ToolFormat DEFAULT_FORMAT = ToolFormat.GENERIC;

  private final Callers callers;

  ToolRoutes(Callers callers) { this.callers = callers; }

  void mount(Router r) {
    r.get("/v1/tools").handler(h(ctx -> {
      String f = ctx.request().getParam("format");
      ToolFormat format = f == null || f.isEmpty() ? DEFAULT_FORMAT : ToolFormat.of(f);
      Http.json(ctx, 200, new JsonObject().put("tools", new JsonArray(SandboxTools.definitions(format))));
    }));
    r.post("/v1/sandboxes/:id/tools/:tool_name").handler(h(this::callOnSandbox));
    r.post("/v1/tools/call").handler(h(this::call));
  }

  private void callOnSandbox(RoutingContext ctx) {
    String tool = ctx.pathParam("tool_name");
    BusClient bus = callers.bus(ctx);
    Object args = arguments(ctx.body().buffer());
    Future<ToolResult> result = existing(bus, SandboxRoutes.id(ctx)).compose(sandbox -> args instanceof JsonObject o
        ? sandbox.executeTool(tool, o.getMap())
        : Future.succeededFuture(ToolRunner.invalidArguments(tool, (String) args)));
    Http.reply(ctx, result.map(ToolResult::toMap), 200);
  }

  private void call(RoutingContext ctx) {
    ToolCall call = ToolCall.parse(Http.body(ctx));
    BusClient bus = callers.bus(ctx);
    JsonObject args = call.argumentsObject();
    Future<JsonObject> answer = existing(bus, call.sandboxId())
        .compose(sandbox -> args != null ? sandbox.executeTool(call.name(), args.getMap())
            : Future.succeededFuture(call.argumentsProblem()))
        .map(r -> {
          JsonObject out = new JsonObject().put("result", new JsonObject(r.toMap()));
          JsonObject message = call.message(r);
          return message == null ? out : out.put("message", message);
        });
    Http.reply(ctx, answer, 200);
  }

  /**
   * The tools of a sandbox that exists for this caller ({@code 404 sandbox_not_found} otherwise): the
   * manager answers from memory, so this costs one bus hop, and the tenant check is the manager's.
   */
  private static Future<SandboxTools> existing(BusClient bus, String id) {
    return bus.managerJson(Actions.GET, new JsonObject().put("sandbox_id", id))
        .map(info -> new SandboxTools(new BusSandbox(bus, id)));
  }

  /** The body as the arguments object, or a sentence saying why it cannot be one. */
  private static Object arguments(Buffer body) {
    if (body == null || body.length() == 0) {
      return new JsonObject();
    }
    try {
      Object v = io.vertx.core.json.Json.decodeValue(body);
      return v instanceof JsonObject o ? o : "the request body (the arguments) must be a JSON object";
    } catch (DecodeException e) {
      return "the request body (the arguments) is not valid JSON";
    }
  }
}
