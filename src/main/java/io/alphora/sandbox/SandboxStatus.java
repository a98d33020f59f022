package io.alphora.sandbox;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Lifecycle states of a sandbox (the seed's SandboxStatus plus {@code lost}). */
public enum SandboxStatus {
  CREATED, STARTING, RUNNING, STOPPING, STOPPED, ERROR, DESTROYED, LOST;

  @JsonValue
  public String value() { return name().toLowerCase(Locale.ROOT); }

  @JsonCreator
  public static SandboxStatus from(String v) {
    try {
      return valueOf(v.trim().toUpperCase(Locale.ROOT));
    } catch (RuntimeException e) {
      throw new SandboxException.InvalidRequestException("unknown sandbox status '" + v + "'");
    }
  }
}
