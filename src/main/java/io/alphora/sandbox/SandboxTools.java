package io.alphora.sandbox;

import io.alphora.sandbox.tools.ToolDefinitions;
import io.alphora.sandbox.tools.ToolRunner;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed's {@code SandboxTools}: the 20 agent tools over one {@link Sandbox}, with the seed's names,
 * parameters and result envelopes ({@link ToolResult}), so an agent written for the original works
 * unchanged. What differs, on purpose:
 * <ul>
 *   <li>arguments are validated against each tool's schema (types, required, no unknown keys) and a
 *       bad call answers {@code Invalid parameters: …} naming the parameter and the expected type;</li>
 *   <li>the three run tools answer the same fields ({@code execution_time}, {@code return_code},
 *       {@code timed_out}); without {@code timeout} a run gets the sandbox's
 *       {@code resource_limits.timeout_seconds} (the seed always used 60), and {@code timeout <= 0} is
 *       invalid;</li>
 *   <li>{@code delete_file} on a missing path fails; {@code reset_sandbox} really resets;</li>
 *   <li>an {@code output} or {@code error} longer than {@link #DEFAULT_MAX_OUTPUT_CHARS} characters is
 *       shortened with a marker and saved whole under {@code .tool_outputs/} in the workspace
 *       ({@code truncated}, {@code full_output_path}, {@code full_error_path}).</li>
 * </ul>
 * Each method also validates its arguments, so the Java methods and {@link #executeTool} behave the
 * same. No returned future fails: every failure is a {@code success:false} envelope.
 */
public final class SandboxTools {
  /** The longest {@code output} / {@code error} a result carries whole, in characters. */
  public static final int DEFAULT_MAX_OUTPUT_CHARS = 20_000;

  private final ToolRunner runner;

  public SandboxTools(Sandbox sandbox) { this(sandbox, DEFAULT_MAX_OUTPUT_CHARS); }

  /** {@code maxOutputChars} (at least 100) replaces {@link #DEFAULT_MAX_OUTPUT_CHARS}. */
  public SandboxTools(Sandbox sandbox, int maxOutputChars) { this.runner = new ToolRunner(sandbox, maxOutputChars); }

  public Sandbox sandbox() { return runner.sandbox(); }

  /** The seed's {@code execute_tool(name, parameters)}: an unknown name answers {@code Unknown tool: …}. */
  public Future<ToolResult> executeTool(String name, Map<String, ?> arguments) { return runner.execute(name, arguments); }

  // definitions (static: they do not depend on a sandbox; the instance forms are the seed's)

  /** The 20 tools in {@code format}, registry order; a fresh deep copy on every call. */
  public static List<Map<String, Object>> definitions(ToolFormat format) { return ToolDefinitions.render(format); }

  /** The 20 tool names in registry order. */
  public static List<String> toolNames() { return ToolDefinitions.names(); }

  public List<String> getAvailableTools() { return toolNames(); }

  /** The seed's {@code TOOL_DEFINITIONS}: name → {@code {name, description, parameters}}, deep copies. */
  public Map<String, Map<String, Object>> getToolDefinitions() { return ToolDefinitions.byName(); }

  public List<Map<String, Object>> getOpenAiTools() { return definitions(ToolFormat.OPENAI); }

  public List<Map<String, Object>> getAnthropicTools() { return definitions(ToolFormat.ANTHROPIC); }

  public List<Map<String, Object>> getMcpTools() { return definitions(ToolFormat.MCP); }

  // runs; timeout null = the sandbox's resource_limits.timeout_seconds

  public Future<ToolResult> runPythonCode(String code) { return runPythonCode(code, null); }

  public Future<ToolResult> runPythonCode(String code, Integer timeout) {
    return call("run_python_code", "code", code, "timeout", timeout);
  }

  public Future<ToolResult> runPythonFile(String filePath, List<String> args, Integer timeout) {
    return call("run_python_file", "file_path", filePath, "args", args, "timeout", timeout);
  }

  public Future<ToolResult> runShellCommand(String command) { return runShellCommand(command, null); }

  public Future<ToolResult> runShellCommand(String command, Integer timeout) {
    return call("run_shell_command", "command", command, "timeout", timeout);
  }

  // files

  public Future<ToolResult> saveFile(String path, String content) {
    return call("save_file", "path", path, "content", content);
  }

  public Future<ToolResult> readFile(String path) { return call("read_file", "path", path); }

  public Future<ToolResult> deleteFile(String path) { return call("delete_file", "path", path); }

  public Future<ToolResult> listFiles() { return listFiles("", false); }

  public Future<ToolResult> listFiles(String path, boolean recursive) {
    return call("list_files", "path", path, "recursive", recursive);
  }

  public Future<ToolResult> fileExists(String path) { return call("file_exists", "path", path); }

  public Future<ToolResult> copyFile(String source, String dest) {
    return call("copy_file", "source", source, "dest", dest);
  }

  public Future<ToolResult> moveFile(String source, String dest) {
    return call("move_file", "source", source, "dest", dest);
  }

  // packages

  /** {@code version} may be null (the newest available). */
  public Future<ToolResult> installPipPackage(String pkg, String version) {
    return call("install_pip_package", "package", pkg, "version", version);
  }

  public Future<ToolResult> installPipPackages(List<String> packages) {
    return call("install_pip_packages", "packages", packages);
  }

  public Future<ToolResult> uninstallPipPackage(String pkg) { return call("uninstall_pip_package", "package", pkg); }

  public Future<ToolResult> listInstalledPackages() { return call("list_installed_packages"); }

  public Future<ToolResult> checkPackageInstalled(String pkg) {
    return call("check_package_installed", "package", pkg);
  }

  // environment and state

  public Future<ToolResult> setEnvironmentVariable(String key, String value) {
    return call("set_environment_variable", "key", key, "value", value);
  }

  /** The sandbox's own variable; {@code output} is null when it is not set. */
  public Future<ToolResult> getEnvironmentVariable(String key) { return call("get_environment_variable", "key", key); }

  public Future<ToolResult> getSandboxStatus() { return call("get_sandbox_status"); }

  public Future<ToolResult> getResourceUsage() { return call("get_resource_usage"); }

  /** Fresh workspace, environment and packages, same id. */
  public Future<ToolResult> resetSandbox() { return call("reset_sandbox"); }

  /** Pairs of name, value; a null value is left out (the parameter's default applies). */
  private Future<ToolResult> call(String tool, Object... pairs) {
    Map<String, Object> args = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i + 1] != null) {
        args.put((String) pairs[i], pairs[i + 1]);
      }
    }
    return runner.execute(tool, args);
  }
}
