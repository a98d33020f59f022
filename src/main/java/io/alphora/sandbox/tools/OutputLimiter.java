package io.alphora.sandbox.tools;

import io.alphora.sandbox.Ids;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.ToolResult;
import io.alphora.sandbox.bus.BusErrors;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Keeps tool results small enough for a model's context. A string {@code output} or {@code error}
 * longer than the limit keeps its first and last halves (a traceback's end matters as much as a
 * listing's start) around an inline marker; a list {@code output} keeps its first entries. The full
 * text is written to {@value #DIR}/ in the workspace and the envelope names it
 * ({@code full_output_path} / {@code full_error_path}), so the agent can read it in parts. A
 * {@code read_file} result is not copied: the file it read is already the full output.
 */
final class OutputLimiter {
  /** Workspace folder for full outputs (a dot-folder: listings show it, globs like {@code *} skip it). */
  static final String DIR = ".tool_outputs";
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss");

  private final Sandbox sandbox;
  private final int maxChars;

  OutputLimiter(Sandbox sandbox, int maxChars) {
    if (maxChars < 100) {
      throw new IllegalArgumentException("maxOutputChars must be at least 100, got " + maxChars);
    }
    this.sandbox = sandbox;
    this.maxChars = maxChars;
  }

  /** {@code fileRead}: the workspace path a read_file result came from, else null. */
  Future<ToolResult> limit(String tool, String fileRead, ToolResult r) {
    Future<ToolResult> f = Future.succeededFuture(r);
    if (r.output() instanceof String s && length(s) > maxChars) {
      f = f.compose(x -> text(tool, "output", s, fileRead)
          .map(t -> t.into(x.withOutput(t.text()), "full_output_path")));
    } else if (r.output() instanceof List<?> list) {
      f = f.compose(x -> list(tool, x, list));
    }
    if (length(r.error()) > maxChars) {
      f = f.compose(x -> text(tool, "error", x.error(), null)
          .map(t -> t.into(x.withError(t.text()), "full_error_path")));
    }
    return f;
  }

  /** A shortened text and where the full one is (null when it could not be saved). */
  private record Cut(String text, String path) {
    ToolResult into(ToolResult r, String pathField) {
      ToolResult t = r.withExtra("truncated", true);
      return path == null ? t : t.withExtra(pathField, path);
    }
  }

  private Future<Cut> text(String tool, String kind, String full, String fileRead) {
    int total = length(full);
    int head = maxChars / 2;
    int tail = maxChars - head;
    String first = full.substring(0, full.offsetByCodePoints(0, head));
    String last = full.substring(full.offsetByCodePoints(full.length(), -tail));
    String shown = kind + " truncated: " + maxChars + " of " + total + " characters shown, the first " + head
        + " and the last " + tail;
    Future<String> where = fileRead != null ? Future.succeededFuture(fileRead)
        : save(tool, kind.equals("error") ? "err.txt" : "out.txt", full);
    return where
        .map(path -> new Cut(first + "\n… [" + shown + "; full " + kind
            + (fileRead != null ? " in " : " saved to ") + path + "]\n" + last, path))
        .recover(t -> Future.succeededFuture(new Cut(first + "\n… [" + shown + "; the full " + kind
            + " could not be saved: " + BusErrors.toSandboxException(t).getMessage() + "]\n" + last, null)));
  }

  private Future<ToolResult> list(String tool, ToolResult r, List<?> list) {
    JsonArray all = new JsonArray(List.copyOf(list));
    String encoded = all.encode();
    if (encoded.length() <= maxChars) {
      return Future.succeededFuture(r);
    }
    JsonArray kept = new JsonArray();
    int size = 2;
    for (Object o : all) {
      size += JsonArray.of(o).encode().length() - 1;
      if (size > maxChars) {
        break;
      }
      kept.add(o);
    }
    String shown = "output truncated: " + kept.size() + " of " + all.size() + " entries shown";
    ToolResult cut = r.withOutput(ToolDefinitions.plain(kept)).withExtra("truncated", true);
    return save(tool, "json", encoded)
        .map(path -> cut.withExtra("full_output_path", path).withExtra("note", shown + "; full list saved to " + path))
        .recover(t -> Future.succeededFuture(cut.withExtra("note", shown + "; the full list could not be saved: "
            + BusErrors.toSandboxException(t).getMessage())));
  }

  private Future<String> save(String tool, String suffix, String content) {
    String path = DIR + "/" + tool + "-" + STAMP.format(ZonedDateTime.now(ZoneOffset.UTC)) + "-"
        + Ids.random(6) + "." + suffix;
    return sandbox.writeFile(path, content).map(info -> path);
  }

  private static int length(String s) { return s == null ? 0 : s.codePointCount(0, s.length()); }
}
