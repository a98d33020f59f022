package io.alphora.sandbox.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.alphora.sandbox.Wheels;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Replays a recorded agent session (src/test/resources/tools/conversation.json: the tool calls as
 * OpenAI and Anthropic models send them, each with what its result must show) through
 * {@code POST /v1/tools/call} against one live sandbox, offline: pip finds its wheel in a directory.
 */
class ToolConversationTest extends RestTestBase {

  static JsonObject serviceConfig() throws Exception {
    Path wheels = Files.createTempDirectory("alphora-wheels-");
    Wheels.build(wheels, "tinypkg", "1.0");
    return new JsonObject().put("pip", new JsonObject().put("index_url", "").put("find_links", wheels.toString()));
  }

  @Test
  void replaysTheRecordedConversation() throws Exception {
    JsonObject doc;
    try (InputStream in = ToolConversationTest.class.getResourceAsStream("/tools/conversation.json")) {
      doc = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    JsonArray steps = doc.getJsonArray("steps");
    assertThat(steps).hasSizeGreaterThanOrEqualTo(20);
    String id = create(new JsonObject());
    for (int i = 0; i < steps.size(); i++) {
      JsonObject step = steps.getJsonObject(i);
      JsonObject body = new JsonObject().put("sandbox_id", id);
      boolean openai = step.containsKey("tool_call");
      body.put(openai ? "tool_call" : "tool_use", step.getJsonObject(openai ? "tool_call" : "tool_use"));
      Res r = post("/v1/tools/call", body);
      String where = "step " + (i + 1) + " " + step.encode() + "\n -> " + r.body();
      assertThat(r.status()).as(where).isEqualTo(200);
      JsonObject result = r.json().getJsonObject("result");
      checkMessage(step, openai, result, r.json().getJsonObject("message"), where);
      check(step.getJsonObject("expect"), result, where);
    }
    delete("/v1/sandboxes/" + id);
  }

  /** The message goes back to the model verbatim: its id must match the call's, its content the result. */
  private static void checkMessage(JsonObject step, boolean openai, JsonObject result, JsonObject m, String where) {
    assertThat(m).as(where).isNotNull();
    assertThat(new JsonObject(m.getString("content"))).as(where).isEqualTo(result);
    if (openai) {
      assertThat(m.getString("role")).as(where).isEqualTo("tool");
      assertThat(m.getString("tool_call_id")).as(where).isEqualTo(step.getJsonObject("tool_call").getString("id"));
    } else {
      assertThat(m.getString("type")).as(where).isEqualTo("tool_result");
      assertThat(m.getString("tool_use_id")).as(where).isEqualTo(step.getJsonObject("tool_use").getString("id"));
      assertThat(m.getBoolean("is_error", false)).as(where).isEqualTo(!result.getBoolean("success"));
    }
  }

  private static void check(JsonObject expect, JsonObject result, String where) {
    assertThat(expect).as(where + ": every step says what it expects").isNotNull();
    for (String key : expect.fieldNames()) {
      Object want = expect.getValue(key);
      switch (key) {
        case "success" -> assertThat(result.getBoolean("success")).as(where).isEqualTo(want);
        case "output" -> assertThat(result.getValue("output")).as(where).isEqualTo(want);
        case "output_contains" -> assertThat(result.getString("output")).as(where).contains((String) want);
        case "error_contains" -> assertThat(result.getString("error")).as(where).contains((String) want);
        case "error_starts_with" -> assertThat(result.getString("error")).as(where).startsWith((String) want);
        case "output_paths" -> assertThat(field(result.getJsonArray("output"), "path")).as(where)
            .containsExactlyElementsOf(strings((JsonArray) want));
        case "output_names" -> assertThat(field(result.getJsonArray("output"), "name")).as(where)
            .containsExactlyElementsOf(strings((JsonArray) want));
        case "output_fields" -> ((JsonObject) want).forEach(e -> assertThat(result.getJsonObject("output")
            .getValue(e.getKey())).as(where + " output." + e.getKey()).isEqualTo(e.getValue()));
        case "fields" -> ((JsonObject) want).forEach(e -> assertThat(result.getValue(e.getKey()))
            .as(where + " " + e.getKey()).isEqualTo(e.getValue()));
        default -> fail("conversation.json: unknown expectation '" + key + "' in " + where);
      }
    }
  }

  private static List<String> field(JsonArray entries, String name) {
    List<String> out = new ArrayList<>();
    entries.forEach(o -> out.add(((JsonObject) o).getString(name)));
    return out;
  }

  private static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    a.forEach(o -> out.add((String) o));
    return out;
  }
}
