package io.alphora.sandbox.api.mcp;

import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxTools;
import io.alphora.sandbox.ToolFormat;
import io.alphora.sandbox.ToolResult;
import io.alphora.sandbox.bus.BusErrors;
import io.alphora.sandbox.impl.BusSandbox;
import io.alphora.sandbox.tools.ToolRunner;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The MCP methods this server implements once a session exists: {@code ping}, {@code tools/list},
 * {@code tools/call}; plus the {@code initialize} result. Following the MCP spec, an unknown tool is a
 * JSON-RPC error ({@code -32602}) while a tool that fails, including on invalid arguments, answers a
 * result with {@code isError: true}: the model reads that one and can correct its call.
 */
final class McpMethods {
  /** Newest first; {@code initialize} answers the client's version when it is listed, else the first. */
  static final List<String> PROTOCOL_VERSIONS = List.of("2025-06-18", "2025-03-26");
  static final String SERVER_NAME = "alphora-sandbox";
  static final String SERVER_VERSION = "0.1.0";
  private static final String SANDBOX_ID_HELP = "Id of an existing sandbox to use. Omit it to use this MCP "
      + "session's own sandbox (created on first use, destroyed when the session ends).";

  private McpMethods() {}

  static String negotiate(String requested) {
    return PROTOCOL_VERSIONS.contains(requested) ? requested : PROTOCOL_VERSIONS.get(0);
  }

  static JsonObject initializeResult(String version) {
    return new JsonObject().put("protocolVersion", version)
        .put("capabilities", new JsonObject().put("tools", new JsonObject().put("listChanged", false)))
        .put("serverInfo", new JsonObject().put("name", SERVER_NAME).put("version", SERVER_VERSION))
        .put("instructions", "Code-execution sandboxes: run Python and shell commands, manage workspace files, "
            + "pip packages and environment variables. Every tool takes an optional sandbox_id; without it the "
            + "tools act on a sandbox of this session, created on first use and destroyed when the session ends.");
  }

  /** A session's request; the future fails with {@link JsonRpc.Failure} for a JSON-RPC error. */
  static Future<JsonObject> call(McpSession session, String method, JsonObject params) {
    return switch (method) {
      case "ping" -> Future.succeededFuture(new JsonObject());
      case "tools/list" -> Future.succeededFuture(new JsonObject().put("tools", new JsonArray(tools())));
      case "tools/call" -> callTool(session, params);
      default -> Future.failedFuture(new JsonRpc.Failure(JsonRpc.METHOD_NOT_FOUND, "Method not found: " + method
          + " (this server implements initialize, ping, tools/list and tools/call)"));
    };
  }

  /** The MCP rendering, each schema with the optional {@code sandbox_id} added. */
  static List<Map<String, Object>> tools() {
    List<Map<String, Object>> tools = SandboxTools.definitions(ToolFormat.MCP);
    for (Map<String, Object> t : tools) {
      @SuppressWarnings("unchecked")
      Map<String, Object> props = (Map<String, Object>) ((Map<String, Object>) t.get("inputSchema")).get("properties");
      Map<String, Object> sandboxId = new LinkedHashMap<>();
      sandboxId.put("type", "string");
      sandboxId.put("description", SANDBOX_ID_HELP);
      props.put("sandbox_id", sandboxId);
    }
    return tools;
  }

  private static Future<JsonObject> callTool(McpSession session, JsonObject params) {
    if (!(params.getValue("name") instanceof String name)) {
      throw new JsonRpc.Failure(JsonRpc.INVALID_PARAMS, "tools/call needs params.name, the tool's name");
    }
    if (!SandboxTools.toolNames().contains(name)) {
      throw new JsonRpc.Failure(JsonRpc.INVALID_PARAMS, "Unknown tool: " + name);
    }
    Object rawArgs = params.getValue("arguments");
    if (rawArgs != null && !(rawArgs instanceof JsonObject)) {
      return Future.succeededFuture(result(session,
          ToolRunner.invalidArguments(name, "'arguments' must be an object")));
    }
    JsonObject args = rawArgs == null ? new JsonObject() : ((JsonObject) rawArgs).copy();
    Object sid = args.remove("sandbox_id");
    if (sid != null && !(sid instanceof String)) {
      return Future.succeededFuture(result(session,
          ToolRunner.invalidArguments(name, "'sandbox_id' must be a string")));
    }
    // models fill optional strings with "": that means "no sandbox named", i.e. the session's own
    Future<Sandbox> sandbox = sid == null || ((String) sid).isEmpty() ? session.sandbox()
        : Future.succeededFuture(new BusSandbox(session.bus, (String) sid));
    return sandbox
        .compose(s -> new SandboxTools(s).executeTool(name, args.getMap()),
            t -> Future.succeededFuture(ToolResult.failure("could not create this session's sandbox: "
                + BusErrors.toSandboxException(t).getMessage(), null)))
        .map(r -> result(session, r));
  }

  /** The envelope as text content (for every client) and as structured content (2025-06-18 on). */
  static JsonObject result(McpSession session, ToolResult r) {
    JsonObject out = new JsonObject()
        .put("content", new JsonArray().add(new JsonObject().put("type", "text").put("text", r.toJson())));
    if (session.protocolVersion.compareTo("2025-06-18") >= 0) {
      out.put("structuredContent", new JsonObject(r.toMap()));
    }
    return out.put("isError", !r.success());
  }
}
