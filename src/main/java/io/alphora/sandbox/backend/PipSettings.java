package io.alphora.sandbox.backend;

/**
 * Where pip finds packages: an index URL (null: pip's default), no index at all, and/or a directory
 * of wheels ({@code --find-links}).
 */
public record PipSettings(String indexUrl, boolean noIndex, String findLinks, int timeoutSeconds) {
  public static PipSettings defaults() { return new PipSettings(null, false, null, 600); }
}
