package io.alphora.sandbox.workspace;

import java.util.Locale;
import java.util.Map;

/**
 * MIME type from a file name's last extension (case-insensitive), for {@code FileInfo.mime_type}
 * and HTTP {@code Content-Type}. No extension, a dotfile or an unknown extension give
 * {@value #DEFAULT}. Text types carry no charset; add {@code ; charset=utf-8} when serving if wanted.
 */
public final class MimeTypes {
  /** The type for anything not in the table. */
  public static final String DEFAULT = "application/octet-stream";

  private static final Map<String, String> BY_EXT = Map.ofEntries(
      Map.entry("txt", "text/plain"), Map.entry("log", "text/plain"), Map.entry("ini", "text/plain"),
      Map.entry("cfg", "text/plain"), Map.entry("conf", "text/plain"), Map.entry("text", "text/plain"),
      Map.entry("py", "text/x-python"), Map.entry("pyw", "text/x-python"),
      Map.entry("json", "application/json"), Map.entry("jsonl", "application/x-ndjson"),
      Map.entry("csv", "text/csv"), Map.entry("tsv", "text/tab-separated-values"),
      Map.entry("html", "text/html"), Map.entry("htm", "text/html"), Map.entry("css", "text/css"),
      Map.entry("js", "application/javascript"), Map.entry("mjs", "application/javascript"),
      Map.entry("ts", "application/typescript"), Map.entry("tsx", "application/typescript"),
      Map.entry("sh", "application/x-sh"), Map.entry("sql", "application/sql"),
      Map.entry("xml", "application/xml"), Map.entry("md", "text/markdown"), Map.entry("markdown", "text/markdown"),
      Map.entry("rst", "text/x-rst"), Map.entry("yaml", "application/yaml"), Map.entry("yml", "application/yaml"),
      Map.entry("toml", "application/toml"),
      Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"),
      Map.entry("gif", "image/gif"), Map.entry("bmp", "image/bmp"), Map.entry("svg", "image/svg+xml"),
      Map.entry("webp", "image/webp"), Map.entry("ico", "image/vnd.microsoft.icon"), Map.entry("tif", "image/tiff"),
      Map.entry("tiff", "image/tiff"),
      Map.entry("pdf", "application/pdf"), Map.entry("zip", "application/zip"), Map.entry("gz", "application/gzip"),
      Map.entry("tgz", "application/gzip"), Map.entry("tar", "application/x-tar"), Map.entry("bz2", "application/x-bzip2"),
      Map.entry("xz", "application/x-xz"), Map.entry("7z", "application/x-7z-compressed"),
      Map.entry("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
      Map.entry("xlsm", "application/vnd.ms-excel.sheet.macroEnabled.12"), Map.entry("xls", "application/vnd.ms-excel"),
      Map.entry("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
      Map.entry("doc", "application/msword"),
      Map.entry("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
      Map.entry("ipynb", "application/x-ipynb+json"), Map.entry("parquet", "application/vnd.apache.parquet"),
      Map.entry("wasm", "application/wasm"), Map.entry("mp3", "audio/mpeg"), Map.entry("wav", "audio/wav"),
      Map.entry("mp4", "video/mp4"), Map.entry("webm", "video/webm"));

  private MimeTypes() {}

  /** The type for {@code name} (a bare name or a '/'-separated path; only the last extension counts). */
  public static String forName(String name) {
    if (name == null) {
      return DEFAULT;
    }
    String base = name.substring(name.lastIndexOf('/') + 1);
    int dot = base.lastIndexOf('.');
    if (dot <= 0 || dot == base.length() - 1) {
      return DEFAULT;
    }
    return BY_EXT.getOrDefault(base.substring(dot + 1).toLowerCase(Locale.ROOT), DEFAULT);
  }
}
