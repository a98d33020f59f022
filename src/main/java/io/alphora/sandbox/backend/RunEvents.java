package io.alphora.sandbox.backend;

import io.alphora.sandbox.ExecutionResult;
import io.alphora.sandbox.bus.Json;
import io.vertx.core.json.JsonObject;

/** The JSON events of a run, as published on its address and forwarded by WebSocket and SSE. */
public final class RunEvents {
  public static final String START = "start";
  public static final String STDOUT = "stdout";
  public static final String STDERR = "stderr";
  public static final String EXIT = "exit";

  private RunEvents() {}

  public static JsonObject start(String execId, long seq, String requestId) {
    JsonObject e = new JsonObject().put("type", START).put("exec_id", execId).put("seq", seq);
    if (requestId != null) {
      e.put("request_id", requestId);
    }
    return e;
  }

  public static JsonObject output(String execId, long seq, int fd, String data) {
    return new JsonObject().put("type", fd == 2 ? STDERR : STDOUT).put("exec_id", execId).put("seq", seq)
        .put("data", data);
  }

  public static JsonObject exit(String execId, long seq, ExecutionResult result) {
    return new JsonObject().put("type", EXIT).put("exec_id", execId).put("seq", seq)
        .put("result", Json.toJson(result));
  }
}
