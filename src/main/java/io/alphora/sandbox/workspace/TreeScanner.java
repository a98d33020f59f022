package io.alphora.sandbox.workspace;

import io.alphora.sandbox.FileInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * Listing and usage walks. Directories are opened relative to their parent's descriptor without
 * following links; a symlink is reported (by its own attributes) and never entered.
 */
final class TreeScanner {
  /** The seed's sort key {@code (not is_directory, name)}, names compared by code point like Python. */
  static final Comparator<Entry> ORDER = Comparator.comparing((Entry e) -> !e.attrs().isDirectory())
      .thenComparing(Entry::name, TreeScanner::compareCodePoints);

  record Entry(Path raw, String name, BasicFileAttributes attrs) {}

  private final int maxEntries;
  private int examined;
  private boolean truncated;

  private TreeScanner(int maxEntries) {
    this.maxEntries = maxEntries;
  }

  static Listing list(SecureDir dir, boolean recursive, Predicate<String> match, int maxEntries) throws IOException {
    TreeScanner s = new TreeScanner(maxEntries);
    List<FileInfo> out = new ArrayList<>();
    s.list(dir, recursive, match, out, 0);
    return new Listing(List.copyOf(out), s.truncated);
  }

  static Usage usage(SecureDir root) throws IOException {
    long[] totals = new long[3];
    new TreeScanner(Integer.MAX_VALUE).usage(root, totals, 0);
    return new Usage(totals[0], totals[1], totals[2]);
  }

  private void list(SecureDir dir, boolean recursive, Predicate<String> match, List<FileInfo> out, int depth)
      throws IOException {
    List<Entry> entries = read(dir);
    entries.sort(ORDER);
    for (Entry e : entries) {
      if (out.size() >= maxEntries) {
        truncated = true;
        return;
      }
      String rel = Infos.child(dir.rel, e.name());
      if (match.test(e.name())) {
        out.add(Infos.of(e.name(), rel, e.attrs()));
      }
      if (recursive && e.attrs().isDirectory()) {
        if (depth >= Limits.MAX_DEPTH) {
          truncated = true;
          continue;
        }
        try (SecureDir child = open(dir, e, rel)) {
          if (child != null) {
            list(child, true, match, out, depth + 1);
          }
        }
      }
    }
  }

  private void usage(SecureDir dir, long[] totals, int depth) throws IOException {
    for (Entry e : read(dir)) {
      if (!e.attrs().isDirectory()) {
        totals[0] += e.attrs().isRegularFile() ? e.attrs().size() : 0;
        totals[1]++;
        continue;
      }
      totals[2]++;
      if (depth < Limits.MAX_DEPTH) {
        try (SecureDir child = open(dir, e, Infos.child(dir.rel, e.name()))) {
          if (child != null) {
            usage(child, totals, depth + 1);
          }
        }
      }
    }
  }

  /** Entries of one directory, without our temp files; stops (truncated) at the scan limit. */
  private List<Entry> read(SecureDir dir) throws IOException {
    int room = Limits.SCAN_LIMIT - examined;
    List<Path> names = dir.names(room + 1);
    if (names.size() > room) {
      truncated = true;
      names = names.subList(0, room);
    }
    examined += names.size();
    List<Entry> entries = new ArrayList<>(names.size());
    for (Path n : names) {
      String name = n.toString();
      BasicFileAttributes a = name.startsWith(FileIo.TEMP_PREFIX) ? null : dir.stat(n);
      if (a != null) { // null: vanished since readdir, or our temp file
        entries.add(new Entry(n, name, a));
      }
    }
    return entries;
  }

  /** A directory swapped or removed while we walk is skipped, not an error. */
  private static SecureDir open(SecureDir dir, Entry e, String rel) throws IOException {
    try {
      return DirWalker.openChild(dir, e.raw(), rel, rel);
    } catch (io.alphora.sandbox.SandboxException.PathTraversalException gone) {
      return null;
    }
  }

  /** Unicode code point order (Python's str order; S3 lists keys in the same order). */
  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
