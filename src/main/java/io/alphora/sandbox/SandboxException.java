package io.alphora.sandbox;

import java.util.Map;

/**
 * Root of the error hierarchy (the seed's {@code SandboxError}). Every failure that reaches a client
 * carries an {@link ErrorCode}, which fixes the HTTP status and the event-bus failure code.
 */
public class SandboxException extends RuntimeException {
  private final ErrorCode code;
  private final Map<String, Object> details;

  public SandboxException(ErrorCode code, String message) { this(code, message, Map.of(), null); }

  public SandboxException(ErrorCode code, String message, Map<String, Object> details) {
    this(code, message, details, null);
  }

  public SandboxException(ErrorCode code, String message, Map<String, Object> details, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.details = details == null ? Map.of() : Map.copyOf(details);
  }

  public ErrorCode code() { return code; }

  public Map<String, Object> details() { return details; }

  public int status() { return code.status(); }

  /** Builds the most specific exception type for a code (used when an error crosses the bus). */
  public static SandboxException of(ErrorCode code, String message, Map<String, Object> details) {
    return switch (code) {
      case SANDBOX_NOT_FOUND -> new SandboxNotFoundException(message, details);
      case PATH_TRAVERSAL -> new PathTraversalException(message, details);
      case FILE_NOT_FOUND -> new SandboxFileNotFoundException(message, details);
      case SANDBOX_NOT_RUNNING, SANDBOX_ALREADY_RUNNING, SANDBOX_ALREADY_EXISTS ->
          new SandboxStateException(code, message, details);
      case SHELL_ACCESS_DENIED, SECURITY_VIOLATION -> new SecurityViolationException(code, message, details);
      case PACKAGE_INSTALL_FAILED, PACKAGE_NOT_FOUND -> new PackageException(code, message, details);
      case INVALID_REQUEST -> new InvalidRequestException(message, details);
      case BACKEND_ERROR, BACKEND_UNAVAILABLE, DOCKER_ERROR -> new BackendException(code, message, details);
      default -> new SandboxException(code, message, details);
    };
  }

  public static final class SandboxNotFoundException extends SandboxException {
    public SandboxNotFoundException(String message, Map<String, Object> details) {
      super(ErrorCode.SANDBOX_NOT_FOUND, message, details);
    }

    public static SandboxNotFoundException forId(String id) {
      return new SandboxNotFoundException("sandbox '" + id + "' not found", Map.of("sandbox_id", id));
    }
  }

  /** The seed's SandboxNotRunningError / SandboxAlreadyRunningError / SandboxAlreadyExistsError. */
  public static final class SandboxStateException extends SandboxException {
    public SandboxStateException(ErrorCode code, String message, Map<String, Object> details) {
      super(code, message, details);
    }

    /** {@code sandbox_not_running} for a sandbox whose runner is not there. */
    public static SandboxStateException notRunning(String sandboxId) {
      return new SandboxStateException(ErrorCode.SANDBOX_NOT_RUNNING,
          "sandbox '" + sandboxId + "' is not running: start it first", Map.of("sandbox_id", sandboxId));
    }
  }

  public static final class PathTraversalException extends SandboxException {
    public PathTraversalException(String message, Map<String, Object> details) {
      super(ErrorCode.PATH_TRAVERSAL, message, details);
    }

    public static PathTraversalException forPath(String path, String why) {
      return new PathTraversalException("path '" + path + "' " + why, Map.of("path", path));
    }
  }

  /** The seed's FileNotFoundError (renamed so it does not shadow java.io's). */
  public static final class SandboxFileNotFoundException extends SandboxException {
    public SandboxFileNotFoundException(String message, Map<String, Object> details) {
      super(ErrorCode.FILE_NOT_FOUND, message, details);
    }

    public static SandboxFileNotFoundException forPath(String path) {
      return new SandboxFileNotFoundException("file '" + path + "' not found", Map.of("path", path));
    }
  }

  public static final class SecurityViolationException extends SandboxException {
    public SecurityViolationException(ErrorCode code, String message, Map<String, Object> details) {
      super(code, message, details);
    }
  }

  public static final class PackageException extends SandboxException {
    public PackageException(ErrorCode code, String message, Map<String, Object> details) {
      super(code, message, details);
    }
  }

  /** The seed's ConfigurationError / InvalidConfigError and every malformed request. */
  public static final class InvalidRequestException extends SandboxException {
    public InvalidRequestException(String message, Map<String, Object> details) {
      super(ErrorCode.INVALID_REQUEST, message, details);
    }

    public InvalidRequestException(String message) { this(message, Map.of()); }
  }

  public static final class BackendException extends SandboxException {
    public BackendException(ErrorCode code, String message, Map<String, Object> details) {
      super(code, message, details);
    }
  }
}
