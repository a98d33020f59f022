package io.alphora.sandbox.storage.local;

import io.alphora.sandbox.SandboxException.InvalidRequestException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where local storage keeps what, under its root:
 * <pre>
 *   objects/[prefix…/]a.d/b.d/file.txt.o   the data of key a/b/file.txt
 *   objects/[prefix…/]a.d/b.d/file.txt.m   its metadata (JSON sidecar, never listed)
 *   tmp/                                   writes in flight (renamed into objects/ when complete)
 *   presign.key                            this node's HMAC key for presigned URLs
 * </pre>
 * Each key segment is percent-encoded (everything but {@code A-Z a-z 0-9 . _ -}) and given a
 * suffix saying what the entry is: {@code .o} object, {@code .m} sidecar, {@code .d} directory.
 * So {@code a} and {@code a/b} can both be objects (as on S3), no key can name a sidecar or leave
 * the root (a segment never contains '/' and is never {@code .} or {@code ..}), and keys are
 * readable on disk.
 */
final class LocalLayout {
  static final String OBJECT = ".o";
  static final String META = ".m";
  static final String DIR = ".d";
  private static final int MAX_NAME = 250;

  final Path root;
  final Path objects;
  final Path tmp;
  final Path signingKey;

  LocalLayout(Path root, String prefix) {
    this.root = root.toAbsolutePath().normalize();
    Path o = this.root.resolve("objects");
    if (!prefix.isEmpty()) {
      for (String seg : prefix.split("/")) {
        o = o.resolve(encode(seg) + DIR);
      }
    }
    this.objects = o;
    this.tmp = this.root.resolve("tmp");
    this.signingKey = this.root.resolve("presign.key");
  }

  Path data(String key) { return entry(key, OBJECT); }

  Path meta(String key) { return entry(key, META); }

  /** The directory holding keys that start with {@code dirKey} ("" or ending with '/'). */
  Path dir(String dirKey) {
    Path d = objects;
    if (!dirKey.isEmpty()) {
      for (String seg : dirKey.substring(0, dirKey.length() - 1).split("/")) {
        d = d.resolve(name(seg, DIR));
      }
    }
    return d;
  }

  private Path entry(String key, String suffix) {
    int slash = key.lastIndexOf('/');
    Path p = dir(key.substring(0, slash + 1)).resolve(name(key.substring(slash + 1), suffix)).normalize();
    if (!p.startsWith(objects)) { // cannot happen with checked keys; a last line of defence
      throw new InvalidRequestException("key '" + key + "' leaves the storage root", Map.of("key", key));
    }
    return p;
  }

  private static String name(String seg, String suffix) {
    String n = encode(seg) + suffix;
    if (n.length() > MAX_NAME) {
      throw new InvalidRequestException("a key segment of " + seg.length() + " characters is too long for local "
          + "storage (at most about " + (MAX_NAME / 3) + " non-ASCII or " + (MAX_NAME - 2) + " ASCII characters)",
          Map.of("field", "key"));
    }
    return n;
  }

  static String encode(String seg) {
    StringBuilder sb = new StringBuilder(seg.length());
    for (byte b : seg.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
          || c == '-') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }

  /** The segment of an entry name, or null when the name is not one of ours. */
  static String decode(String fileName, String suffix) {
    if (!fileName.endsWith(suffix)) {
      return null;
    }
    String stem = fileName.substring(0, fileName.length() - suffix.length());
    ByteArrayOutputStream out = new ByteArrayOutputStream(stem.length());
    for (int i = 0; i < stem.length(); i++) {
      char c = stem.charAt(i);
      if (c == '%' && i + 2 < stem.length()) {
        int hi = Character.digit(stem.charAt(i + 1), 16);
        int lo = Character.digit(stem.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else if (c == '%' || c > 0x7f) {
        return null;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
