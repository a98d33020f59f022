package io.alphora.sandbox;

/** The public error codes of the API and the HTTP status each maps to (see API.md). */
public enum ErrorCode {
  INVALID_REQUEST(400), PATH_TRAVERSAL(400), UNAUTHORIZED(401),
  SECURITY_VIOLATION(403), SHELL_ACCESS_DENIED(403),
  SANDBOX_NOT_FOUND(404), FILE_NOT_FOUND(404), PACKAGE_NOT_FOUND(404), ENV_NOT_FOUND(404),
  OBJECT_NOT_FOUND(404), EXECUTION_NOT_FOUND(404),
  SANDBOX_ALREADY_EXISTS(409), SANDBOX_NOT_RUNNING(409), SANDBOX_ALREADY_RUNNING(409),
  NOT_A_DIRECTORY(409), IS_A_DIRECTORY(409),
  SANDBOX_LOST(410), PAYLOAD_TOO_LARGE(413), PACKAGE_INSTALL_FAILED(422),
  SANDBOX_LIMIT_REACHED(429), RATE_LIMITED(429), INTERNAL_ERROR(500),
  BACKEND_ERROR(502), DOCKER_ERROR(502), STORAGE_ERROR(502), BACKEND_UNAVAILABLE(503);

  private final int status;

  ErrorCode(int status) { this.status = status; }

  /** HTTP status (also the event-bus failure code). */
  public int status() { return status; }

  /** The snake_case wire name, e.g. {@code sandbox_not_found}. */
  public String code() { return name().toLowerCase(java.util.Locale.ROOT); }

  public static ErrorCode fromCode(String code) {
    try {
      return valueOf(code.toUpperCase(java.util.Locale.ROOT));
    } catch (RuntimeException e) {
      return INTERNAL_ERROR;
    }
  }
}
