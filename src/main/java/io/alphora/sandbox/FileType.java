package io.alphora.sandbox;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Map;

/** File kinds derived from the last extension, exactly as the seed's {@code FileType.from_extension}. */
public enum FileType {
  TEXT, PYTHON, JAVASCRIPT, TYPESCRIPT, HTML, CSS, EXCEL, CSV, JSON, YAML, XML, MARKDOWN, PDF, IMAGE,
  ARCHIVE, BINARY, UNKNOWN;

  private static final Map<String, FileType> BY_EXT = Map.ofEntries(
      Map.entry("py", PYTHON), Map.entry("pyw", PYTHON),
      Map.entry("js", JAVASCRIPT), Map.entry("mjs", JAVASCRIPT),
      Map.entry("ts", TYPESCRIPT), Map.entry("tsx", TYPESCRIPT),
      Map.entry("html", HTML), Map.entry("htm", HTML),
      Map.entry("css", CSS), Map.entry("scss", CSS), Map.entry("sass", CSS),
      Map.entry("xlsx", EXCEL), Map.entry("xls", EXCEL), Map.entry("xlsm", EXCEL),
      Map.entry("csv", CSV), Map.entry("tsv", CSV), Map.entry("json", JSON),
      Map.entry("yaml", YAML), Map.entry("yml", YAML), Map.entry("xml", XML),
      Map.entry("md", MARKDOWN), Map.entry("markdown", MARKDOWN), Map.entry("rst", MARKDOWN),
      Map.entry("pdf", PDF),
      Map.entry("txt", TEXT), Map.entry("log", TEXT), Map.entry("cfg", TEXT), Map.entry("ini", TEXT),
      Map.entry("png", IMAGE), Map.entry("jpg", IMAGE), Map.entry("jpeg", IMAGE), Map.entry("gif", IMAGE),
      Map.entry("bmp", IMAGE), Map.entry("svg", IMAGE), Map.entry("webp", IMAGE),
      Map.entry("zip", ARCHIVE), Map.entry("tar", ARCHIVE), Map.entry("gz", ARCHIVE), Map.entry("7z", ARCHIVE));

  @JsonValue
  public String value() { return name().toLowerCase(Locale.ROOT); }

  @JsonCreator
  public static FileType from(String v) { return valueOf(v.toUpperCase(Locale.ROOT)); }

  /**
   * Python's {@code Path(name).suffix}: the part after the last dot of the last component, where a
   * leading dot (dotfile) does not count. No suffix or an unknown one gives {@link #UNKNOWN}.
   */
  public static FileType fromName(String name) {
    String base = name.substring(name.lastIndexOf('/') + 1);
    int dot = base.lastIndexOf('.');
    if (dot <= 0 || dot == base.length() - 1) {
      return UNKNOWN;
    }
    return BY_EXT.getOrDefault(base.substring(dot + 1).toLowerCase(Locale.ROOT), UNKNOWN);
  }
}
