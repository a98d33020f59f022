package io.alphora.sandbox.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Keeps {@code /openapi.yaml} honest: every route mounted by {@link HttpVerticle}, {@link SandboxRoutes},
 * {@link FileRoutes}, {@link ManagerRoutes}, {@link StorageRoutes}, {@link PresignedRoutes}, {@link ToolRoutes} and {@code McpRoutes} is documented under its operationId, everything else in
 * the document is marked {@code x-status: planned}, and every {@code $ref} resolves.
 */
class OpenApiDocTest {
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "head", "patch", "options", "trace");

  /** "method path" of each mounted route, with the operationId the document gives it. */
  private static final Map<String, String> IMPLEMENTED = new LinkedHashMap<>();

  static {
    // HttpVerticle.mountService
    IMPLEMENTED.put("get /health", "health");
    IMPLEMENTED.put("get /ready", "ready");
    IMPLEMENTED.put("get /openapi.yaml", "openapi");
    // SandboxRoutes
    IMPLEMENTED.put("post /v1/sandboxes", "createSandbox");
    IMPLEMENTED.put("get /v1/sandboxes", "listSandboxes");
    IMPLEMENTED.put("get /v1/sandboxes/{id}", "getSandbox");
    IMPLEMENTED.put("delete /v1/sandboxes/{id}", "destroySandbox");
    IMPLEMENTED.put("post /v1/sandboxes/{id}/start", "startSandbox");
    IMPLEMENTED.put("post /v1/sandboxes/{id}/stop", "stopSandbox");
    IMPLEMENTED.put("post /v1/sandboxes/{id}/restart", "restartSandbox");
    IMPLEMENTED.put("post /v1/sandboxes/{id}/reset", "resetSandbox");
    IMPLEMENTED.put("post /v1/sandboxes/{id}/keepalive", "keepalive");
    IMPLEMENTED.put("get /v1/sandboxes/{id}/health", "healthCheck");
    IMPLEMENTED.put("get /v1/sandboxes/{id}/usage", "getResourceUsage");
    IMPLEMENTED.put("post /v1/sandboxes/{id}/executions", "executeCode");
    IMPLEMENTED.put("get /v1/sandboxes/{id}/executions/{exec_id}", "getExecution");
    IMPLEMENTED.put("delete /v1/sandboxes/{id}/executions/{exec_id}", "cancelExecution");
    IMPLEMENTED.put("get /v1/sandboxes/{id}/packages", "listPackages");
    IMPLEMENTED.put("get /v1/sandboxes/{id}/packages/{name}", "getPackage");
    IMPLEMENTED.put("post /v1/sandboxes/{id}/packages", "installPackages");
    IMPLEMENTED.put("delete /v1/sandboxes/{id}/packages/{name}", "uninstallPackage");
    IMPLEMENTED.put("get /v1/sandboxes/{id}/env", "getEnvVars");
    IMPLEMENTED.put("put /v1/sandboxes/{id}/env", "setEnvVars");
    IMPLEMENTED.put("get /v1/sandboxes/{id}/env/{key}", "getEnvVar");
    IMPLEMENTED.put("put /v1/sandboxes/{id}/env/{key}", "setEnvVar");
    IMPLEMENTED.put("delete /v1/sandboxes/{id}/env/{key}", "deleteEnvVar");
    // FileRoutes
    IMPLEMENTED.put("get /v1/sandboxes/{id}/files", "listFiles");
    IMPLEMENTED.put("get /v1/sandboxes/{id}/files/{path}", "readFile");
    IMPLEMENTED.put("head /v1/sandboxes/{id}/files/{path}", "fileExists");
    IMPLEMENTED.put("put /v1/sandboxes/{id}/files/{path}", "writeFile");
    IMPLEMENTED.put("delete /v1/sandboxes/{id}/files/{path}", "deleteFile");
    IMPLEMENTED.put("post /v1/sandboxes/{id}/copy", "copyFile");
    IMPLEMENTED.put("post /v1/sandboxes/{id}/move", "moveFile");
    // ManagerRoutes
    IMPLEMENTED.put("get /v1/manager/status", "managerStatus");
    IMPLEMENTED.put("get /v1/manager/usage", "managerUsage");
    IMPLEMENTED.put("get /v1/manager/health", "managerHealth");
    IMPLEMENTED.put("post /v1/manager/cleanup", "managerCleanup");
    IMPLEMENTED.put("post /v1/manager/stop-all", "stopAll");
    IMPLEMENTED.put("post /v1/manager/destroy-all", "destroyAll");
    // StorageRoutes and PresignedRoutes
    IMPLEMENTED.put("get /v1/storage/objects", "listObjects");
    IMPLEMENTED.put("put /v1/storage/objects/{key}", "putObject");
    IMPLEMENTED.put("get /v1/storage/objects/{key}", "getObject");
    IMPLEMENTED.put("head /v1/storage/objects/{key}", "objectExists");
    IMPLEMENTED.put("delete /v1/storage/objects/{key}", "deleteObject");
    IMPLEMENTED.put("post /v1/storage/presign", "presignObject");
    IMPLEMENTED.put("get /v1/storage/info", "storageInfo");
    IMPLEMENTED.put("post /v1/sandboxes/{id}/snapshots", "createSnapshot");
    IMPLEMENTED.put("get /presigned/{key}", "presignedGet");
    IMPLEMENTED.put("put /presigned/{key}", "presignedPut");
    // ToolRoutes
    IMPLEMENTED.put("get /v1/tools", "listTools");
    IMPLEMENTED.put("post /v1/tools/call", "callTool");
    IMPLEMENTED.put("post /v1/sandboxes/{id}/tools/{tool_name}", "callSandboxTool");
    // StreamRoutes and the console
    IMPLEMENTED.put("get /v1/sandboxes/{id}/ws", "openWebSocket");
    IMPLEMENTED.put("get /v1/sandboxes/{id}/executions/{exec_id}/events", "streamExecutionEvents");
    IMPLEMENTED.put("get /", "console");
    // McpRoutes
    IMPLEMENTED.put("post /mcp", "mcp");
    IMPLEMENTED.put("delete /mcp", "mcpEndSession");
    IMPLEMENTED.put("get /mcp", "mcpStream");
  }

  private static Map<String, Object> doc;

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in = OpenApiDocTest.class.getResourceAsStream("/openapi.yaml")) {
      assertThat(in).as("/openapi.yaml on the classpath").isNotNull();
      doc = new Yaml().load(in);
    }
  }

  @Test
  void isOpenApi3() {
    assertThat(String.valueOf(doc.get("openapi"))).startsWith("3.");
    assertThat(map(doc, "info").get("version")).isEqualTo("0.1.0");
  }

  @Test
  void documentsEveryImplementedRouteUnderItsOperationId() {
    Map<String, Map<String, Object>> ops = operations();
    for (Map.Entry<String, String> e : IMPLEMENTED.entrySet()) {
      assertThat(ops).as("documented operations").containsKey(e.getKey());
      Map<String, Object> op = ops.get(e.getKey());
      assertThat(op.get("operationId")).as("operationId of " + e.getKey()).isEqualTo(e.getValue());
      assertThat(op.get("x-status")).as(e.getKey() + " is implemented, not planned").isNull();
      assertThat(op.get("summary")).as("summary of " + e.getKey()).isNotNull();
      assertThat(map(op, "responses")).as("responses of " + e.getKey()).isNotEmpty();
    }
  }

  @Test
  void everyOtherOperationIsMarkedPlanned() {
    operations().forEach((key, op) -> {
      if (!IMPLEMENTED.containsKey(key)) {
        assertThat(op.get("x-status")).as(key + " is not mounted, so it must be x-status: planned")
            .isEqualTo("planned");
      }
    });
  }

  @Test
  void operationIdsAreUnique() {
    List<String> ids = new ArrayList<>();
    operations().values().forEach(op -> ids.add(String.valueOf(op.get("operationId"))));
    assertThat(ids).doesNotContain("null").doesNotHaveDuplicates();
  }

  @Test
  void everyRefResolves() {
    List<String> refs = new ArrayList<>();
    collectRefs(doc, refs);
    assertThat(refs).isNotEmpty();
    for (String ref : refs) {
      assertThat(ref).as("local reference").startsWith("#/");
      Object target = doc;
      for (String part : ref.substring(2).split("/")) {
        String name = part.replace("~1", "/").replace("~0", "~");
        assertThat(target).as(ref).isInstanceOf(Map.class);
        assertThat(cast(target)).as("$ref " + ref).containsKey(name);
        target = cast(target).get(name);
      }
    }
  }

  @Test
  void serviceEndpointsNeedNoKeyAndEverythingElseUsesBearer() {
    assertThat(map(map(doc, "components"), "securitySchemes")).containsKey("bearer");
    assertThat((List<?>) doc.get("security")).isNotEmpty();
    for (String open : List.of("get /health", "get /ready", "get /openapi.yaml", "get /presigned/{key}",
        "put /presigned/{key}")) {
      assertThat((List<?>) operations().get(open).get("security")).as(open).isEmpty();
    }
  }

  @Test
  void errorStatusesReferTheErrorSchema() {
    Map<String, Object> responses = map(map(doc, "components"), "responses");
    Set<String> seen = new HashSet<>();
    responses.values().forEach(r -> {
      Object schema = map(map(map(cast(r), "content"), "application/json"), "schema").get("$ref");
      seen.add(String.valueOf(schema));
    });
    assertThat(seen).containsExactly("#/components/schemas/Error");
    Map<String, Object> error = map(map(map(doc, "components"), "schemas"), "Error");
    assertThat(map(map(error, "properties"), "error").get("required")).isEqualTo(List.of("code", "message", "details"));
  }

  /** "method path" → operation object. */
  private static Map<String, Map<String, Object>> operations() {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    map(doc, "paths").forEach((path, item) -> cast(item).forEach((method, op) -> {
      if (METHODS.contains(method)) {
        out.put(method + " " + path, cast(op));
      }
    }));
    return out;
  }

  private static void collectRefs(Object node, List<String> refs) {
    if (node instanceof Map<?, ?> m) {
      m.forEach((k, v) -> {
        if ("$ref".equals(k)) {
          refs.add(String.valueOf(v));
        } else {
          collectRefs(v, refs);
        }
      });
    } else if (node instanceof List<?> l) {
      l.forEach(v -> collectRefs(v, refs));
    }
  }

  private static Map<String, Object> map(Map<String, Object> m, String key) {
    Object v = m.get(key);
    assertThat(v).as(key).isInstanceOf(Map.class);
    return cast(v);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Object o) { return (Map<String, Object>) o; }
}
