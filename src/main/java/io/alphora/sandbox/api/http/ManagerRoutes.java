package io.alphora.sandbox.api.http;

import static io.alphora.sandbox.api.http.Http.body;
import static io.alphora.sandbox.api.http.Http.reply;
import static io.alphora.sandbox.api.http.SandboxRoutes.h;

import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.bus.Actions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.Map;

/** {@code /v1/manager/...}: status, totals, health of all, cleanup, stop-all, destroy-all. */
final class ManagerRoutes {
  void mount(Router r) {
    r.get("/v1/manager/status").handler(h(ctx -> reply(ctx, Http.bus(ctx).manager(Actions.STATUS, null), 200)));
    r.get("/v1/manager/usage").handler(h(ctx -> reply(ctx, Http.bus(ctx).manager(Actions.TOTAL_USAGE, null), 200)));
    r.get("/v1/manager/health").handler(h(ctx -> reply(ctx, Http.bus(ctx).manager(Actions.HEALTH_ALL, null), 200)));
    r.post("/v1/manager/stop-all").handler(h(ctx -> reply(ctx, Http.bus(ctx).manager(Actions.STOP_ALL, null), 200)));
    r.post("/v1/manager/destroy-all").handler(h(ctx -> reply(ctx, Http.bus(ctx).manager(Actions.DESTROY_ALL, null), 200)));
    r.post("/v1/manager/cleanup").handler(h(ctx -> {
      JsonObject b = body(ctx);
      for (String k : b.fieldNames()) {
        if (!k.equals("stopped") && !k.equals("idle_seconds")) {
          throw new SandboxException.InvalidRequestException("unknown field '" + k
              + "': cleanup takes 'stopped' (boolean) and 'idle_seconds' (number)", Map.of("field", k));
        }
      }
      if (b.getValue("stopped") != null && !(b.getValue("stopped") instanceof Boolean)) {
        throw new SandboxException.InvalidRequestException("'stopped' must be a boolean", Map.of("field", "stopped"));
      }
      Object idle = b.getValue("idle_seconds");
      if (idle != null && (!(idle instanceof Number n) || n.longValue() < 0)) {
        throw new SandboxException.InvalidRequestException("'idle_seconds' must be a number >= 0",
            Map.of("field", "idle_seconds"));
      }
      reply(ctx, Http.bus(ctx).manager(Actions.CLEANUP, b), 200);
    }));
  }
}
