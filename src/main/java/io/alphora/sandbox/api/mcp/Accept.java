package io.alphora.sandbox.api.mcp;

import java.util.Locale;

/** Reads an {@code Accept} header just far enough to choose between JSON and an SSE answer. */
final class Accept {
  private Accept() {}

  /**
   * True when {@code text/event-stream} is listed with a higher quality than JSON (exactly, or via
   * {@code application/*} or {@code *}{@code /*}). Clients that list both equally, as the MCP spec asks,
   * get plain JSON: one answer needs no stream.
   */
  static boolean prefersEventStream(String accept) {
    if (accept == null || accept.isBlank()) {
      return false;
    }
    double sse = 0;
    double json = 0;
    for (String range : accept.split(",")) {
      String[] parts = range.trim().split(";");
      String type = parts[0].trim().toLowerCase(Locale.ROOT);
      double q = quality(parts);
      switch (type) {
        case "text/event-stream" -> sse = Math.max(sse, q);
        case "application/json", "application/*", "*/*" -> json = Math.max(json, q);
        default -> { }
      }
    }
    return sse > 0 && sse > json;
  }

  private static double quality(String[] parts) {
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      if (p.startsWith("q=")) {
        try {
          return Double.parseDouble(p.substring(2));
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 1;
  }
}
