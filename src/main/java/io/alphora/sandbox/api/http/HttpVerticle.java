package io.alphora.sandbox.api.http;

import io.alphora.sandbox.api.Callers;
import io.alphora.sandbox.api.mcp.McpRoutes;
import io.alphora.sandbox.bus.Actions;
import io.alphora.sandbox.bus.Addresses;
import io.alphora.sandbox.bus.BusClient;
import io.alphora.sandbox.metrics.SandboxMetrics;
import io.alphora.sandbox.storage.Storage;
import io.alphora.sandbox.storage.bus.BusStorage;
import io.alphora.sandbox.storage.local.LocalStorage;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST front end. It only sends commands over the event bus (through {@link BusClient}); it never
 * calls a backend. Object storage is the exception: bodies stream between the connection and this
 * node's {@link Storage} (docs/storage.md says why). Config: {@code host, port, max_body_bytes, staging_dir, python, event_bus_prefix}.
 */
public final class HttpVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);

  /** The agent tools and MCP act for the request's tenant, like every other route. */
  private static final Callers CALLERS = Callers.of(Http::bus, Http::tenant);

  private final SandboxMetrics metrics;
  private final ApiKeys keys;
  private final Storage nodeStorage;
  private HttpServer server;

  /**
   * @param storage this node's store, served directly (bodies stream; see docs/storage.md), or null
   *     to use the store of the node answering on the bus (objects up to 16 MiB)
   */
  public HttpVerticle(SandboxMetrics metrics, ApiKeys keys, Storage storage) {
    this.metrics = metrics;
    this.keys = keys;
    this.nodeStorage = storage;
  }

  @Override
  public Future<?> start() {
    JsonObject c = config();
    BusClient bus = new BusClient(vertx, new Addresses(c.getString("event_bus_prefix", Addresses.DEFAULT_PREFIX)));
    Path staging = Path.of(c.getString("staging_dir"));
    Router router = Router.router(vertx);
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(c.getLong("max_body_bytes", 10_485_760L));
    router.route().handler(ctx -> authenticate(ctx, bus));
    router.route().handler(ctx -> {
      ctx.response().putHeader("Cache-Control", "no-store");
      ctx.addEndHandler(v -> metrics.httpRequest(ctx.request().method().name(), ctx.response().getStatusCode()));
      String path = ctx.request().path();
      boolean upload = ctx.request().method() == HttpMethod.PUT && (path.contains("/files/")
          || path.startsWith(StorageRoutes.OBJECTS) || path.startsWith(LocalStorage.PRESIGNED_PATH));
      if (upload || StreamRoutes.isWsUpgrade(ctx.request())) {
        ctx.next();
      } else {
        bodies.handle(ctx);
      }
    });
    Storage storage = nodeStorage != null ? nodeStorage : new BusStorage(vertx, bus);
    mountService(router, bus, c, storage);
    StreamRoutes streams = new StreamRoutes(vertx, StreamSettings.from(c));
    streams.mount(router);
    new SandboxRoutes(streams).mount(router);
    new FileRoutes(vertx, staging).mount(router);
    new ManagerRoutes().mount(router);
    new StorageRoutes(vertx, bus, storage).mount(router);
    if (storage instanceof LocalStorage local) {
      new PresignedRoutes(local).mount(router);
    }
    new ToolRoutes(CALLERS).mount(router);
    new McpRoutes(vertx, CALLERS).mount(router);
    router.route().failureHandler(ctx -> {
      if (ctx.failure() != null && ctx.failure().getClass().getSimpleName().startsWith("TooLongFormField")) {
        // a JSON body sent as a form (curl -d without a Content-Type): too long for one form field
        Http.error(ctx, 413, "payload_too_large", "a request body sent as application/x-www-form-urlencoded "
            + "is limited per field: send it with 'Content-Type: application/json'");
      } else if (ctx.failure() != null) {
        Http.error(ctx, ctx.failure());
      } else if (ctx.statusCode() == 413) {
        Http.error(ctx, 413, "payload_too_large", "the request body is larger than the limit of "
            + c.getLong("max_body_bytes", 10_485_760L) + " bytes (http.max_body_bytes)");
      } else {
        Http.error(ctx, ctx.statusCode(), ctx.statusCode() == 400 ? "invalid_request" : "internal_error",
            "request failed with status " + ctx.statusCode());
      }
    });
    router.errorHandler(404, ctx -> Http.error(ctx, 404, "not_found",
        "no such endpoint: " + ctx.request().method() + " " + ctx.request().path() + " (see /openapi.yaml)"));
    router.errorHandler(405, ctx -> Http.error(ctx, 405, "method_not_allowed",
        "method " + ctx.request().method() + " is not allowed on " + ctx.request().path()));
    return vertx.executeBlocking(() -> Files.createDirectories(staging))
        .compose(v -> vertx.createHttpServer(new HttpServerOptions().setCompressionSupported(false)
                // a client frame over ws_max_frame_bytes is refused with 4413 by WsSession (up to 4x that
                // size; beyond, the codec closes with 1009); outgoing frames stay small (WsSession.writeText)
                .setMaxWebSocketFrameSize(wsLimit(c)).setMaxWebSocketMessageSize(wsLimit(c)))
            .requestHandler(router)
            .listen(c.getInteger("port", 8080), c.getString("host", "127.0.0.1")))
        .onSuccess(s -> {
          server = s;
          LOG.info("listening on http://{}:{}", c.getString("host", "127.0.0.1"), s.actualPort());
          advertise(c.getString("host", "127.0.0.1"), s.actualPort());
        });
  }

  public int actualPort() { return server.actualPort(); }

  private static int wsLimit(JsonObject c) {
    return (int) Math.min(Integer.MAX_VALUE - 1024, StreamSettings.from(c).maxFrameBytes() * 4 + 1024);
  }

  /**
   * Everything under /v1, /mcp and /metrics needs a key when keys are configured: {@code
   * Authorization: Bearer <key>}, or {@code ?token=} for browsers opening a WebSocket. The request's
   * commands then travel with its tenant, and the manager shows that tenant only its own sandboxes.
   */
  private void authenticate(RoutingContext ctx, BusClient bus) {
    String path = ctx.request().path();
    boolean open = !(path.startsWith("/v1/") || path.equals("/v1") || path.startsWith("/mcp")
        || path.equals("/metrics"));
    if (!keys.enabled() || open) {
      ctx.put(Http.BUS, bus);
      ctx.next();
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
        ? header.substring(7).trim() : ctx.request().getParam("token");
    String tenant = keys.tenantOf(presented);
    if (tenant == null && StreamRoutes.isWsUpgrade(ctx.request())) {
      // a browser sees nothing of an HTTP 401 on a handshake: the socket opens and closes with 4401
      // (no bus client is put on the context, so no other route can act on this request)
      ctx.put(StreamRoutes.WS_UNAUTHORIZED, presented == null || presented.isEmpty()
          ? "an API key is required: send 'Authorization: Bearer <key>' or '?token=<key>'" : "unknown API key");
      ctx.next();
      return;
    }
    if (tenant == null) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      Http.error(ctx, 401, "unauthorized", presented == null || presented.isEmpty()
          ? "an API key is required: send 'Authorization: Bearer <key>'" : "unknown API key");
      return;
    }
    ctx.put(Http.BUS, bus.forTenant(tenant));
    ctx.put(Http.TENANT, tenant);
    ctx.next();
  }

  /** Where local storage's presigned URLs point when made outside a request (Java API, bus). */
  private void advertise(String host, int port) {
    String h = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host.contains(":") ? "[" + host + "]" : host;
    vertx.sharedData().getLocalMap(LocalStorage.NODE_MAP).put(LocalStorage.BASE_URL, "http://" + h + ":" + port);
  }

  private void mountService(Router router, BusClient bus, JsonObject c, Storage storage) {
    router.get("/health").handler(ctx -> Http.json(ctx, 200, new JsonObject().put("status", "ok")));
    router.get("/ready").handler(ctx -> {
      Path python = Path.of(c.getString("python", "/usr/bin/python3"));
      Future<String> store = StorageRoutes.health(vertx, storage, 5_000);
      Future<JsonObject> docker = dockerStatus(bus, c);
      Future<JsonObject> cluster = clusterStatus(bus, c);
      // this node's own manager, over its node-local address: in a cluster, the manager address would
      // reach any node's router, and a cluster-wide status waits for every node
      bus.request(bus.addresses().internal(c.getString("node_id")), Actions.NODE_LOAD, new JsonObject(), 5_000)
          .onComplete(ar -> store.onComplete(st -> docker.onComplete(dk -> cluster.onComplete(cl -> {
        boolean manager = ar.succeeded() && !((JsonObject) ar.result()).getBoolean("draining", false);
        boolean local = Files.isExecutable(python);
        boolean storageOk = st.result() == null;
        JsonObject checks = new JsonObject().put("manager", manager).put("local_backend", local)
            .put("storage", storageOk);
        if (!local) {
          checks.put("local_backend_error", "python interpreter " + python + " is not executable");
        }
        if (!storageOk) {
          checks.put("storage_error", st.result());
        }
        JsonObject d = dk.result();
        boolean dockerOk = d.getBoolean("available", false);
        checks.put("docker_backend", dockerOk);
        if (!dockerOk) {
          checks.put("docker_backend_error", d.getString("error"));
        }
        boolean clusterOk = true;
        if (cl.result() != null) {
          clusterOk = cl.result().getBoolean("member", false);
          checks.put("cluster", clusterOk).put("cluster_members", cl.result().getInteger("members"))
              .put("cluster_nodes", cl.result().getJsonObject("nodes"));
          if (cl.result().getString("error") != null) {
            checks.put("cluster_error", cl.result().getString("error"));
          }
        }
        // Docker decides readiness only where it is the default backend; elsewhere it is shown
        boolean dockerNeeded = "docker".equals(c.getString("backend_type"));
        boolean ready = manager && clusterOk && (local || dockerNeeded) && storageOk && (dockerOk || !dockerNeeded);
        Http.json(ctx, ready ? 200 : 503,
            new JsonObject().put("status", ready ? "ready" : "not_ready").put("checks", checks));
      }))));
    });
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape()));
    // the web console: static files, no key needed (it asks for one and calls the API with it)
    router.get("/").handler(StaticHandler.create("webroot").setCachingEnabled(false));
    router.get("/console/*").handler(StaticHandler.create("webroot/console").setCachingEnabled(false));
    router.get("/openapi.yaml").handler(ctx -> {
      try (var in = HttpVerticle.class.getResourceAsStream("/openapi.yaml")) {
        ctx.response().putHeader("Content-Type", "application/yaml").end(Buffer.buffer(in.readAllBytes()));
      } catch (Exception e) {
        Http.error(ctx, e);
      }
    });
  }

  /**
   * Clustered: whether this node is a member, and which nodes answered a short probe (informational,
   * so that a member that died unnoticed does not make this node unready); null when not clustered.
   * Never fails.
   */
  private Future<JsonObject> clusterStatus(BusClient bus, JsonObject c) {
    if (!vertx.isClustered()) {
      return Future.succeededFuture(null);
    }
    return bus.request(bus.addresses().cluster(c.getString("node_id")), Actions.CLUSTER_HEALTH, new JsonObject(),
        5_000).map(o -> (JsonObject) o).otherwise(t -> new JsonObject().put("member", false)
        .put("error", "this node's cluster router did not answer: " + t.getMessage()));
  }

  /** The Docker backend's own status (daemon answering, image present); never fails. */
  private static Future<JsonObject> dockerStatus(BusClient bus, JsonObject c) {
    String node = c.getString("node_id");
    if (node == null) {
      return Future.succeededFuture(new JsonObject().put("available", false).put("error", "no node id"));
    }
    return bus.request(bus.addresses().backend(node, "docker"), Actions.BACKEND_STATUS, new JsonObject(), 10_000)
        .map(o -> (JsonObject) o)
        .otherwise(t -> new JsonObject().put("available", false).put("error", t.getMessage()));
  }

  @Override
  public Future<?> stop() { return server == null ? Future.succeededFuture() : server.close(); }
}
