package io.alphora.sandbox.storage.local;

import io.alphora.sandbox.storage.StorageObject;
import io.alphora.sandbox.storage.impl.Keys;
import io.alphora.sandbox.storage.impl.Listings;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tree walks of local storage: listing, and the deletes of a prefix. They run as one blocking
 * task on a worker thread (thousands of async round trips per listing would cost more than the
 * walk). Directories are visited in key order, so a listing stops as soon as it has {@code maxKeys}
 * entries. Links in the tree are never followed.
 */
final class LocalTree {
  private final LocalLayout layout;

  LocalTree(LocalLayout layout) { this.layout = layout; }

  private record Entry(String key, Path path, boolean dir) {}

  List<StorageObject> list(String prefix, boolean recursive, int maxKeys) throws IOException {
    int slash = prefix.lastIndexOf('/');
    String dirKey = prefix.substring(0, slash + 1);
    Listings out = new Listings(prefix, recursive);
    scan(layout.dir(dirKey), dirKey, prefix.substring(slash + 1), recursive, out, maxKeys);
    return out.result(maxKeys);
  }

  private void scan(Path dir, String dirKey, String filter, boolean recursive, Listings out, int max)
      throws IOException {
    for (Entry e : entries(dir, dirKey, filter)) {
      if (out.count() >= max) {
        return;
      }
      if (!e.dir()) {
        StorageObject o = object(e.key(), e.path());
        if (o != null) {
          out.add(o);
        }
      } else if (recursive) {
        scan(e.path(), e.key(), "", true, out, max);
      } else if (hasObject(e.path())) {
        out.addDirectory(e.key());
      }
    }
  }

  /** Objects and directories of {@code dir} whose segment starts with {@code filter}, in key order. */
  private static List<Entry> entries(Path dir, String dirKey, String filter) throws IOException {
    List<Entry> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        String obj = LocalLayout.decode(name, LocalLayout.OBJECT);
        String sub = obj == null ? LocalLayout.decode(name, LocalLayout.DIR) : null;
        if (obj != null && obj.startsWith(filter)) {
          out.add(new Entry(dirKey + obj, p, false));
        } else if (sub != null && sub.startsWith(filter)
            && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          out.add(new Entry(dirKey + sub + "/", p, true));
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    }
    out.sort((a, b) -> Keys.ORDER.compare(a.key(), b.key()));
    return out;
  }

  private static boolean hasObject(Path dir) throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (name.endsWith(LocalLayout.OBJECT) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          return true;
        }
        if (name.endsWith(LocalLayout.DIR) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && hasObject(p)) {
          return true;
        }
      }
    } catch (NoSuchFileException e) {
      return false;
    }
    return false;
  }

  /** A listing entry (no content type, no metadata, like S3's listings); null if it vanished. */
  private StorageObject object(String key, Path data) throws IOException {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(data, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    }
    if (!a.isRegularFile()) {
      return null;
    }
    return new StorageObject(key, a.size(), a.lastModifiedTime().toInstant(), etag(layout.meta(key)), null,
        Map.of(), false);
  }

  private static String etag(Path meta) {
    try {
      return new JsonObject(Files.readString(meta)).getString("etag");
    } catch (IOException | RuntimeException e) {
      return null; // a missing or torn sidecar: the object is still listed
    }
  }

  /** Deletes every object under {@code prefix}; returns how many. */
  int deletePrefix(String prefix) throws IOException {
    int n = 0;
    for (StorageObject o : list(prefix, true, Integer.MAX_VALUE)) {
      if (Files.deleteIfExists(layout.data(o.key()))) {
        n++;
      }
      Files.deleteIfExists(layout.meta(o.key()));
      prune(layout.data(o.key()).getParent());
    }
    return n;
  }

  /** Removes empty directories from {@code dir} up to (not including) the objects root. */
  void prune(Path dir) {
    Path d = dir;
    while (d != null && d.startsWith(layout.objects) && !d.equals(layout.objects)) {
      try {
        Files.delete(d);
      } catch (IOException e) {
        return; // not empty (or already gone): stop
      }
      d = d.getParent();
    }
  }
}
