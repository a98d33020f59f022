package io.alphora.sandbox.storage;

import java.time.Instant;
import java.util.Map;

/**
 * One stored object, or a folded "directory" of a non-recursive listing (the seed's
 * {@code StorageObject}). In JSON (REST, bus) the fields are snake_case: {@code key, size,
 * last_modified, etag, content_type, metadata, is_directory}.
 *
 * <p>Listings carry {@code key, size, last_modified, etag}; {@code content_type} is null and
 * {@code metadata} empty there on every backend (S3 does not return them in listings); {@link
 * Storage#info} and the results of put, copy and move carry all fields.
 *
 * @param key the object's key, '/'-separated, without the store's configured prefix; a folded
 *     directory's key ends with '/'
 * @param size bytes (0 for a directory)
 * @param lastModified when it was last written (null for a directory)
 * @param etag the store's entity tag without quotes: the MD5 hex of the content for single-part
 *     writes, S3's {@code <md5>-<parts>} for multipart uploads (null for a directory)
 * @param contentType MIME type (null in listings and for a directory)
 * @param metadata user metadata, keys lower-case (empty in listings)
 * @param isDirectory true for a folded {@code dir/} entry of a non-recursive listing
 */
public record StorageObject(
    String key, long size, Instant lastModified, String etag, String contentType,
    Map<String, String> metadata, boolean isDirectory) {

  public StorageObject {
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  /** The folded entry for every key below {@code dirKey} (which ends with '/'). */
  public static StorageObject directory(String dirKey) {
    return new StorageObject(dirKey, 0, null, null, null, Map.of(), true);
  }

  /** The last segment of the key (for a directory, without the trailing '/'). */
  public String name() {
    String k = isDirectory ? key.substring(0, key.length() - 1) : key;
    return k.substring(k.lastIndexOf('/') + 1);
  }
}
