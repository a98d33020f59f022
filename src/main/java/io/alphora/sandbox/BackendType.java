package io.alphora.sandbox;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a sandbox runs. */
public enum BackendType {
  LOCAL, DOCKER;

  @JsonValue
  public String value() { return name().toLowerCase(Locale.ROOT); }

  @JsonCreator
  public static BackendType from(String v) {
    try {
      return valueOf(v.trim().toUpperCase(Locale.ROOT));
    } catch (RuntimeException e) {
      throw new SandboxException.InvalidRequestException(
          "unknown backend '" + v + "': use 'local' or 'docker'");
    }
  }
}
