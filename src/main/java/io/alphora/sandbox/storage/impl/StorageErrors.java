package io.alphora.sandbox.storage.impl;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import java.util.Map;

/** The storage error messages, in one place: they name the key or the store and the fix. */
public final class StorageErrors {
  private StorageErrors() {}

  public static SandboxException notFound(String key) {
    return new SandboxException(ErrorCode.OBJECT_NOT_FOUND, "object '" + key + "' not found", Map.of("key", key));
  }

  public static SandboxException unavailable(String store, String why, Throwable cause) {
    return new SandboxException(ErrorCode.BACKEND_UNAVAILABLE, "storage " + store + " is not reachable: " + why,
        Map.of("store", store), cause);
  }

  public static SandboxException failed(String what, String why, Throwable cause) {
    return new SandboxException(ErrorCode.STORAGE_ERROR, what + " failed: " + why, Map.of(), cause);
  }

  public static SandboxException tooLarge(long limit, String hint) {
    return new SandboxException(ErrorCode.PAYLOAD_TOO_LARGE, "the object is larger than the limit of " + limit
        + " bytes" + (hint == null ? "" : ": " + hint), Map.of("limit", limit));
  }
}
