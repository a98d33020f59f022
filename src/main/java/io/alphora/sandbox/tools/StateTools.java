package io.alphora.sandbox.tools;

import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxInfo;
import io.alphora.sandbox.SandboxStatus;
import io.alphora.sandbox.ToolResult;
import io.alphora.sandbox.bus.Json;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Environment variables (the sandbox's own: the service's environment is never consulted), status,
 * usage and reset. {@code reset_sandbox} really resets: fresh workspace, environment and packages,
 * same id (the seed only restarted, keeping files and packages).
 */
final class StateTools {
  private StateTools() {}

  static Future<ToolResult> setEnv(Sandbox sb, ToolArgs a) {
    String key = a.string("key");
    return sb.setEnvVar(key, a.string("value")).map(v -> ToolResult.ok("Set " + key));
  }

  /** The value, or {@code null} output when the sandbox has no such variable (as in the seed). */
  static Future<ToolResult> getEnv(Sandbox sb, ToolArgs a) { return sb.getEnvVar(a.string("key")).map(ToolResult::ok); }

  static Future<ToolResult> status(Sandbox sb, ToolArgs a) { return sb.info().map(i -> ToolResult.ok(status(i))); }

  /** The seed's {@code Sandbox.get_status()} keys, from our SandboxInfo. */
  static Map<String, Object> status(SandboxInfo i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sandbox_id", i.sandboxId());
    m.put("name", i.name());
    m.put("status", i.status().value());
    m.put("backend_type", i.backendType().value());
    m.put("is_running", i.status() == SandboxStatus.RUNNING);
    m.put("workspace_path", i.workspacePath());
    m.put("created_at", Json.formatTime(i.createdAt()));
    m.put("started_at", Json.formatTime(i.startedAt()));
    m.put("execution_count", i.executionCount());
    return m;
  }

  static Future<ToolResult> usage(Sandbox sb, ToolArgs a) { return sb.usage().map(u -> ToolResult.ok(Json.toPlain(u))); }

  static Future<ToolResult> reset(Sandbox sb, ToolArgs a) {
    return sb.reset().map(i -> ToolResult.ok("Sandbox reset successfully"));
  }
}
