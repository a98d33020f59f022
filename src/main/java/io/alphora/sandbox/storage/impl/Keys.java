package io.alphora.sandbox.storage.impl;

import io.alphora.sandbox.SandboxException.InvalidRequestException;
import io.alphora.sandbox.storage.PutOptions;
import io.alphora.sandbox.storage.Storage;
import io.alphora.sandbox.workspace.MimeTypes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** The rules every backend applies to keys, prefixes and put options (see {@link Storage}). */
public final class Keys {
  public static final int MAX_KEY_BYTES = 1024;
  public static final Duration MAX_PRESIGN = Duration.ofDays(7);
  private static final Pattern META_KEY = Pattern.compile("[a-z0-9._-]{1,64}");
  private static final int MAX_META_BYTES = 2048;

  /** Unicode code point order: S3 lists in UTF-8 byte order, which is the same order. */
  public static final Comparator<String> ORDER = io.alphora.sandbox.workspace.Workspace.NAME_ORDER;

  private Keys() {}

  /** {@code key} if it is a valid object key, else {@code invalid_request} saying why. */
  public static String check(String key) {
    if (key == null || key.isEmpty()) {
      throw invalid(key, "is empty");
    }
    if (key.startsWith("/")) {
      throw invalid(key, "is absolute: keys are relative names like 'dir/file.txt'");
    }
    if (key.endsWith("/")) {
      throw invalid(key, "ends with '/': objects are named by keys without a trailing '/'");
    }
    for (String seg : key.split("/", -1)) {
      checkSegment(key, seg);
    }
    return checkLength(key);
  }

  /**
   * {@code prefix} ("" for null) if usable as a listing prefix: complete segments follow the key
   * rules; the last, partial one only has to be free of control characters.
   */
  public static String checkPrefix(String prefix) {
    if (prefix == null || prefix.isEmpty()) {
      return "";
    }
    if (prefix.startsWith("/")) {
      throw invalid(prefix, "is absolute: prefixes are relative like 'dir/' or 'dir/fi'");
    }
    String[] segs = prefix.split("/", -1);
    for (int i = 0; i < segs.length - 1; i++) {
      checkSegment(prefix, segs[i]);
    }
    checkChars(prefix, segs[segs.length - 1]);
    return checkLength(prefix);
  }

  private static void checkSegment(String key, String seg) {
    if (seg.isEmpty()) {
      throw invalid(key, "has an empty segment ('//' or a leading or trailing '/')");
    }
    if (seg.equals(".") || seg.equals("..")) {
      throw invalid(key, "has a '" + seg + "' segment");
    }
    checkChars(key, seg);
  }

  private static void checkChars(String key, String seg) {
    for (int i = 0; i < seg.length(); i++) {
      char c = seg.charAt(i);
      if (c == 0) {
        throw invalid(key, "contains a NUL character");
      }
      if (Character.isISOControl(c)) {
        throw invalid(key, "contains a control character (U+" + String.format("%04X", (int) c) + ")");
      }
    }
  }

  private static String checkLength(String key) {
    if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
      throw invalid(key.substring(0, 40) + "…", "is longer than " + MAX_KEY_BYTES + " bytes");
    }
    return key;
  }

  private static InvalidRequestException invalid(String key, String why) {
    String shown = key == null ? "null" : key.replace("\0", "\\0");
    return new InvalidRequestException("key '" + shown + "' " + why, Map.of("field", "key", "key", shown));
  }

  /**
   * The configured store prefix ({@code storage.prefix}) without leading or trailing '/': "" or a
   * valid key, under which every key is stored.
   */
  public static String storePrefix(String configured) {
    String p = configured == null ? "" : configured.replaceAll("^/+|/+$", "");
    return p.isEmpty() ? "" : check(p);
  }

  /** {@code maxKeys} if within 1..{@link Storage#MAX_KEYS_LIMIT}. */
  public static int checkMaxKeys(int maxKeys) {
    if (maxKeys < 1 || maxKeys > Storage.MAX_KEYS_LIMIT) {
      throw new InvalidRequestException("max_keys must be between 1 and " + Storage.MAX_KEYS_LIMIT + ", got "
          + maxKeys, Map.of("field", "max_keys"));
    }
    return maxKeys;
  }

  /** {@code d} if a valid presigned-URL lifetime (1 s to 7 days, SigV4's limit). */
  public static Duration checkExpiry(Duration d) {
    if (d == null || d.getSeconds() < 1 || d.compareTo(MAX_PRESIGN) > 0) {
      throw new InvalidRequestException("expires_in must be between 1 and " + MAX_PRESIGN.getSeconds()
          + " seconds", Map.of("field", "expires_in"));
    }
    return d;
  }

  /** The options with a content type (given, else guessed from the key) and normalised metadata. */
  public static PutOptions normalize(String key, PutOptions o) {
    PutOptions opts = o == null ? PutOptions.defaults() : o;
    String ct = opts.contentType();
    if (ct == null || ct.isBlank()) {
      ct = MimeTypes.forName(key.substring(key.lastIndexOf('/') + 1));
    } else if (ct.length() > 255 || !ct.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
      throw new InvalidRequestException("content type must be at most 255 printable ASCII characters",
          Map.of("field", "content_type"));
    }
    Map<String, String> meta = new LinkedHashMap<>();
    int bytes = 0;
    for (Map.Entry<String, String> e : opts.metadata().entrySet()) {
      String k = e.getKey().toLowerCase(Locale.ROOT);
      String v = e.getValue() == null ? "" : e.getValue();
      if (!META_KEY.matcher(k).matches()) {
        throw new InvalidRequestException("metadata key '" + e.getKey() + "' must be 1-64 characters of "
            + "a-z 0-9 . _ -", Map.of("field", "metadata"));
      }
      if (!v.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
        throw new InvalidRequestException("metadata value of '" + k + "' must be printable ASCII",
            Map.of("field", "metadata"));
      }
      bytes += k.length() + v.length();
      meta.put(k, v);
    }
    if (bytes > MAX_META_BYTES) {
      throw new InvalidRequestException("metadata is larger than " + MAX_META_BYTES + " bytes (keys and values)",
          Map.of("field", "metadata"));
    }
    return new PutOptions(ct, meta);
  }
}
