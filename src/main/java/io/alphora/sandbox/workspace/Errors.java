package io.alphora.sandbox.workspace;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SandboxException.InvalidRequestException;
import io.alphora.sandbox.SandboxException.PathTraversalException;
import io.alphora.sandbox.SandboxException.SandboxFileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Map;

/** The workspace's error messages, in one place so they stay uniform: they name the path and the problem. */
public final class Errors {
  private Errors() {}

  public static SandboxFileNotFoundException notFound(String rel) {
    return SandboxFileNotFoundException.forPath(rel);
  }

  /** {@code component} is the '/'-joined prefix of {@code rel} that is the link. */
  public static PathTraversalException symlink(String rel, String component) {
    return rel.equals(component)
        ? PathTraversalException.forPath(rel, "is a symbolic link; links are not followed by file operations")
        : PathTraversalException.forPath(rel, "is refused: '" + component + "' is a symbolic link");
  }

  static PathTraversalException hardLink(String rel, long links) {
    return PathTraversalException.forPath(rel, "is a hard-linked file (" + links
        + " links); it may be a host file and is refused");
  }

  static PathTraversalException changed(String rel) {
    return PathTraversalException.forPath(rel, "changed while it was being opened (was it swapped for a link?)");
  }

  public static InvalidRequestException notRegular(String rel) {
    return new InvalidRequestException("path '" + rel + "' is not a regular file (fifo, socket or device)",
        Map.of("path", rel));
  }

  public static SandboxException isDirectory(String rel) {
    return new SandboxException(ErrorCode.IS_A_DIRECTORY, "path '" + rel + "' is a directory",
        Map.of("path", rel));
  }

  /** {@code component} is the part of {@code rel} that is a file where a directory is needed. */
  public static SandboxException notDirectory(String rel, String component) {
    String msg = rel.equals(component) ? "path '" + rel + "' is not a directory"
        : "path '" + rel + "' needs '" + component + "' to be a directory, but it is a file";
    return new SandboxException(ErrorCode.NOT_A_DIRECTORY, msg, Map.of("path", rel));
  }

  public static SandboxException tooLarge(String rel, long limit) {
    return new SandboxException(ErrorCode.PAYLOAD_TOO_LARGE,
        "file '" + rel + "' is larger than the limit of " + limit + " bytes", Map.of("path", rel, "limit", limit));
  }

  public static InvalidRequestException invalid(String message, String rel) {
    return new InvalidRequestException(message, Map.of("path", rel));
  }

  interface IoCall<T> {
    T call() throws IOException;
  }

  /** Runs {@code body}, turning any I/O failure into a {@link SandboxException} about {@code rel}. */
  static <T> T call(String op, String rel, IoCall<T> body) {
    try {
      return body.call();
    } catch (IOException e) {
      throw io(op, rel, e);
    } catch (DirectoryIteratorException e) {
      throw io(op, rel, e.getCause());
    }
  }

  /** Maps an unexpected I/O failure to the closest public error code. */
  static SandboxException io(String op, String rel, IOException e) {
    if (e instanceof NoSuchFileException) {
      return notFound(rel);
    }
    if (e instanceof ConcurrentChangeException) {
      return changed(rel);
    }
    String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
        : e instanceof AccessDeniedException ? "permission denied" : String.valueOf(e.getMessage());
    String msg = "cannot " + op + " '" + rel + "': " + reason;
    Map<String, Object> details = Map.of("path", rel, "reason", reason);
    if (reason.contains("No space left") || reason.contains("quota")) {
      return new SandboxException(ErrorCode.PAYLOAD_TOO_LARGE, msg + " (the workspace is full: it reached "
          + "resource_limits.disk_mb or security_policy.max_files_count; delete files to make room)", details, e);
    }
    if (e instanceof AccessDeniedException || reason.contains("name too long")) {
      return new SandboxException(ErrorCode.INVALID_REQUEST, msg, details, e);
    }
    return new SandboxException(ErrorCode.INTERNAL_ERROR, msg, details, e);
  }
}
