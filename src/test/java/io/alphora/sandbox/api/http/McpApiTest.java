package io.alphora.sandbox.api.http;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.api.Callers;
import io.alphora.sandbox.api.mcp.McpRoutes;
import io.alphora.sandbox.bus.Addresses;
import io.alphora.sandbox.bus.BusClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The MCP endpoint through HTTP: sessions, version negotiation, tools, errors, SSE. */
class McpApiTest extends RestTestBase {
  static final String ACCEPT_BOTH = "application/json, text/event-stream";

  record Mcp(int status, String body, HttpResponse<String> raw) {
    JsonObject json() { return new JsonObject(body); }

    JsonObject result() { return json().getJsonObject("result"); }

    int errorCode() { return json().getJsonObject("error").getInteger("code"); }

    String header(String name) { return raw.headers().firstValue(name).orElse(null); }
  }

  static Mcp mcp(int port, String method, String body, Map<String, String> headers) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp"))
          .timeout(Duration.ofSeconds(60))
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
          .header("Content-Type", "application/json");
      headers.forEach(b::header);
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Mcp(r.statusCode(), r.body(), r);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Mcp rpc(String session, JsonObject msg) { return rpc(service.port(), session, msg); }

  static Mcp rpc(int port, String session, JsonObject msg) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Accept", ACCEPT_BOTH);
    if (session != null) {
      h.put("Mcp-Session-Id", session);
    }
    return mcp(port, "POST", msg.encode(), h);
  }

  static JsonObject request(int id, String method, JsonObject params) {
    JsonObject m = new JsonObject().put("jsonrpc", "2.0").put("id", id).put("method", method);
    return params == null ? m : m.put("params", params);
  }

  static Mcp initialize(int port, String version) {
    return rpc(port, null, request(1, "initialize", new JsonObject().put("protocolVersion", version)
        .put("capabilities", new JsonObject()).put("clientInfo", new JsonObject().put("name", "t").put("version", "1"))));
  }

  /** A new session (initialize + initialized) speaking {@code version}; returns its id. */
  static String session(String version) {
    Mcp init = initialize(service.port(), version);
    assertThat(init.status()).as(init.body()).isEqualTo(200);
    String id = init.header("Mcp-Session-Id");
    assertThat(id).isNotBlank();
    assertThat(rpc(id, new JsonObject().put("jsonrpc", "2.0").put("method", "notifications/initialized")).status())
        .isEqualTo(202);
    return id;
  }

  static JsonObject callTool(String session, String name, JsonObject args) {
    Mcp r = rpc(session, request(7, "tools/call", new JsonObject().put("name", name).put("arguments", args)));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getValue("id")).isEqualTo(7);
    return r.result();
  }

  static JsonObject envelope(JsonObject toolResult) {
    JsonArray content = toolResult.getJsonArray("content");
    assertThat(content).hasSize(1);
    assertThat(content.getJsonObject(0).getString("type")).isEqualTo("text");
    return new JsonObject(content.getJsonObject(0).getString("text"));
  }

  static List<String> sandboxNames() {
    return get("/v1/sandboxes").json().getJsonArray("sandboxes").stream()
        .map(o -> ((JsonObject) o).getString("name")).toList();
  }

  @Test
  void initializeNegotiatesTheProtocolVersionAndOpensASession() {
    Map<String, String> expected = Map.of("2025-06-18", "2025-06-18", "2025-03-26", "2025-03-26",
        "2024-11-05", "2025-06-18", "2099-01-01", "2025-06-18");
    expected.forEach((asked, answered) -> {
      Mcp r = initialize(service.port(), asked);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("Content-Type")).startsWith("application/json");
      JsonObject res = r.result();
      assertThat(res.getString("protocolVersion")).as("asked " + asked).isEqualTo(answered);
      assertThat(res.getJsonObject("serverInfo").getString("name")).isEqualTo("alphora-sandbox");
      assertThat(res.getJsonObject("capabilities").getJsonObject("tools")).isNotNull();
      assertThat(r.header("Mcp-Session-Id")).startsWith("mcp_");
    });
    assertThat(initialize(service.port(), "2025-06-18").header("Mcp-Session-Id"))
        .isNotEqualTo(initialize(service.port(), "2025-06-18").header("Mcp-Session-Id"));
    Mcp noVersion = rpc(null, request(1, "initialize", new JsonObject()));
    assertThat(noVersion.errorCode()).isEqualTo(-32602);
    assertThat(noVersion.header("Mcp-Session-Id")).isNull();
  }

  @Test
  void everyLaterMessageNeedsALiveSession() {
    Mcp missing = rpc(null, request(2, "ping", null));
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.errorCode()).isEqualTo(-32600);
    assertThat(missing.json().getValue("id")).isEqualTo(2);
    Mcp unknown = rpc("mcp_nope", request(2, "ping", null));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.errorCode()).isEqualTo(-32001);
    String s = session("2025-06-18");
    Mcp ping = rpc(s, request(3, "ping", null));
    assertThat(ping.status()).isEqualTo(200);
    assertThat(ping.json()).isEqualTo(new JsonObject().put("jsonrpc", "2.0").put("id", 3).put("result", new JsonObject()));
    Mcp clientResponse = rpc(s, new JsonObject().put("jsonrpc", "2.0").put("id", 99).put("result", new JsonObject()));
    assertThat(clientResponse.status()).isEqualTo(202);
    assertThat(clientResponse.body()).isEmpty();
    Map<String, String> h = Map.of("Mcp-Session-Id", s, "MCP-Protocol-Version", "2025-03-26", "Accept", ACCEPT_BOTH);
    assertThat(mcp(service.port(), "POST", request(4, "ping", null).encode(), h).status()).isEqualTo(200);
    Mcp badVersion = mcp(service.port(), "POST", request(4, "ping", null).encode(),
        Map.of("Mcp-Session-Id", s, "MCP-Protocol-Version", "1999-01-01"));
    assertThat(badVersion.status()).isEqualTo(400);
    assertThat(badVersion.json().getJsonObject("error").getString("message")).contains("2025-06-18, 2025-03-26");
    Mcp again = rpc(s, request(5, "initialize", new JsonObject().put("protocolVersion", "2025-06-18")));
    assertThat(again.status()).as("initialize always opens a new session").isEqualTo(200);
    assertThat(again.header("Mcp-Session-Id")).isNotEqualTo(s);
    Mcp stale = rpc("mcp_stale", request(6, "initialize", new JsonObject().put("protocolVersion", "2025-03-26")));
    assertThat(stale.result().getString("protocolVersion")).isEqualTo("2025-03-26");
    assertThat(rpc(stale.header("Mcp-Session-Id"), request(7, "ping", null)).status()).isEqualTo(200);
  }

  @Test
  @SuppressWarnings("unchecked")
  void toolsListGivesTheTwentyToolsWithAnOptionalSandboxId() throws Exception {
    String s = session("2025-06-18");
    JsonArray tools = rpc(s, request(2, "tools/list", new JsonObject())).result().getJsonArray("tools");
    JsonArray golden;
    try (InputStream in = McpApiTest.class.getResourceAsStream("/tools/mcp.json")) {
      golden = new JsonArray(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    assertThat(tools).hasSize(20);
    for (int i = 0; i < 20; i++) {
      JsonObject t = tools.getJsonObject(i).copy();
      JsonObject schema = t.getJsonObject("inputSchema");
      JsonObject sandboxId = schema.getJsonObject("properties").getJsonObject("sandbox_id");
      assertThat(sandboxId.getString("type")).isEqualTo("string");
      assertThat(schema.getJsonArray("required", new JsonArray()).getList()).doesNotContain("sandbox_id");
      schema.getJsonObject("properties").remove("sandbox_id");
      assertThat(t.encode()).isEqualTo(golden.getJsonObject(i).encode());
    }
  }

  @Test
  void toolsCallRunsInTheSessionsOwnSandboxWhichEndsWithTheSession() {
    String s = session("2025-06-18");
    JsonObject run = callTool(s, "run_python_code", new JsonObject().put("code", "print(6*7)"));
    assertThat(run.getBoolean("isError")).isFalse();
    assertThat(envelope(run).getString("output")).isEqualTo("42\n");
    assertThat(run.getJsonObject("structuredContent")).isEqualTo(envelope(run));
    callTool(s, "save_file", new JsonObject().put("path", "n.txt").put("content", "kept"));
    assertThat(envelope(callTool(s, "read_file", new JsonObject().put("path", "n.txt"))).getString("output"))
        .isEqualTo("kept");
    String sandbox = envelope(callTool(s, "get_sandbox_status", new JsonObject())).getJsonObject("output")
        .getString("sandbox_id");
    assertThat(get("/v1/sandboxes/" + sandbox).json().getString("name")).startsWith("mcp-session-");

    JsonObject invalid = callTool(s, "run_python_code", new JsonObject().put("codez", "1"));
    assertThat(invalid.getBoolean("isError")).isTrue();
    assertThat(envelope(invalid).getString("error")).startsWith("Invalid parameters: unknown parameter 'codez'");

    Mcp end = mcp(service.port(), "DELETE", null, Map.of("Mcp-Session-Id", s));
    assertThat(end.status()).isEqualTo(204);
    expectError(get("/v1/sandboxes/" + sandbox), 404, "sandbox_not_found");
    assertThat(rpc(s, request(9, "ping", null)).status()).isEqualTo(404);
    assertThat(mcp(service.port(), "DELETE", null, Map.of("Mcp-Session-Id", s)).status()).isEqualTo(404);
    assertThat(mcp(service.port(), "DELETE", null, Map.of()).status()).isEqualTo(400);
  }

  @Test
  void aSandboxIdArgumentUsesThatSandboxAndVersion20250326HasNoStructuredContent() {
    String id = create(new JsonObject().put("name", "picked"));
    String s = session("2025-03-26");
    int before = sandboxNames().size();
    JsonObject saved = callTool(s, "save_file", new JsonObject().put("path", "x.txt").put("content", "v")
        .put("sandbox_id", id));
    assertThat(saved.containsKey("structuredContent")).isFalse();
    assertThat(envelope(saved).getBoolean("success")).isTrue();
    assertThat(get("/v1/sandboxes/" + id + "/files/x.txt").body()).isEqualTo("v");
    JsonObject missing = callTool(s, "list_files", new JsonObject().put("sandbox_id", "sbx_gone0000"));
    assertThat(missing.getBoolean("isError")).isTrue();
    assertThat(envelope(missing).getString("error")).isEqualTo("sandbox 'sbx_gone0000' not found");
    JsonObject notString = callTool(s, "list_files", new JsonObject().put("sandbox_id", 5));
    assertThat(envelope(notString).getString("error")).contains("'sandbox_id' must be a string");
    assertThat(sandboxNames()).as("no session sandbox was needed").hasSize(before);
    delete("/v1/sandboxes/" + id);
  }

  @Test
  void jsonRpcErrorsFollowTheSpec() {
    String s = session("2025-06-18");
    Map<String, String> h = Map.of("Mcp-Session-Id", s);
    Mcp parse = mcp(service.port(), "POST", "{\"jsonrpc\":", h);
    assertThat(parse.status()).isEqualTo(400);
    assertThat(parse.errorCode()).isEqualTo(-32700);
    assertThat(parse.json().containsKey("id")).isTrue();
    assertThat(parse.json().getValue("id")).isNull();
    Mcp batch = mcp(service.port(), "POST", new JsonArray().add(request(1, "ping", null)).encode(), h);
    assertThat(batch.status()).isEqualTo(400);
    assertThat(batch.errorCode()).isEqualTo(-32600);
    assertThat(batch.json().getJsonObject("error").getString("message")).contains("batch");
    for (String bad : List.of("42", "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}",
        "{\"jsonrpc\":\"2.0\",\"id\":1}")) {
      Mcp r = mcp(service.port(), "POST", bad, h);
      assertThat(r.status()).as(bad).isEqualTo(400);
      assertThat(r.errorCode()).as(bad).isEqualTo(-32600);
    }
    assertThat(rpc(s, request(2, "resources/list", null)).errorCode()).isEqualTo(-32601);
    Mcp unknownTool = rpc(s, request(3, "tools/call", new JsonObject().put("name", "nope")));
    assertThat(unknownTool.status()).isEqualTo(200);
    assertThat(unknownTool.errorCode()).isEqualTo(-32602);
    assertThat(rpc(s, request(4, "tools/call", new JsonObject())).errorCode()).isEqualTo(-32602);
    Mcp arrayParams = rpc(s, new JsonObject().put("jsonrpc", "2.0").put("id", 5).put("method", "tools/list")
        .put("params", new JsonArray()));
    assertThat(arrayParams.errorCode()).isEqualTo(-32602);
    Mcp get = mcp(service.port(), "GET", null, Map.of("Accept", "text/event-stream", "Mcp-Session-Id", s));
    assertThat(get.status()).isEqualTo(405);
    assertThat(get.header("Allow")).isEqualTo("POST, DELETE");
  }

  @Test
  void answersOneSseEventWhenTheClientPrefersAStream() {
    String s = session("2025-06-18");
    for (String accept : List.of("text/event-stream", "application/json;q=0.5, text/event-stream")) {
      Mcp r = mcp(service.port(), "POST", request(11, "ping", null).encode(), Map.of("Mcp-Session-Id", s,
          "Accept", accept));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("Content-Type")).as(accept).startsWith("text/event-stream");
      assertThat(r.body()).isEqualTo("event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":11,\"result\":{}}\n\n");
    }
    Mcp json = mcp(service.port(), "POST", request(12, "ping", null).encode(), Map.of("Mcp-Session-Id", s));
    assertThat(json.header("Content-Type")).startsWith("application/json");
  }

  @Test
  void anIdleSessionEndsAndItsSandboxIsDestroyed() throws Exception {
    BusClient bus = new BusClient(vertx, new Addresses(Addresses.DEFAULT_PREFIX));
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false));
    McpRoutes routes = new McpRoutes(vertx, Callers.open(bus), Duration.ofMillis(400));
    routes.mount(router);
    HttpServer server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    try {
      int port = server.actualPort();
      String s = initialize(port, "2025-06-18").header("Mcp-Session-Id");
      Mcp call = rpc(port, s, request(2, "tools/call", new JsonObject().put("name", "get_sandbox_status")));
      String sandbox = envelope(call.result()).getJsonObject("output").getString("sandbox_id");
      assertThat(get("/v1/sandboxes/" + sandbox).status()).isEqualTo(200);
      assertThat(routes.sessionCount()).isEqualTo(1);
      long deadline = System.currentTimeMillis() + 10_000;
      while (get("/v1/sandboxes/" + sandbox).status() != 404 && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      assertThat(get("/v1/sandboxes/" + sandbox).status()).as("the idle session's sandbox is destroyed").isEqualTo(404);
      assertThat(routes.sessionCount()).isZero();
      assertThat(rpc(port, s, request(3, "ping", null)).status()).isEqualTo(404);
    } finally {
      await(server.close());
    }
  }
}
