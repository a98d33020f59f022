package io.alphora.sandbox.storage;

import java.util.Map;

/**
 * How to store an object. {@code contentType} null means guessed from the key's extension (else
 * {@code application/octet-stream}). Metadata keys are stored lower-case (as S3 does) and must be
 * 1-64 characters of {@code a-z 0-9 - _ .}; values printable ASCII; keys and values together at most
 * 2 KiB, the same on every backend ({@code invalid_request} otherwise).
 *
 * @param contentType MIME type, or null to guess
 * @param metadata user metadata, or null for none
 */
public record PutOptions(String contentType, Map<String, String> metadata) {

  public PutOptions {
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  /** Guessed content type, no metadata. */
  public static PutOptions defaults() { return new PutOptions(null, Map.of()); }

  public static PutOptions of(String contentType) { return new PutOptions(contentType, Map.of()); }

  public PutOptions withMetadata(Map<String, String> m) { return new PutOptions(contentType, m); }
}
