package io.alphora.sandbox.api.http;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the two tool loops of docs/agents.md (docs/examples/*.py) against the live service, with a
 * stub standing in for the vendor's API: the stub plays the model (asks for tools, then answers from
 * their results) and records what the scripts sent it, so the request shapes each vendor expects are
 * checked, not just that the scripts exit. The service has an API key, which the scripts send.
 */
class AgentLoopExamplesTest extends RestTestBase {
  static final String KEY = "key-examples-0123456789";
  private final List<RoutingContext> seen = new CopyOnWriteArrayList<>();
  private HttpServer vendor;

  static JsonObject serviceConfig() {
    return new JsonObject().put("auth", new JsonObject().put("api_keys", new JsonObject().put(KEY, "agents")));
  }

  @BeforeEach
  void startVendorStub() {
    apiKey = KEY;
    Router r = Router.router(vertx);
    r.route().handler(BodyHandler.create(false));
    r.post("/v1/chat/completions").handler(this::openAi);
    r.post("/v1/messages").handler(this::anthropic);
    vendor = await(vertx.createHttpServer().requestHandler(r).listen(0, "127.0.0.1"));
  }

  @AfterEach
  void stopVendorStub() { await(vendor.close()); }

  /** First turn: two tool calls; second turn: the answer, read from the last tool message. */
  private void openAi(RoutingContext ctx) {
    seen.add(ctx);
    JsonArray messages = ctx.body().asJsonObject().getJsonArray("messages");
    JsonObject last = messages.getJsonObject(messages.size() - 1);
    JsonObject message = new JsonObject().put("role", "assistant");
    if ("user".equals(last.getString("role"))) {
      message.putNull("content").put("tool_calls", new JsonArray()
          .add(openAiCall("call_1", "save_file", new JsonObject().put("path", "sum.py")
              .put("content", "print(sum(range(11)))")))
          .add(openAiCall("call_2", "run_python_file", new JsonObject().put("file_path", "sum.py"))));
    } else {
      String output = new JsonObject(last.getString("content")).getString("output");
      message.put("content", "The answer is " + output.strip());
    }
    ctx.json(new JsonObject().put("id", "chatcmpl-1").put("object", "chat.completion")
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("message", message)
            .put("finish_reason", message.containsKey("tool_calls") ? "tool_calls" : "stop"))));
  }

  private static JsonObject openAiCall(String id, String name, JsonObject args) {
    return new JsonObject().put("id", id).put("type", "function")
        .put("function", new JsonObject().put("name", name).put("arguments", args.encode()));
  }

  private void anthropic(RoutingContext ctx) {
    seen.add(ctx);
    JsonArray messages = ctx.body().asJsonObject().getJsonArray("messages");
    JsonObject last = messages.getJsonObject(messages.size() - 1);
    JsonArray content = new JsonArray();
    if (last.getValue("content") instanceof String) {
      content.add(new JsonObject().put("type", "text").put("text", "Let me compute it."))
          .add(new JsonObject().put("type", "tool_use").put("id", "toolu_1").put("name", "run_python_code")
              .put("input", new JsonObject().put("code", "print(sum(range(11)))")));
    } else {
      JsonObject result = last.getJsonArray("content").getJsonObject(0);
      String output = new JsonObject(result.getString("content")).getString("output");
      content.add(new JsonObject().put("type", "text").put("text", "The answer is " + output.strip()));
    }
    ctx.json(new JsonObject().put("id", "msg_1").put("type", "message").put("role", "assistant")
        .put("content", content).put("stop_reason", content.size() > 1 ? "tool_use" : "end_turn"));
  }

  private String runExample(String script, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", "docs/examples/" + script, "Sum 0..10")
        .redirectErrorStream(true);
    pb.environment().put("SANDBOX_URL", "http://127.0.0.1:" + service.port());
    pb.environment().put("SANDBOX_API_KEY", KEY);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(script + " output:\n" + out).isZero();
    return out;
  }

  @Test
  void theOpenAiLoopRuns() throws Exception {
    String out = runExample("openai_tool_loop.py", Map.of("OPENAI_BASE_URL", "http://127.0.0.1:" + vendor.actualPort()
        + "/v1", "OPENAI_API_KEY", "sk-test", "OPENAI_MODEL", "stub"));
    assertThat(out).contains("[save_file] success=True", "[run_python_file] success=True", "The answer is 55");
    assertThat(seen).hasSize(2);
    assertThat(seen.get(0).request().getHeader("Authorization")).isEqualTo("Bearer sk-test");
    JsonObject first = seen.get(0).body().asJsonObject();
    assertThat(first.getJsonArray("tools")).hasSize(20);
    assertThat(first.getJsonArray("tools").getJsonObject(0).getString("type")).isEqualTo("function");
    JsonArray messages = seen.get(1).body().asJsonObject().getJsonArray("messages");
    assertThat(messages.stream().map(m -> ((JsonObject) m).getString("role")).toList())
        .containsExactly("system", "user", "assistant", "tool", "tool");
    assertThat(messages.getJsonObject(3).getString("tool_call_id")).isEqualTo("call_1");
    assertThat(messages.getJsonObject(4).getString("tool_call_id")).isEqualTo("call_2");
    assertThat(new JsonObject(messages.getJsonObject(4).getString("content")).getBoolean("success")).isTrue();
    assertThat(get("/v1/sandboxes?name=openai-agent").json().getJsonArray("sandboxes")).as("deleted").isEmpty();
  }

  @Test
  void theAnthropicLoopRuns() throws Exception {
    String out = runExample("anthropic_tool_loop.py", Map.of("ANTHROPIC_BASE_URL", "http://127.0.0.1:"
        + vendor.actualPort(), "ANTHROPIC_API_KEY", "sk-ant-test", "ANTHROPIC_MODEL", "stub"));
    assertThat(out).contains("[run_python_code] success=True", "The answer is 55");
    assertThat(seen).hasSize(2);
    assertThat(seen.get(0).request().getHeader("x-api-key")).isEqualTo("sk-ant-test");
    assertThat(seen.get(0).request().getHeader("anthropic-version")).isEqualTo("2023-06-01");
    assertThat(seen.get(0).body().asJsonObject().getJsonArray("tools").getJsonObject(0).containsKey("input_schema"))
        .isTrue();
    JsonArray messages = seen.get(1).body().asJsonObject().getJsonArray("messages");
    assertThat(messages).hasSize(3);
    assertThat(messages.getJsonObject(1).getJsonArray("content").getJsonObject(1).getString("type"))
        .isEqualTo("tool_use");
    JsonObject result = messages.getJsonObject(2).getJsonArray("content").getJsonObject(0);
    assertThat(result.getString("type")).isEqualTo("tool_result");
    assertThat(result.getString("tool_use_id")).isEqualTo("toolu_1");
    assertThat(result.containsKey("is_error")).isFalse();
    assertThat(get("/v1/sandboxes?name=anthropic-agent").json().getJsonArray("sandboxes")).as("deleted").isEmpty();
  }

  @Test
  void theGuideShowsTheseExactScripts() throws Exception {
    String guide = Files.readString(Path.of("docs/agents.md"));
    for (String script : List.of("openai_tool_loop.py", "anthropic_tool_loop.py")) {
      assertThat(guide).as("docs/agents.md shows docs/examples/" + script + " verbatim")
          .contains(Files.readString(Path.of("docs/examples", script)));
    }
  }
}
