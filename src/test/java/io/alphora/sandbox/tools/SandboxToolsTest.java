package io.alphora.sandbox.tools;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.BackendType;
import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.ExecRequest;
import io.alphora.sandbox.ExecutionResult;
import io.alphora.sandbox.ExecutionStatus;
import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SandboxInfo;
import io.alphora.sandbox.SandboxStatus;
import io.alphora.sandbox.SandboxTools;
import io.alphora.sandbox.SecurityPolicy;
import io.alphora.sandbox.ToolResult;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tool layer over a recording fake sandbox: validation, envelopes, failures. */
class SandboxToolsTest {
  final FakeSandbox fake = new FakeSandbox();
  final SandboxTools tools = new SandboxTools(fake.sandbox());

  ToolResult call(String tool, Map<String, ?> args) { return await(tools.executeTool(tool, args)); }

  static ExecutionResult exec(boolean ok, ExecutionStatus status, String out, String err, int code, String error) {
    return new ExecutionResult("exe_1", ok, status, out, err, code, 0.25, error,
        status == ExecutionStatus.TIMEOUT ? "TimeoutError" : null, false, null, null);
  }

  @Test
  void unknownToolKeepsTheSeedsWordingAndListsTheTools() {
    ToolResult r = call("nope", Map.of());
    assertThat(r.success()).isFalse();
    assertThat(r.output()).isNull();
    assertThat(r.error()).startsWith("Unknown tool: nope. Available tools: run_python_code, ");
    assertThat(fake.calls).isEmpty();
  }

  @Test
  void invalidArgumentsNameTheFieldTheTypeAndTheSignatureBeforeAnyCall() {
    ToolResult r = call("run_python_code", Map.of("codez", "1", "timeout", "abc"));
    assertThat(r.success()).isFalse();
    assertThat(r.error()).isEqualTo("Invalid parameters: unknown parameter 'codez'; missing required parameter "
        + "'code' (string); 'timeout' must be an integer, got string \"abc\". "
        + "Expected: run_python_code(code: string, timeout?: integer)");
    assertThat(call("run_python_file", Map.of("file_path", "a.py", "args", List.of("x", 3))).error())
        .contains("'args[1]' must be a string, got number 3")
        .contains("run_python_file(file_path: string, args?: array of strings, timeout?: integer)");
    assertThat(call("list_files", Map.of("recursive", "yes")).error())
        .contains("'recursive' must be a boolean, got string \"yes\"");
    assertThat(call("list_files", Map.of("recursive", "yes")).output()).isEqualTo(List.of());
    assertThat(call("install_pip_packages", Map.of("packages", "requests")).error())
        .contains("'packages' must be an array of strings, got string \"requests\"");
    assertThat(call("save_file", Map.of("path", 7, "content", Map.of())).error())
        .contains("'path' must be a string, got number 7").contains("'content' must be a string, got an object");
    assertThat(call("file_exists", Map.of()).output()).isEqualTo(false);
    assertThat(fake.calls).isEmpty();
  }

  @Test
  void timeoutMustBeAPositiveIntegerAndDefaultsToTheSandboxLimit() {
    for (Object bad : List.of(0, -5, 1.5, 1L << 40, "5", true)) {
      ToolResult r = call("run_python_code", Map.of("code", "1", "timeout", bad));
      assertThat(r.success()).as("timeout " + bad).isFalse();
      assertThat(r.error()).as("timeout " + bad).startsWith("Invalid parameters: 'timeout' must be");
    }
    assertThat(call("run_shell_command", Map.of("command", "x", "timeout", 0)).error())
        .contains("omit it to use the sandbox's resource_limits.timeout_seconds");
    assertThat(fake.calls).isEmpty();

    fake.answer("execute", exec(true, ExecutionStatus.SUCCESS, "", "", 0, null));
    call("run_python_code", Map.of("code", "1", "timeout", 2.0)); // 2.0 is an integer in JSON Schema
    call("run_python_code", Map.of("code", "1"));
    assertThat(((ExecRequest) fake.calls.get(0).args()[0]).timeout()).isEqualTo(2.0);
    assertThat(((ExecRequest) fake.calls.get(1).args()[0]).timeout()).as("no hard 60: the sandbox decides").isNull();
  }

