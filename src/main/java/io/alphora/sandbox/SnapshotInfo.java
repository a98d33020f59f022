package io.alphora.sandbox;

import java.util.List;

/**
 * A workspace saved as a {@code tar.gz} object in the configured storage.
 *
 * @param key the object's key (give it to {@code from_snapshot} to restore it)
 * @param size the archive's size in bytes
 * @param files regular files in the archive
 * @param skipped what was left out, one {@code "path: reason"} each (links, FIFOs, sockets,
 *     devices, hard-linked files)
 */
public record SnapshotInfo(String key, long size, long files, List<String> skipped) {
  public SnapshotInfo {
    skipped = skipped == null ? List.of() : List.copyOf(skipped);
  }
}
