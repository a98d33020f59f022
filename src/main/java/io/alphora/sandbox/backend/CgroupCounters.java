package io.alphora.sandbox.backend;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the {@code key N} counters of cgroup files ({@code memory.oom_control}, {@code memory.events},
 * {@code pids.events}) that both backends check when a run starts and when it fails. One read of the
 * bytes, no reader or decoder: it is on every run's path.
 */
public final class CgroupCounters {
  private CgroupCounters() {}

  /** The value on the line {@code key N} of {@code file}; 0 when the file (the group) or the line is missing. */
  public static long field(Path file, String key) {
    if (file == null) {
      return 0;
    }
    String text;
    try {
      text = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return 0;   // the group is gone
    }
    int at = 0;
    while (at < text.length()) {
      int end = text.indexOf('\n', at);
      if (end < 0) {
        end = text.length();
      }
      if (text.startsWith(key, at) && at + key.length() < end && text.charAt(at + key.length()) == ' ') {
        try {
          return Long.parseLong(text.substring(at + key.length() + 1, end).trim());
        } catch (NumberFormatException e) {
          return 0;
        }
      }
      at = end + 1;
    }
    return 0;   // this kernel does not report the counter
  }
}
