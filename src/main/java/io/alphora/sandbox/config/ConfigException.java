package io.alphora.sandbox.config;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A configuration value that cannot be used: start-up must stop. The message always names the key
 * (the YAML/JSON path such as {@code resource_limits.memory_mb}, or the variable such as
 * {@code SANDBOX_HTTP_PORT}), the offending value (secrets are never echoed), what was expected and,
 * when known, where the value came from:
 * {@code invalid config: SANDBOX_HTTP_PORT='abc' is not an integer (from environment)}.
 *
 * <p>Its code is {@link ErrorCode#INVALID_REQUEST}; {@link #key()} is also in {@link #details()} as
 * {@code field}.
 */
public final class ConfigException extends SandboxException {
  private final String key;
  private final String source;

  /**
   * @param key the key as the user wrote it (path or variable name)
   * @param problem what is wrong, starting with the key and value, e.g. {@code SANDBOX_X='y' is not …}
   * @param source where the value came from ({@code environment}, a file name…), or null
   */
  public ConfigException(String key, String problem, String source) {
    super(ErrorCode.INVALID_REQUEST,
        "invalid config: " + problem + (source == null ? "" : " (from " + source + ")"),
        details(key, source));
    this.key = key;
    this.source = source;
  }

  /** The key as the user wrote it: a dotted path ({@code http.port}) or a variable name. */
  public String key() { return key; }

  /** Where the value came from ({@code environment}, {@code system property}, a file path…), or null. */
  public String source() { return source; }

  private static Map<String, Object> details(String key, String source) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("field", key);
    if (source != null) {
      d.put("source", source);
    }
    return d;
  }
}
