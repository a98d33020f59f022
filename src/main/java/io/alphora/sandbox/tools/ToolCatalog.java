package io.alphora.sandbox.tools;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The 20 agent tools of the seed's {@code SandboxTools}, each defined once: name, description and
 * JSON-schema parameters verbatim from the seed's {@code TOOL_DEFINITIONS} (registry order), the
 * {@code output} a failure carries (the seed's per-tool default) and the handler that calls the Java
 * API. Every rendering ({@link ToolDefinitions}) and every execution ({@link ToolRunner}) reads this list.
 */
final class ToolCatalog {
  /** In the seed's registry order: renderings and {@code getAvailableTools()} keep it. */
  static final List<Tool> TOOLS = List.of(
      tool("run_python_code",
          "Execute Python code in an isolated sandbox environment. Use this to run Python scripts, perform "
              + "calculations, data analysis, or test code.",
          """
          {"type": "object", "properties": {
            "code": {"type": "string", "description": "The Python code to execute"},
            "timeout": {"type": "integer", "description": "Maximum execution time in seconds", "default": 60}},
           "required": ["code"]}""",
          null, RunTools::pythonCode),
      tool("run_python_file",
          "Execute a Python file that exists in the sandbox workspace.",
          """
          {"type": "object", "properties": {
            "file_path": {"type": "string", "description": "Path to the Python file to execute"},
            "args": {"type": "array", "items": {"type": "string"}, "description": "Command line arguments to pass to the script"},
            "timeout": {"type": "integer", "description": "Maximum execution time in seconds", "default": 60}},
           "required": ["file_path"]}""",
          null, RunTools::pythonFile),
      tool("run_shell_command",
          "Execute a shell command in the sandbox. Use for system operations, file manipulation, or running "
              + "non-Python programs.",
          """
          {"type": "object", "properties": {
            "command": {"type": "string", "description": "The shell command to execute"},
            "timeout": {"type": "integer", "description": "Maximum execution time in seconds", "default": 60}},
           "required": ["command"]}""",
          null, RunTools::shellCommand),
      tool("save_file",
          "Save content to a file in the sandbox workspace. Creates parent directories if needed.",
          """
          {"type": "object", "properties": {
            "path": {"type": "string", "description": "File path relative to the workspace"},
            "content": {"type": "string", "description": "Content to write to the file"}},
           "required": ["path", "content"]}""",
          null, FileTools::save),
      tool("read_file",
          "Read the content of a file from the sandbox workspace.",
          """
          {"type": "object", "properties": {
            "path": {"type": "string", "description": "File path to read"}},
           "required": ["path"]}""",
          null, FileTools::read),
      tool("delete_file",
          "Delete a file or directory from the sandbox workspace.",
          """
          {"type": "object", "properties": {
            "path": {"type": "string", "description": "File or directory path to delete"}},
           "required": ["path"]}""",
          null, FileTools::delete),
      tool("list_files",
          "List files and directories in the sandbox workspace.",
          """
          {"type": "object", "properties": {
            "path": {"type": "string", "description": "Directory path to list (empty for workspace root)", "default": ""},
            "recursive": {"type": "boolean", "description": "Include files in subdirectories", "default": false}}}""",
          List.of(), FileTools::list),
      tool("file_exists",
          "Check if a file or directory exists in the sandbox workspace.",
          """
          {"type": "object", "properties": {
            "path": {"type": "string", "description": "File path to check"}},
           "required": ["path"]}""",
          false, FileTools::exists),
      tool("copy_file",
          "Copy a file within the sandbox workspace.",
          """
          {"type": "object", "properties": {
            "source": {"type": "string", "description": "Source file path"},
            "dest": {"type": "string", "description": "Destination file path"}},
           "required": ["source", "dest"]}""",
          null, FileTools::copy),
      tool("move_file",
          "Move or rename a file within the sandbox workspace.",
          """
          {"type": "object", "properties": {
            "source": {"type": "string", "description": "Source file path"},
            "dest": {"type": "string", "description": "Destination file path"}},
           "required": ["source", "dest"]}""",
          null, FileTools::move),
      tool("install_pip_package",
          "Install a Python package using pip.",
          """
          {"type": "object", "properties": {
            "package": {"type": "string", "description": "Package name to install"},
            "version": {"type": "string", "description": "Specific version to install (optional)"}},
           "required": ["package"]}""",
          null, PackageTools::install),
      tool("install_pip_packages",
          "Install multiple Python packages at once.",
          """
          {"type": "object", "properties": {
            "packages": {"type": "array", "items": {"type": "string"}, "description": "List of package names to install"}},
           "required": ["packages"]}""",
          null, PackageTools::installMany),
      tool("uninstall_pip_package",
          "Uninstall a Python package.",
          """
          {"type": "object", "properties": {
            "package": {"type": "string", "description": "Package name to uninstall"}},
           "required": ["package"]}""",
          null, PackageTools::uninstall),
      tool("list_installed_packages",
          "List all installed Python packages in the sandbox.",
          """
          {"type": "object", "properties": {}}""",
          List.of(), PackageTools::list),
      tool("check_package_installed",
          "Check if a specific Python package is installed.",
          """
          {"type": "object", "properties": {
            "package": {"type": "string", "description": "Package name to check"}},
           "required": ["package"]}""",
          false, PackageTools::installed),
      tool("set_environment_variable",
          "Set an environment variable in the sandbox.",
          """
          {"type": "object", "properties": {
            "key": {"type": "string", "description": "Environment variable name"},
            "value": {"type": "string", "description": "Environment variable value"}},
           "required": ["key", "value"]}""",
          null, StateTools::setEnv),
      tool("get_environment_variable",
          "Get the value of an environment variable.",
          """
          {"type": "object", "properties": {
            "key": {"type": "string", "description": "Environment variable name"}},
           "required": ["key"]}""",
          null, StateTools::getEnv),
      tool("get_sandbox_status",
          "Get the current status and information about the sandbox.",
          """
          {"type": "object", "properties": {}}""",
          Map.of(), StateTools::status),
      tool("get_resource_usage",
          "Get current resource usage (CPU, memory, disk) of the sandbox.",
          """
          {"type": "object", "properties": {}}""",
          Map.of(), StateTools::usage),
      tool("reset_sandbox",
          "Reset the sandbox to its initial state. This will restart the sandbox and clear any runtime state.",
          """
          {"type": "object", "properties": {}}""",
          null, StateTools::reset)
  );

  private static final Map<String, Tool> BY_NAME = new LinkedHashMap<>();

  static {
    TOOLS.forEach(t -> BY_NAME.put(t.name(), t));
  }

  private ToolCatalog() {}

  /** The tool with that name, or null. */
  static Tool find(String name) { return name == null ? null : BY_NAME.get(name); }

  private static Tool tool(String name, String description, String schema, Object failureOutput,
      ToolHandler handler) {
    return Tool.of(name, description, new JsonObject(schema), failureOutput, handler);
  }
}
