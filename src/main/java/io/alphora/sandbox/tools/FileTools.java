package io.alphora.sandbox.tools;

import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.ToolResult;
import io.alphora.sandbox.bus.Json;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The workspace file tools. Paths are workspace-relative; leaving the workspace is a failure naming
 * the path. Copy and move are binary-safe (the seed copied through text). {@code delete_file} on a
 * missing path fails (the seed answered {@code success:true, "File not found: …"}).
 */
final class FileTools {
  private FileTools() {}

  static Future<ToolResult> save(Sandbox sb, ToolArgs a) {
    String path = a.string("path");
    return sb.saveFile(path, a.string("content")).map(info -> {
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("file_info", Json.toPlain(info));
      return ToolResult.ok("File saved: " + path, extra);
    });
  }

  static Future<ToolResult> read(Sandbox sb, ToolArgs a) { return sb.readFile(a.string("path")).map(ToolResult::ok); }

  static Future<ToolResult> delete(Sandbox sb, ToolArgs a) {
    String path = a.string("path");
    return sb.deleteFile(path).map(deleted -> deleted ? ToolResult.ok("Deleted: " + path)
        : ToolResult.failure("File not found: " + path + " (nothing was deleted; list_files shows what exists)", null));
  }

  static Future<ToolResult> list(Sandbox sb, ToolArgs a) {
    return sb.listFiles(a.string("path", ""), a.bool("recursive", false), null)
        .map(files -> ToolResult.ok(Json.toPlain(files)));
  }

  static Future<ToolResult> exists(Sandbox sb, ToolArgs a) { return sb.fileExists(a.string("path")).map(ToolResult::ok); }

  static Future<ToolResult> copy(Sandbox sb, ToolArgs a) {
    String source = a.string("source");
    String dest = a.string("dest");
    return sb.copyFile(source, dest).map(info -> ToolResult.ok("Copied " + source + " to " + dest));
  }

  static Future<ToolResult> move(Sandbox sb, ToolArgs a) {
    String source = a.string("source");
    String dest = a.string("dest");
    return sb.moveFile(source, dest).map(info -> ToolResult.ok("Moved " + source + " to " + dest));
  }
}
