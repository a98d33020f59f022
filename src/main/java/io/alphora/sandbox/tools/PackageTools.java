package io.alphora.sandbox.tools;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.ExecutionResult;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.ToolResult;
import io.alphora.sandbox.bus.Json;
import io.vertx.core.Future;

/**
 * pip tools, installing into the sandbox only. As in the seed, install and uninstall answer
 * {@code {success, output: pip's stdout, error: pip's stderr}}, also when pip fails.
 */
final class PackageTools {
  private PackageTools() {}

  static Future<ToolResult> install(Sandbox sb, ToolArgs a) {
    return pip(sb.installPackage(a.string("package"), a.string("version")));
  }

  static Future<ToolResult> installMany(Sandbox sb, ToolArgs a) {
    return pip(sb.installPackages(a.strings("packages"), false));
  }

  static Future<ToolResult> uninstall(Sandbox sb, ToolArgs a) { return pip(sb.uninstallPackage(a.string("package"))); }

  static Future<ToolResult> list(Sandbox sb, ToolArgs a) {
    return sb.listPackages().map(p -> ToolResult.ok(Json.toPlain(p)));
  }

  static Future<ToolResult> installed(Sandbox sb, ToolArgs a) {
    return sb.packageInstalled(a.string("package")).map(ToolResult::ok);
  }

  private static Future<ToolResult> pip(Future<ExecutionResult> run) {
    return run.map(r -> new ToolResult(r.success(), r.stdout(), r.stderr(), null)).recover(t -> {
      // the Java API fails a pip run that went wrong; the seed's tools answered with pip's own output
      if (t instanceof SandboxException e && e.code() == ErrorCode.PACKAGE_INSTALL_FAILED) {
        Object stderr = e.details().get("stderr");
        String error = stderr instanceof String s && !s.isBlank() ? s : e.getMessage();
        return Future.succeededFuture(new ToolResult(false, e.details().get("stdout"), error, null));
      }
      return Future.failedFuture(t);
    });
  }
}
