package io.alphora.sandbox.tools;

import io.alphora.sandbox.ExecRequest;
import io.alphora.sandbox.ExecutionResult;
import io.alphora.sandbox.ExecutionStatus;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.ToolResult;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code run_python_code}, {@code run_python_file}, {@code run_shell_command}. All three answer the
 * same shape (the seed gave {@code return_code} to the first only): {@code output} = stdout,
 * {@code error} = stderr plus the reason a run was ended (timeout, output limit, …),
 * {@code execution_time}, {@code return_code} ({@code -1} when the run was ended), {@code timed_out}.
 * Without {@code timeout} a run gets the sandbox's {@code resource_limits.timeout_seconds}; a longer
 * one is capped at it.
 */
final class RunTools {
  private RunTools() {}

  static Future<ToolResult> pythonCode(Sandbox sb, ToolArgs a) {
    return run(sb, ExecRequest.python(a.string("code")), a);
  }

  static Future<ToolResult> pythonFile(Sandbox sb, ToolArgs a) {
    return run(sb, ExecRequest.pythonFile(a.string("file_path"), a.strings("args")), a);
  }

  static Future<ToolResult> shellCommand(Sandbox sb, ToolArgs a) {
    return run(sb, ExecRequest.shell(a.string("command")), a);
  }

  private static Future<ToolResult> run(Sandbox sb, ExecRequest request, ToolArgs a) {
    Integer timeout = a.integer("timeout");
    return sb.execute(timeout == null ? request : request.withTimeout(timeout)).map(RunTools::envelope);
  }

  static ToolResult envelope(ExecutionResult r) {
    String error = r.stderr() == null ? "" : r.stderr();
    if (r.error() != null) {
      // the seed reported a timeout only as stderr "Timeout after Ns"; say why the run ended, after its stderr
      error = error.isEmpty() ? r.error() : error + (error.endsWith("\n") ? "" : "\n") + r.error();
    }
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("execution_time", r.executionTime());
    extra.put("return_code", r.returnCode());
    extra.put("timed_out", r.status() == ExecutionStatus.TIMEOUT);
    return new ToolResult(r.success(), r.stdout() == null ? "" : r.stdout(), error, extra);
  }
}
