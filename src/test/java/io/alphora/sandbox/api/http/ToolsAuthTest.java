package io.alphora.sandbox.api.http;

import static io.alphora.sandbox.api.http.McpApiTest.mcp;
import static io.alphora.sandbox.api.http.McpApiTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** With API keys: the tool routes and MCP need a key, act for its tenant, and MCP sessions stay with theirs. */
class ToolsAuthTest extends RestTestBase {
  static final String KEY_A = "key-tools-a-0123456789";
  static final String KEY_B = "key-tools-b-0123456789";

  static JsonObject serviceConfig() {
    return new JsonObject().put("auth", new JsonObject()
        .put("api_keys", new JsonObject().put(KEY_A, "tenant-a").put(KEY_B, "tenant-b")));
  }

  @AfterEach
  void cleanUp() {
    for (String k : new String[] {KEY_A, KEY_B}) {
      apiKey = k;
      post("/v1/manager/destroy-all", null);
    }
    apiKey = null;
  }

  static McpApiTest.Mcp rpc(String key, String session, JsonObject msg) {
    Map<String, String> h = new java.util.HashMap<>(Map.of("Accept", McpApiTest.ACCEPT_BOTH));
    if (key != null) {
      h.put("Authorization", "Bearer " + key);
    }
    if (session != null) {
      h.put("Mcp-Session-Id", session);
    }
    return mcp(service.port(), "POST", msg.encode(), h);
  }

  static JsonObject toolCall(String name, JsonObject args) {
    return request(2, "tools/call", new JsonObject().put("name", name).put("arguments", args));
  }

  @Test
  void theToolRoutesNeedAKeyAndActForItsTenant() {
    apiKey = null;
    expectError(get("/v1/tools"), 401, "unauthorized");
    expectError(post("/v1/tools/call", new JsonObject()), 401, "unauthorized");
    apiKey = KEY_A;
    assertThat(get("/v1/tools?format=anthropic").json().getJsonArray("tools")).hasSize(20);
    String mine = create(new JsonObject().put("name", "a-box"));
    assertThat(post("/v1/sandboxes/" + mine + "/tools/save_file", new JsonObject().put("path", "s.txt")
        .put("content", "secret")).json().getBoolean("success")).isTrue();
    apiKey = KEY_B;
    expectError(post("/v1/sandboxes/" + mine + "/tools/read_file", new JsonObject().put("path", "s.txt")), 404,
        "sandbox_not_found");
    expectError(post("/v1/tools/call", new JsonObject().put("sandbox_id", mine).put("tool_use", new JsonObject()
        .put("type", "tool_use").put("id", "t1").put("name", "read_file")
        .put("input", new JsonObject().put("path", "s.txt")))), 404, "sandbox_not_found");
  }

  @Test
  void anMcpSessionBelongsToTheTenantThatOpenedIt() {
    assertThat(rpc(null, null, request(1, "initialize", new JsonObject().put("protocolVersion", "2025-06-18")))
        .status()).isEqualTo(401);
    McpApiTest.Mcp init = rpc(KEY_A, null, request(1, "initialize",
        new JsonObject().put("protocolVersion", "2025-06-18")));
    String session = init.header("Mcp-Session-Id");
    assertThat(session).isNotNull();
    JsonObject status = rpc(KEY_A, session, toolCall("get_sandbox_status", new JsonObject())).result()
        .getJsonObject("structuredContent").getJsonObject("output");
    String sandbox = status.getString("sandbox_id");
    apiKey = KEY_A;
    assertThat(get("/v1/sandboxes/" + sandbox).status()).as("the session's sandbox is tenant a's").isEqualTo(200);
    apiKey = KEY_B;
    expectError(get("/v1/sandboxes/" + sandbox), 404, "sandbox_not_found");

    McpApiTest.Mcp stolen = rpc(KEY_B, session, request(3, "ping", null));
    assertThat(stolen.status()).isEqualTo(404);
    assertThat(stolen.errorCode()).isEqualTo(-32001);
    assertThat(mcp(service.port(), "DELETE", null, Map.of("Mcp-Session-Id", session,
        "Authorization", "Bearer " + KEY_B)).status()).isEqualTo(404);

    String sessionB = rpc(KEY_B, null, request(1, "initialize", new JsonObject().put("protocolVersion", "2025-06-18")))
        .header("Mcp-Session-Id");
    JsonObject foreign = rpc(KEY_B, sessionB, toolCall("list_files", new JsonObject().put("sandbox_id", sandbox)))
        .result();
    assertThat(foreign.getBoolean("isError")).isTrue();
    assertThat(foreign.getJsonObject("structuredContent").getString("error")).contains("not found");

    assertThat(mcp(service.port(), "DELETE", null, Map.of("Mcp-Session-Id", session,
        "Authorization", "Bearer " + KEY_A)).status()).isEqualTo(204);
    apiKey = KEY_A;
    expectError(get("/v1/sandboxes/" + sandbox), 404, "sandbox_not_found");
    JsonArray left = get("/v1/sandboxes").json().getJsonArray("sandboxes");
    assertThat(left).isEmpty();
  }
}
