package io.alphora.sandbox.storage.s3;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.storage.impl.StorageErrors;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Turns SDK failures into the API's codes: a missing key is {@code object_not_found}, an S3
 * refusal {@code storage_error}, a store that cannot be reached (connection refused, timeouts,
 * 503 SlowDown) {@code backend_unavailable}. Messages name the store and the fix, never a credential.
 */
final class S3Errors {
  private S3Errors() {}

  /**
   * @param what the operation, e.g. "put 'a/b.txt'"
   * @param key the key a 404 is about, or null when a 404 means something else
   * @param store how to name the store in messages
   */
  static SandboxException map(Throwable error, String what, String key, String store) {
    Throwable t = unwrap(error);
    if (t instanceof SandboxException se) {
      return se;
    }
    if (t instanceof NoSuchBucketException) {
      return StorageErrors.failed(what, "the bucket does not exist at " + store
          + ": create it or set storage.auto_create_bucket: true", t);
    }
    if (t instanceof NoSuchKeyException && key != null) {
      return StorageErrors.notFound(key);
    }
    if (t instanceof S3Exception s3) {
      int status = s3.statusCode();
      String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
      if (status == 404 && key != null) {
        return StorageErrors.notFound(key);
      }
      if (status == 503) {
        return StorageErrors.unavailable(store, what + ": the store is overloaded or down (HTTP 503 " + code + ")", t);
      }
      if (status == 403) {
        return StorageErrors.failed(what, store + " refused it (HTTP 403 " + code + "): check storage.access_key / "
            + "storage.secret_key (SANDBOX_STORAGE_ACCESS_KEY / _SECRET_KEY) and the bucket's policy", t);
      }
      String msg = s3.awsErrorDetails() == null ? s3.getMessage() : s3.awsErrorDetails().errorMessage();
      return StorageErrors.failed(what, store + " answered HTTP " + status + (code == null ? "" : " " + code)
          + (msg == null ? "" : ": " + msg), t);
    }
    if (t instanceof SdkClientException sce && String.valueOf(sce.getMessage()).contains("credentials")) {
      return new SandboxException(ErrorCode.STORAGE_ERROR, what + " failed: no credentials for " + store
          + ": set storage.access_key and storage.secret_key, or AWS_ACCESS_KEY_ID / a profile / an instance role",
          Map.of(), t);
    }
    if (t instanceof SdkClientException || t instanceof java.io.IOException) {
      return StorageErrors.unavailable(store, what + ": " + root(t)
          + " (check storage.endpoint / SANDBOX_STORAGE_ENDPOINT and that the store is running)", t);
    }
    return StorageErrors.failed(what, String.valueOf(t.getMessage()), t);
  }

  static boolean notFound(Throwable error) {
    Throwable t = unwrap(error);
    return t instanceof NoSuchKeyException || t instanceof NoSuchBucketException
        || (t instanceof S3Exception s && s.statusCode() == 404);
  }

  static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  /** The innermost message: "Connection refused", "Read timed out"… */
  private static String root(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    return m.length() > 200 ? m.substring(0, 200) + "…" : m;
  }
}
