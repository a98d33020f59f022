package io.alphora.sandbox.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The agent tools over HTTP, against a live local sandbox. */
class ToolsApiTest extends RestTestBase {

  static JsonObject tool(String id, String name, JsonObject args) {
    Res r = post("/v1/sandboxes/" + id + "/tools/" + name, args);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  static JsonObject toolsCall(JsonObject body) {
    Res r = post("/v1/tools/call", body);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  static String golden(String format) throws Exception {
    try (InputStream in = ToolsApiTest.class.getResourceAsStream("/tools/" + format + ".json")) {
      return new JsonArray(new String(in.readAllBytes(), StandardCharsets.UTF_8)).encode();
    }
  }

  @Test
  void listsTheToolsInEachFormatGenericByDefault() throws Exception {
    assertThat(get("/v1/tools").json().getJsonArray("tools").encode()).isEqualTo(golden("generic"));
    for (String f : new String[] {"openai", "anthropic", "mcp", "generic"}) {
      Res r = get("/v1/tools?format=" + f);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().getJsonArray("tools").encode()).as(f).isEqualTo(golden(f));
    }
    assertThat(expectError(get("/v1/tools?format=gemini"), 400, "invalid_request"))
        .contains("openai, anthropic, mcp, generic");
  }

  @Test
  void callsOneToolOnASandbox() {
    String id = create(new JsonObject());
    JsonObject ok = tool(id, "run_python_code", new JsonObject().put("code", "print(6*7)"));
    assertThat(ok.getBoolean("success")).isTrue();
    assertThat(ok.getString("output")).isEqualTo("42\n");
    assertThat(ok.fieldNames()).containsExactly("success", "output", "error", "execution_time", "return_code",
        "timed_out");
    JsonObject bad = tool(id, "run_python_code", new JsonObject().put("codez", "1"));
    assertThat(bad.getBoolean("success")).isFalse();
    assertThat(bad.getString("error")).startsWith("Invalid parameters: unknown parameter 'codez'");
    assertThat(tool(id, "nope", new JsonObject()).getString("error")).startsWith("Unknown tool: nope");
    Res notObject = call("POST", "/v1/sandboxes/" + id + "/tools/read_file", "[1]");
    assertThat(notObject.status()).isEqualTo(200);
    assertThat(notObject.json().getString("error")).startsWith("Invalid parameters: the request body (the arguments) "
        + "must be a JSON object");
    Res broken = call("POST", "/v1/sandboxes/" + id + "/tools/read_file", "{\"path\":");
    assertThat(broken.json().getString("error")).contains("not valid JSON");
    Res noArgs = call("POST", "/v1/sandboxes/" + id + "/tools/list_files", null);
    assertThat(noArgs.json().getBoolean("success")).as(noArgs.body()).isTrue();
    expectError(post("/v1/sandboxes/sbx_missing000/tools/list_files", new JsonObject()), 404, "sandbox_not_found");
    expectError(post("/v1/sandboxes/sbx_missing000/tools/nope", new JsonObject()), 404, "sandbox_not_found");
    delete("/v1/sandboxes/" + id);
  }

  @Test
  void toolsCallAnswersInTheVendorsMessageShape() {
    String id = create(new JsonObject());
    JsonObject plain = toolsCall(new JsonObject().put("sandbox_id", id).put("name", "save_file")
        .put("arguments", new JsonObject().put("path", "a.txt").put("content", "hi")));
    assertThat(plain.getJsonObject("result").getString("output")).isEqualTo("File saved: a.txt");
    assertThat(plain.containsKey("message")).isFalse();

    JsonObject openai = toolsCall(new JsonObject().put("sandbox_id", id).put("tool_call", new JsonObject()
        .put("id", "call_abc").put("type", "function").put("function", new JsonObject().put("name", "read_file")
            .put("arguments", "{\"path\": \"a.txt\"}"))));
    assertThat(openai.getJsonObject("result").getString("output")).isEqualTo("hi");
    JsonObject m = openai.getJsonObject("message");
    assertThat(m.fieldNames()).containsExactly("role", "tool_call_id", "content");
    assertThat(m.getString("role")).isEqualTo("tool");
    assertThat(m.getString("tool_call_id")).isEqualTo("call_abc");
    assertThat(new JsonObject(m.getString("content"))).isEqualTo(openai.getJsonObject("result"));

    JsonObject anthropic = toolsCall(new JsonObject().put("sandbox_id", id).put("tool_use", new JsonObject()
        .put("type", "tool_use").put("id", "toolu_1").put("name", "read_file")
        .put("input", new JsonObject().put("path", "missing.txt"))));
    JsonObject tr = anthropic.getJsonObject("message");
    assertThat(tr.getString("type")).isEqualTo("tool_result");
    assertThat(tr.getString("tool_use_id")).isEqualTo("toolu_1");
    assertThat(tr.getBoolean("is_error")).isTrue();
    assertThat(new JsonObject(tr.getString("content")).getString("error")).contains("missing.txt");
    JsonObject fine = toolsCall(new JsonObject().put("sandbox_id", id).put("tool_use", new JsonObject()
        .put("type", "tool_use").put("id", "toolu_2").put("name", "file_exists")
        .put("input", new JsonObject().put("path", "a.txt"))));
    assertThat(fine.getJsonObject("message").containsKey("is_error")).isFalse();
    assertThat(fine.getJsonObject("result").getBoolean("output")).isTrue();

    // arguments the model garbled: the model gets an answer it can act on, with its call id
    JsonObject garbled = toolsCall(new JsonObject().put("sandbox_id", id).put("tool_call", new JsonObject()
        .put("id", "call_x").put("type", "function").put("function", new JsonObject().put("name", "read_file")
            .put("arguments", "{\"path\": "))));
    assertThat(garbled.getJsonObject("result").getString("error")).startsWith("Invalid parameters: the arguments are "
        + "not a JSON object").contains("Expected: read_file(path: string)");
    assertThat(garbled.getJsonObject("message").getString("tool_call_id")).isEqualTo("call_x");
    JsonObject unknown = toolsCall(new JsonObject().put("sandbox_id", id).put("tool_call", new JsonObject()
        .put("id", "call_y").put("function", new JsonObject().put("name", "execute_python").put("arguments", "{}"))));
    assertThat(unknown.getJsonObject("result").getString("error")).startsWith("Unknown tool: execute_python");
    delete("/v1/sandboxes/" + id);
  }

  @Test
  void malformedCallBodiesAre400AndUnknownSandboxes404() {
    String id = create(new JsonObject());
    JsonObject fn = new JsonObject().put("name", "list_files").put("arguments", "{}");
    expectError(post("/v1/tools/call", new JsonObject().put("name", "list_files")), 400, "invalid_request");
    assertThat(expectError(post("/v1/tools/call", new JsonObject().put("sandbox_id", id).put("name", "list_files")
        .put("tool_call", new JsonObject())), 400, "invalid_request")).contains("exactly one of");
    assertThat(expectError(post("/v1/tools/call", new JsonObject().put("sandbox_id", id).put("name", "list_files")
        .put("extra", 1)), 400, "invalid_request")).contains("unknown field 'extra'");
    assertThat(expectError(post("/v1/tools/call", new JsonObject().put("sandbox_id", id)
        .put("tool_call", new JsonObject().put("function", fn))), 400, "invalid_request")).contains("tool_call.id");
    assertThat(expectError(post("/v1/tools/call", new JsonObject().put("sandbox_id", id)
        .put("tool_call", new JsonObject().put("id", "c").put("type", "custom").put("function", fn))), 400,
        "invalid_request")).contains("'tool_call.type' must be 'function'");
    assertThat(expectError(post("/v1/tools/call", new JsonObject().put("sandbox_id", id)
        .put("tool_use", new JsonObject().put("id", "t"))), 400, "invalid_request")).contains("tool_use.name");
    expectError(call("POST", "/v1/tools/call", "{nope"), 400, "invalid_request");
    expectError(post("/v1/tools/call", new JsonObject().put("sandbox_id", "sbx_missing000")
        .put("tool_call", new JsonObject().put("id", "c").put("function", fn))), 404, "sandbox_not_found");
    delete("/v1/sandboxes/" + id);
  }

  @Test
  void runToolsUseTheSandboxTimeoutNotAHardSixty() {
    String id = create(new JsonObject().put("resource_limits", new JsonObject().put("timeout_seconds", 2)));
    JsonObject r = tool(id, "run_python_code", new JsonObject().put("code", "import time; print('a', flush=True); "
        + "time.sleep(30)"));
    assertThat(r.getBoolean("success")).isFalse();
    assertThat(r.getBoolean("timed_out")).isTrue();
    assertThat(r.getInteger("return_code")).isEqualTo(-1);
    assertThat(r.getString("output")).isEqualTo("a\n");
    assertThat(r.getString("error")).contains("Execution timed out after 2 seconds");
    assertThat(r.getDouble("execution_time")).isBetween(1.5, 10.0);
    JsonObject shell = tool(id, "run_shell_command", new JsonObject().put("command", "echo out; echo err >&2; exit 3"));
    assertThat(shell.fieldNames()).contains("return_code", "timed_out", "execution_time");
    assertThat(shell.getInteger("return_code")).isEqualTo(3);
    assertThat(shell.getString("error")).isEqualTo("err\n");
    delete("/v1/sandboxes/" + id);
  }

  @Test
  void environmentIsTheSandboxesOwnAndResetReallyResets() {
    String id = create(new JsonObject());
    for (String hostVar : new String[] {"PATH", "USER", "JAVA_HOME"}) {
      JsonObject r = tool(id, "get_environment_variable", new JsonObject().put("key", hostVar));
      assertThat(r.getBoolean("success")).isTrue();
      assertThat(r.getValue("output")).as(hostVar + " of the service must not be visible").isNull();
    }
    assertThat(tool(id, "set_environment_variable", new JsonObject().put("key", "MODE").put("value", "test"))
        .getString("output")).isEqualTo("Set MODE");
    assertThat(tool(id, "get_environment_variable", new JsonObject().put("key", "MODE")).getString("output"))
        .isEqualTo("test");
    assertThat(tool(id, "run_shell_command", new JsonObject().put("command", "echo $MODE")).getString("output"))
        .isEqualTo("test\n");
    tool(id, "save_file", new JsonObject().put("path", "keep.txt").put("content", "x"));
    assertThat(tool(id, "reset_sandbox", new JsonObject()).getString("output")).isEqualTo("Sandbox reset successfully");
    assertThat(tool(id, "file_exists", new JsonObject().put("path", "keep.txt")).getBoolean("output")).isFalse();
    assertThat(tool(id, "get_environment_variable", new JsonObject().put("key", "MODE")).getValue("output")).isNull();
    JsonObject status = tool(id, "get_sandbox_status", new JsonObject()).getJsonObject("output");
    assertThat(status.getString("sandbox_id")).isEqualTo(id);
    assertThat(status.getBoolean("is_running")).isTrue();
    delete("/v1/sandboxes/" + id);
  }

  @Test
  void copyAndMoveAreBinarySafeAndDeleteOfAMissingFileFails() throws Exception {
    String id = create(new JsonObject());
    byte[] bytes = new byte[256];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) i;
    }
    Res put = send("PUT", "/v1/sandboxes/" + id + "/files/bin/all.bytes", HttpRequest.BodyPublishers.ofByteArray(bytes),
        "application/octet-stream");
    assertThat(put.status()).as(put.body()).isEqualTo(201);
    assertThat(tool(id, "copy_file", new JsonObject().put("source", "bin/all.bytes").put("dest", "c/copy.bytes"))
        .getString("output")).isEqualTo("Copied bin/all.bytes to c/copy.bytes");
    assertThat(tool(id, "move_file", new JsonObject().put("source", "c/copy.bytes").put("dest", "moved.bytes"))
        .getString("output")).isEqualTo("Moved c/copy.bytes to moved.bytes");
    assertThat(download(id, "moved.bytes")).isEqualTo(bytes);
    assertThat(tool(id, "file_exists", new JsonObject().put("path", "c/copy.bytes")).getBoolean("output")).isFalse();
    JsonObject gone = tool(id, "delete_file", new JsonObject().put("path", "c/copy.bytes"));
    assertThat(gone.getBoolean("success")).isFalse();
    assertThat(gone.getString("error")).startsWith("File not found: c/copy.bytes");
    assertThat(tool(id, "delete_file", new JsonObject().put("path", "moved.bytes")).getString("output"))
        .isEqualTo("Deleted: moved.bytes");
    JsonObject outside = tool(id, "file_exists", new JsonObject().put("path", "../../etc/passwd"));
    assertThat(outside.getBoolean("success")).isFalse();
    assertThat(outside.getBoolean("output")).isFalse();
    assertThat(outside.getString("error")).contains("../../etc/passwd");
    delete("/v1/sandboxes/" + id);
  }

  @Test
  void longOutputIsTruncatedAndSavedWhole() throws Exception {
    String id = create(new JsonObject());
    JsonObject r = tool(id, "run_python_code", new JsonObject().put("code", "print('a' * 30000 + 'b' * 30000)"));
    assertThat(r.getBoolean("success")).isTrue();
    assertThat(r.getBoolean("truncated")).isTrue();
    String path = r.getString("full_output_path");
    assertThat(r.getString("output")).hasSizeLessThan(20_300)
        .contains("… [output truncated: 20000 of 60001 characters shown").contains("full output saved to " + path);
    assertThat(new String(download(id, path), StandardCharsets.UTF_8)).isEqualTo("a".repeat(30000) + "b".repeat(30000)
        + "\n");
    delete("/v1/sandboxes/" + id);
  }

  @Test
  void shellDeniedByPolicyIsAFailedEnvelope() {
    String id = create(new JsonObject().put("security_policy", "strict"));
    JsonObject r = tool(id, "run_shell_command", new JsonObject().put("command", "id"));
    assertThat(r.getBoolean("success")).isFalse();
    assertThat(r.getValue("output")).isNull();
    assertThat(r.getString("error")).containsIgnoringCase("shell");
    delete("/v1/sandboxes/" + id);
  }

  static byte[] download(String id, String path) throws Exception {
    HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port()
        + "/v1/sandboxes/" + id + "/files/" + path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }
}