  @Test
  void nullMeansAbsentForOptionalParametersAndMissingForRequiredOnes() {
    Map<String, Object> args = new HashMap<>();
    args.put("package", "tinypkg");
    args.put("version", null);
    fake.answer("installPackage", exec(true, ExecutionStatus.SUCCESS, "Successfully installed", "", 0, null));
    assertThat(call("install_pip_package", args).success()).isTrue();
    assertThat(fake.only("installPackage").args()).containsExactly("tinypkg", null);
    args.put("package", null);
    assertThat(call("install_pip_package", args).error()).startsWith("Invalid parameters: missing required parameter "
        + "'package' (string)");
    assertThat(call("run_python_code", null).error()).contains("missing required parameter 'code'");
    assertThat(await(tools.runPythonCode(null)).error()).contains("missing required parameter 'code'");
  }

  @Test
  void runToolsAnswerOneShapeWithReturnCodeAndTimedOut() {
    fake.answer("execute", exec(true, ExecutionStatus.SUCCESS, "42\n", "", 0, null));
    for (String tool : List.of("run_python_code", "run_python_file", "run_shell_command")) {
      Map<String, Object> args = Map.of(tool.equals("run_python_code") ? "code" : tool.equals("run_python_file")
          ? "file_path" : "command", "x");
      assertThat(call(tool, args).toMap()).as(tool).containsExactly(Map.entry("success", true),
          Map.entry("output", "42\n"), Map.entry("error", ""), Map.entry("execution_time", 0.25),
          Map.entry("return_code", 0), Map.entry("timed_out", false));
    }
    fake.answer("execute", exec(false, ExecutionStatus.FAILED, "", "Traceback…\nValueError: x\n", 1, null));
    ToolResult failed = call("run_python_code", Map.of("code", "raise ValueError('x')"));
    assertThat(failed.success()).isFalse();
    assertThat(failed.error()).isEqualTo("Traceback…\nValueError: x\n");
    assertThat(failed.extra()).containsEntry("return_code", 1).containsEntry("timed_out", false);

    fake.answer("execute", exec(false, ExecutionStatus.TIMEOUT, "partial\n", "warn", -1,
        "Execution timed out after 1 seconds"));
    ToolResult timedOut = call("run_shell_command", Map.of("command", "sleep 9", "timeout", 1));
    assertThat(timedOut.output()).isEqualTo("partial\n");
    assertThat(timedOut.error()).isEqualTo("warn\nExecution timed out after 1 seconds");
    assertThat(timedOut.extra()).containsEntry("return_code", -1).containsEntry("timed_out", true);
  }

  @Test
  void runPythonFilePassesItsArguments() {
    fake.answer("execute", exec(true, ExecutionStatus.SUCCESS, "", "", 0, null));
    await(tools.runPythonFile("s.py", List.of("a b", "c"), null));
    ExecRequest req = (ExecRequest) fake.only("execute").args()[0];
    assertThat(req.file()).isEqualTo("s.py");
    assertThat(req.args()).containsExactly("a b", "c");
  }

  @Test
  void deleteFileOnAMissingPathFailsClearly() {
    fake.answer("deleteFile", a -> Future.succeededFuture(!a[0].equals("zz")));
    assertThat(call("delete_file", Map.of("path", "zz")).toMap()).containsEntry("success", false)
        .containsEntry("output", null).hasEntrySatisfying("error", e -> assertThat((String) e)
            .startsWith("File not found: zz (nothing was deleted"));
    assertThat(call("delete_file", Map.of("path", "a.txt")).toMap())
        .containsExactly(Map.entry("success", true), Map.entry("output", "Deleted: a.txt"), Map.entry("error", ""));
  }

