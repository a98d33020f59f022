package io.alphora.sandbox.api.mcp;

import io.vertx.core.json.JsonObject;

/** JSON-RPC 2.0 messages and error codes as MCP uses them. */
final class JsonRpc {
  static final int PARSE_ERROR = -32700;
  static final int INVALID_REQUEST = -32600;
  static final int METHOD_NOT_FOUND = -32601;
  static final int INVALID_PARAMS = -32602;
  static final int INTERNAL_ERROR = -32603;
  /** Server-defined (-32000..-32099): the {@code Mcp-Session-Id} is unknown or has expired. */
  static final int SESSION_NOT_FOUND = -32001;

  private JsonRpc() {}

  static JsonObject result(Object id, JsonObject result) {
    return new JsonObject().put("jsonrpc", "2.0").put("id", id).put("result", result);
  }

  /** {@code id} is null when the request's id could not be read (parse errors, batches). */
  static JsonObject error(Object id, int code, String message) {
    return new JsonObject().put("jsonrpc", "2.0").put("id", id)
        .put("error", new JsonObject().put("code", code).put("message", message));
  }

  /** A method that answers a JSON-RPC error instead of a result. */
  static final class Failure extends RuntimeException {
    final int code;

    Failure(int code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }
}
