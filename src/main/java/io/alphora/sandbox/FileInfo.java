package io.alphora.sandbox;

import java.time.Instant;

/** A file or directory in a workspace; {@code path} is relative to the workspace root, '/'-separated. */
public record FileInfo(
    String name, String path, long size, String sizeHuman, FileType fileType, String mimeType,
    boolean isDirectory, boolean isSymlink, Instant modifiedTime, Instant createdTime) {

  public static FileInfo of(String name, String path, long size, boolean directory, boolean symlink,
      Instant modified, Instant created, String mimeType) {
    return new FileInfo(name, path, size, humanSize(directory ? 0 : size),
        directory ? FileType.UNKNOWN : FileType.fromName(name), mimeType, directory, symlink, modified,
        created);
  }

  /** 1024-based, one decimal, a space before the unit: {@code 1536 -> "1.5 KB"} (as the seed). */
  public static String humanSize(long bytes) {
    double size = bytes;
    for (String unit : new String[] {"B", "KB", "MB", "GB", "TB"}) {
      if (size < 1024) {
        return String.format(java.util.Locale.ROOT, "%.1f %s", size, unit);
      }
      size /= 1024;
    }
    return String.format(java.util.Locale.ROOT, "%.1f PB", size);
  }
}
