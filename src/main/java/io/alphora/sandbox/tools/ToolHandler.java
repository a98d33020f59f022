package io.alphora.sandbox.tools;

import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.ToolResult;
import io.vertx.core.Future;

/** What a tool does with already validated arguments; failures are turned into envelopes by the runner. */
@FunctionalInterface
interface ToolHandler {
  Future<ToolResult> call(Sandbox sandbox, ToolArgs args);
}
