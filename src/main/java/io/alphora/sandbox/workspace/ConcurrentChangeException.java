package io.alphora.sandbox.workspace;

import java.io.IOException;

/** An entry changed between our check and our use of it; reported as {@code path_traversal}. */
final class ConcurrentChangeException extends IOException {
  private static final long serialVersionUID = 1L;

  ConcurrentChangeException(String rel) {
    super("'" + rel + "' changed while in use");
  }
}