  @Test
  void failuresBecomeEnvelopesWithEachToolsDefaultOutput() {
    SandboxException notRunning = new SandboxException.SandboxStateException(ErrorCode.SANDBOX_NOT_RUNNING,
        "sandbox 'sbx_fake' is not running: start it first", Map.of());
    for (String m : List.of("listFiles", "fileExists", "info", "usage", "readFile", "listPackages")) {
      fake.answer(m, a -> Future.failedFuture(notRunning));
    }
    assertThat(call("list_files", Map.of()).toMap()).containsExactly(Map.entry("success", false),
        Map.entry("output", List.of()), Map.entry("error", "sandbox 'sbx_fake' is not running: start it first"));
    assertThat(call("file_exists", Map.of("path", "a")).output()).isEqualTo(false);
    assertThat(call("get_sandbox_status", Map.of()).output()).isEqualTo(Map.of());
    assertThat(call("get_resource_usage", Map.of()).output()).isEqualTo(Map.of());
    assertThat(call("read_file", Map.of("path", "a")).output()).isNull();
    assertThat(call("list_installed_packages", Map.of()).output()).isEqualTo(List.of());
    fake.answer("getEnvVar", a -> {
      throw new IllegalStateException("boom"); // a handler that throws instead of failing its future
    });
    ToolResult thrown = call("get_environment_variable", Map.of("key", "A"));
    assertThat(thrown.success()).isFalse();
    assertThat(thrown.error()).contains("boom");
  }

  @Test
  void pipFailuresAnswerPipsOwnOutputAsTheSeedDid() {
    fake.answer("installPackages", a -> Future.failedFuture(new SandboxException.PackageException(
        ErrorCode.PACKAGE_INSTALL_FAILED, "pip could not install nopkg: ERROR: No matching distribution",
        Map.of("stdout", "Looking in links: /w\n", "stderr", "ERROR: No matching distribution found for nopkg\n"))));
    assertThat(call("install_pip_packages", Map.of("packages", List.of("nopkg"))).toMap()).containsExactly(
        Map.entry("success", false), Map.entry("output", "Looking in links: /w\n"),
        Map.entry("error", "ERROR: No matching distribution found for nopkg\n"));
    assertThat(fake.only("installPackages").args()).containsExactly(List.of("nopkg"), false);
  }

  @Test
  void stateToolsUseTheSandboxItselfAndKeepTheSeedsStatusKeys() {
    Instant t = Instant.parse("2026-11-28T10:00:00Z");
    fake.answer("info", new SandboxInfo("sbx_fake", "w1", SandboxStatus.RUNNING, BackendType.LOCAL, null, "/w", t, t,
        null, t, ResourceLimits.standard(), SecurityPolicy.permissive(), 3, 0, 0, Map.of(), "n1", null, "none", null));
    @SuppressWarnings("unchecked")
    Map<String, Object> status = (Map<String, Object>) call("get_sandbox_status", Map.of()).output();
    assertThat(status.keySet()).containsExactly("sandbox_id",
        "name", "status", "backend_type", "is_running", "workspace_path", "created_at", "started_at", "execution_count");
    assertThat(status).containsEntry("is_running", true)
        .containsEntry("created_at", "2026-11-28T10:00:00.000Z").containsEntry("execution_count", 3L);
    fake.answer("getEnvVar", (Object) null);
    assertThat(call("get_environment_variable", Map.of("key", "HOME")).toMap())
        .containsOnlyKeys("success", "output", "error").containsEntry("success", true).containsEntry("output", null)
        .containsEntry("error", "");
    fake.answer("reset", (Object) null);
    assertThat(await(tools.resetSandbox()).output()).isEqualTo("Sandbox reset successfully");
    assertThat(fake.methods()).contains("reset").doesNotContain("restart");
    fake.answer("setEnvVar", (Object) null);
    assertThat(await(tools.setEnvironmentVariable("A", "1")).output()).isEqualTo("Set A");
    assertThat(fake.only("setEnvVar").args()).containsExactly("A", "1");
  }
}
