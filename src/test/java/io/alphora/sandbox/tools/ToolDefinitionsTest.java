package io.alphora.sandbox.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.SandboxTools;
import io.alphora.sandbox.ToolFormat;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Pins the four renderings to golden files (src/test/resources/tools/*.json). The golden files were
 * generated from the seed's TOOL_DEFINITIONS table (behaviour reference §5.2), not from this code:
 * comparing compact encodings checks names, descriptions, schemas, key order and registry order
 * byte for byte.
 */
class ToolDefinitionsTest {
  static final List<String> SEED_ORDER = List.of("run_python_code", "run_python_file", "run_shell_command",
      "save_file", "read_file", "delete_file", "list_files", "file_exists", "copy_file", "move_file",
      "install_pip_package", "install_pip_packages", "uninstall_pip_package", "list_installed_packages",
      "check_package_installed", "set_environment_variable", "get_environment_variable", "get_sandbox_status",
      "get_resource_usage", "reset_sandbox");

  static JsonArray golden(String name) throws Exception {
    try (InputStream in = ToolDefinitionsTest.class.getResourceAsStream("/tools/" + name + ".json")) {
      assertThat(in).as("golden file tools/" + name + ".json").isNotNull();
      return new JsonArray(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @ParameterizedTest
  @EnumSource(ToolFormat.class)
  void renderingMatchesItsGoldenFileByteForByte(ToolFormat format) throws Exception {
    String rendered = new JsonArray(SandboxTools.definitions(format)).encode();
    assertThat(rendered).isEqualTo(golden(format.value()).encode());
  }

  @Test
  void namesAreTheSeedsTwentyInRegistryOrder() {
    assertThat(SandboxTools.toolNames()).containsExactlyElementsOf(SEED_ORDER);
    assertThat(new SandboxTools(null).getAvailableTools()).containsExactlyElementsOf(SEED_ORDER);
  }

  @Test
  void seedSchemaTextRoundTripsExactly() {
    // one schema spelled out from the reference, as the seed's json.dumps would print it compactly
    String listFiles = "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\",\"description\":"
        + "\"Directory path to list (empty for workspace root)\",\"default\":\"\"},\"recursive\":{\"type\":"
        + "\"boolean\",\"description\":\"Include files in subdirectories\",\"default\":false}}}";
    Map<String, Object> def = new SandboxTools(null).getToolDefinitions().get("list_files");
    assertThat(new JsonObject(def).getJsonObject("parameters").encode()).isEqualTo(listFiles);
    assertThat(def.get("description")).isEqualTo("List files and directories in the sandbox workspace.");
  }

  @Test
  void toolDefinitionsAreTheGenericEntriesByName() throws Exception {
    Map<String, Map<String, Object>> byName = new SandboxTools(null).getToolDefinitions();
    assertThat(byName.keySet()).containsExactlyElementsOf(SEED_ORDER);
    assertThat(new JsonArray(List.copyOf(byName.values())).encode()).isEqualTo(golden("generic").encode());
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyCallReturnsADeepCopy() {
    SandboxTools tools = new SandboxTools(null);
    Map<String, Object> first = tools.getToolDefinitions().get("run_python_code");
    ((Map<String, Object>) ((Map<String, Object>) first.get("parameters")).get("properties")).clear();
    ((List<Object>) ((Map<String, Object>) first.get("parameters")).get("required")).add("evil");
    first.put("description", "changed");
    List<Map<String, Object>> openai = tools.getOpenAiTools();
    ((Map<String, Object>) openai.get(0).get("function")).put("name", "changed");
    String again = new JsonObject(tools.getToolDefinitions().get("run_python_code")).encode();
    assertThat(again).contains("\"code\"").contains("Execute Python code").doesNotContain("evil");
    assertThat(new JsonObject(tools.getOpenAiTools().get(0)).getJsonObject("function").getString("name"))
        .isEqualTo("run_python_code");
  }

  @Test
  void renderedValuesArePlainJavaCollections() {
    Object schema = new SandboxTools(null).getAnthropicTools().get(0).get("input_schema");
    assertThat(schema).isInstanceOf(java.util.LinkedHashMap.class);
    assertThat(((Map<?, ?>) schema).get("required")).isInstanceOf(java.util.ArrayList.class);
  }

  @Test
  void unknownFormatNamesTheValidOnes() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ToolFormat.of("gemini"))
        .hasMessageContaining("unknown tool format 'gemini'").hasMessageContaining("openai, anthropic, mcp, generic");
    assertThat(ToolFormat.of("OpenAI")).isEqualTo(ToolFormat.OPENAI);
  }
}
