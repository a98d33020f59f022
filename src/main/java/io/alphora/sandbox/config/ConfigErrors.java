package io.alphora.sandbox.config;

import io.alphora.sandbox.SandboxException.InvalidRequestException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds the field errors of the parsers. They are plain {@link InvalidRequestException}s (the REST
 * layer reuses {@link Limits}/{@link Policies}), with the path in {@code details.field} and the
 * sentence after the value in {@code details.problem}, so the loader can re-address them to the
 * variable or file the value came from.
 */
final class ConfigErrors {
  static final String FIELD = "field";
  static final String PROBLEM = "problem";
  static final String VALUE = "value";
  static final String RELATED = "related";

  private ConfigErrors() {}

  /** {@code key=value problem}; the value is left out for secrets and when {@code value} is null. */
  static InvalidRequestException invalid(String key, Object value, String problem) {
    Map<String, Object> details = new HashMap<>();
    details.put(FIELD, key);
    details.put(PROBLEM, problem);
    if (value != null) {
      details.put(VALUE, value);
    }
    String shown = value == null ? "" : "=" + render(key, value);
    return new InvalidRequestException(key + shown + " " + problem, details);
  }

  /**
   * A required value that is absent because of another setting ({@code related}, whose source the
   * loader reports): {@code storage.endpoint is required when storage.storage_type is 'minio'}.
   */
  static InvalidRequestException missing(String key, String related, String problem) {
    return new InvalidRequestException(key + " " + problem, Map.of(FIELD, key, PROBLEM, problem, RELATED, related));
  }

  /** A JSON-ish rendering of a value for a message: strings quoted, secrets masked, long values cut. */
  static String render(String key, Object value) {
    if (isSecret(key)) {
      return "***";
    }
    String s;
    if (value instanceof CharSequence) {
      s = "'" + maskUrl(value.toString()) + "'";
    } else if (value instanceof JsonObject o) {
      s = o.encode();
    } else if (value instanceof JsonArray a) {
      s = a.encode();
    } else {
      s = String.valueOf(value);
    }
    return s.length() > 120 ? s.substring(0, 117) + "..." : s;
  }

  /** Hides the password of {@code scheme://user:password@host/…}; other text is returned as is. */
  static String maskUrl(String url) {
    return url == null ? null : url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://[^/@:]*):[^/@]*@", "$1:***@");
  }

  /** Paths (or variable names) whose values must never be printed. */
  static boolean isSecret(String key) {
    String k = key.toLowerCase(java.util.Locale.ROOT);
    return k.contains("secret") || k.contains("password") || k.equals("sandbox_api_keys")
        || k.equals("auth.api_keys") || k.startsWith("auth.api_keys.");
  }
}
