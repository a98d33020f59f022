package io.alphora.sandbox.backend;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.FileInfo;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.bus.Actions;
import io.alphora.sandbox.bus.Json;
import io.alphora.sandbox.workspace.WorkspaceFiles;
import io.alphora.sandbox.workspace.WriteResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

/**
 * File commands on a sandbox's workspace (blocking; runs on backend workers). Small contents travel
 * in the message (text, or base64 with {@code "encoding":"base64"}); large ones are streamed by the
 * HTTP layer to a staging file and committed here, and downloads travel as {@code read_chunk} pieces.
 */
final class FileActions {
  /** Contents carried inside one bus message at most (larger files: stream them). */
  static final long MAX_INLINE = 16L * 1024 * 1024;

  private final BackendNode node;

  FileActions(BackendNode node) { this.node = node; }

  JsonObject handle(String action, String sandboxId, JsonObject b) {
    WorkspaceFiles ws = node.files(sandboxId);
    SandboxSpec spec = node.spec(sandboxId);
    return switch (action) {
      case Actions.LIST_FILES -> {
        JsonArray files = new JsonArray();
        ws.list(b.getString("path", ""), b.getBoolean("recursive", false), b.getString("pattern"))
            .forEach(f -> files.add(Json.toJson(f)));
        yield new JsonObject().put("files", files);
      }
      case Actions.FILE_INFO -> Json.toJson(ws.info(path(b)));
      case Actions.FILE_EXISTS -> new JsonObject().put("exists", ws.exists(path(b)));
      case Actions.READ_FILE -> read(ws, b);
      case Actions.WRITE_FILE -> write(ws, spec, b);
      case Actions.COMMIT_FILE -> {
        checkWritable(spec);
        WriteResult r = ws.commit(path(b), staged(b), BackendNode.fileLimit(spec));
        yield written(r);
      }
      case Actions.DELETE_FILE -> {
        checkWritable(spec);
        yield new JsonObject().put("deleted", ws.delete(path(b)));
      }
      case Actions.COPY_FILE -> {
        checkWritable(spec);
        yield Json.toJson(ws.copy(required(b, "source"), required(b, "dest")));
      }
      case Actions.MOVE_FILE -> {
        checkWritable(spec);
        yield Json.toJson(ws.move(required(b, "source"), required(b, "dest")));
      }
      default -> throw new SandboxException.InvalidRequestException("unknown file action '" + action + "'");
    };
  }

  /** Largest piece of a file one {@code read_chunk} returns. */
  static final int MAX_CHUNK = 1024 * 1024;

  /**
   * A piece of a file as raw bytes, read through a handle opened safely (no link followed), so a
   * download streams in pieces over the bus and never leaves the workspace even if sandbox code
   * swaps files meanwhile. Fewer bytes than asked means end of file.
   */
  Buffer chunk(String sandboxId, JsonObject b) throws IOException {
    long offset = b.getLong("offset", 0L);
    int length = (int) Math.min(b.getLong("length", (long) MAX_CHUNK), MAX_CHUNK);
    if (offset < 0 || length < 0) {
      throw new SandboxException.InvalidRequestException("offset and length must be >= 0");
    }
    return Buffer.buffer(node.files(sandboxId).readRange(path(b), offset, length));
  }

  private JsonObject read(WorkspaceFiles ws, JsonObject b) {
    String rel = path(b);
    String encoding = b.getString("encoding", "utf-8");
    long max = Math.min(b.getLong("max_bytes", MAX_INLINE), MAX_INLINE);
    byte[] bytes = ws.readBytes(rel, max);
    JsonObject out = new JsonObject().put("path", rel).put("size", bytes.length).put("encoding", encoding);
    if ("base64".equals(encoding)) {
      return out.put("content", Base64.getEncoder().encodeToString(bytes));
    }
    if (!"utf-8".equalsIgnoreCase(encoding) && !"utf8".equalsIgnoreCase(encoding)) {
      throw new SandboxException.InvalidRequestException("encoding must be 'utf-8' or 'base64'");
    }
    return out.put("content", new String(bytes, StandardCharsets.UTF_8));
  }

  private JsonObject write(WorkspaceFiles ws, SandboxSpec spec, JsonObject b) {
    checkWritable(spec);
    String rel = path(b);
    String content = b.getString("content");
    if (content == null) {
      throw new SandboxException.InvalidRequestException("'content' is required (a string)",
          Map.of("field", "content"));
    }
    String encoding = b.getString("encoding", "utf-8");
    byte[] data;
    if ("base64".equals(encoding)) {
      data = decode(content);
    } else if ("utf-8".equalsIgnoreCase(encoding) || "utf8".equalsIgnoreCase(encoding)) {
      data = content.getBytes(StandardCharsets.UTF_8);
    } else {
      throw new SandboxException.InvalidRequestException("encoding must be 'utf-8' or 'base64'");
    }
    return written(ws.writeBytes(rel, data, BackendNode.fileLimit(spec)));
  }

  private static byte[] decode(String content) {
    try {
      return Base64.getDecoder().decode(content);
    } catch (IllegalArgumentException e) {
      throw new SandboxException.InvalidRequestException("'content' is not valid base64: " + e.getMessage());
    }
  }

  /** Only files the HTTP layer staged under the base path may be committed: never any host path. */
  private Path staged(JsonObject b) {
    Path dir = node.stagingDir().toAbsolutePath().normalize();
    Path p = Path.of(required(b, "staged")).toAbsolutePath().normalize();
    if (!p.getParent().equals(dir) || !p.getFileName().toString().startsWith("upload-")
        || java.nio.file.Files.isSymbolicLink(p)) {
      throw new SandboxException.InvalidRequestException("'staged' must be an upload staged by this service");
    }
    return p;
  }

  private static JsonObject written(WriteResult r) {
    return new JsonObject().put("file", Json.toJson(r.file())).put("created", r.created());
  }

  /** Host-side writes honour the policy too (the OS-level read-only mount is the isolation issue's). */
  static void checkWritable(SandboxSpec spec) {
    if (spec.policy().readOnlyMode() || !spec.policy().allowFileWrite()) {
      throw new SandboxException.SecurityViolationException(ErrorCode.SECURITY_VIOLATION,
          "this sandbox's workspace is read-only (security_policy.read_only_mode / allow_file_write)", Map.of());
    }
  }

  static String path(JsonObject b) {
    Object p = b.getValue("path");
    if (!(p instanceof String s)) {
      throw new SandboxException.InvalidRequestException("'path' is required (a string)", Map.of("field", "path"));
    }
    return s;
  }

  static String required(JsonObject b, String field) {
    Object v = b.getValue(field);
    if (!(v instanceof String s) || s.isEmpty()) {
      throw new SandboxException.InvalidRequestException("'" + field + "' is required (a non-empty string)",
          Map.of("field", field));
    }
    return s;
  }
}
