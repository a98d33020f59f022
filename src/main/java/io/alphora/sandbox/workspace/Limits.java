package io.alphora.sandbox.workspace;

/** Bounds on recursive walks, so a hostile tree cannot exhaust descriptors, stack or time. */
final class Limits {
  /** Directory levels below the starting directory that list/usage/copy descend into. */
  static final int MAX_DEPTH = 128;
  /** Entries a single recursive walk (list, usage, copy) examines before it stops. */
  static final int SCAN_LIMIT = 200_000;

  private Limits() {}
}
