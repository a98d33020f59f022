package io.alphora.sandbox.backend;

import io.alphora.sandbox.SandboxException;
import java.util.Map;
import java.util.regex.Pattern;

/** Environment variable names and values a sandbox accepts. */
public final class EnvVars {
  private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,255}");
  private static final int MAX_VALUE = 128 * 1024;

  private EnvVars() {}

  public static String checkKey(String key) {
    if (key == null || !KEY.matcher(key).matches()) {
      throw new SandboxException.InvalidRequestException("environment variable name '" + key
          + "' is invalid: use letters, digits and '_', not starting with a digit", Map.of("key", String.valueOf(key)));
    }
    return key;
  }

  public static String checkValue(String key, String value) {
    if (value == null) {
      throw new SandboxException.InvalidRequestException("environment variable '" + key + "' needs a string value",
          Map.of("key", key));
    }
    if (value.indexOf('\0') >= 0 || value.length() > MAX_VALUE) {
      throw new SandboxException.InvalidRequestException("environment variable '" + key
          + "' has a NUL byte or is longer than " + MAX_VALUE + " characters", Map.of("key", key));
    }
    return value;
  }

  public static void checkAll(Map<String, String> env) {
    env.forEach((k, v) -> checkValue(checkKey(k), v));
  }
}
