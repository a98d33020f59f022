package io.alphora.sandbox.tools;

import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.ToolResult;
import io.alphora.sandbox.bus.BusErrors;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Executes catalog tools on one sandbox: look up, validate the arguments against the tool's schema,
 * call the handler, turn any failure into the seed's {@code {success:false, output:<default>,
 * error:<message>}}, then shorten what is too long for a model ({@link OutputLimiter}). The returned
 * future never fails.
 */
public final class ToolRunner {
  private final Sandbox sandbox;
  private final OutputLimiter limiter;

  /** {@code maxOutputChars}: the longest output or error (in characters) a result carries whole. */
  public ToolRunner(Sandbox sandbox, int maxOutputChars) {
    this.sandbox = sandbox;
    this.limiter = new OutputLimiter(sandbox, maxOutputChars);
  }

  public Sandbox sandbox() { return sandbox; }

  /** Runs a tool; {@code arguments} may be null (no arguments). */
  public Future<ToolResult> execute(String name, Map<String, ?> arguments) {
    Tool tool = ToolCatalog.find(name);
    if (tool == null) {
      return Future.succeededFuture(unknownTool(name));
    }
    JsonObject args = arguments == null ? new JsonObject() : new JsonObject(new LinkedHashMap<>(arguments));
    List<String> problems = ArgsValidator.problems(tool.validation(), args);
    if (!problems.isEmpty()) {
      return Future.succeededFuture(invalid(tool, String.join("; ", problems)));
    }
    Future<ToolResult> f;
    try {
      f = tool.handler().call(sandbox, new ToolArgs(args));
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    // a read_file result needs no copy of its full text: the file it read is that text
    String fileRead = tool.name().equals("read_file") ? args.getString("path") : null;
    return f.recover(t -> Future.succeededFuture(
            ToolResult.failure(BusErrors.toSandboxException(t).getMessage(), tool.failureOutput())))
        .compose(r -> limiter.limit(tool.name(), fileRead, r))
        .recover(t -> Future.succeededFuture(
            ToolResult.failure(BusErrors.toSandboxException(t).getMessage(), tool.failureOutput())));
  }

  /**
   * The envelope for arguments that never reached validation (not a JSON object, not parseable):
   * {@code Invalid parameters: <problem>} plus the tool's signature, or the unknown-tool envelope.
   */
  public static ToolResult invalidArguments(String name, String problem) {
    Tool tool = ToolCatalog.find(name);
    return tool == null ? unknownTool(name) : invalid(tool, problem);
  }

  private static ToolResult invalid(Tool tool, String problem) {
    return ToolResult.failure("Invalid parameters: " + problem + ". Expected: "
        + ArgsValidator.signature(tool.name(), tool.parameters()), tool.failureOutput());
  }

  private static ToolResult unknownTool(String name) {
    return ToolResult.failure("Unknown tool: " + name + ". Available tools: "
        + String.join(", ", ToolDefinitions.names()), null);
  }
}
