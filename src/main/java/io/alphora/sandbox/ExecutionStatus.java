package io.alphora.sandbox;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The seed's ExecutionStatus, used for real here. */
public enum ExecutionStatus {
  PENDING, RUNNING, SUCCESS, FAILED, TIMEOUT, CANCELLED;

  @JsonValue
  public String value() { return name().toLowerCase(Locale.ROOT); }

  @JsonCreator
  public static ExecutionStatus from(String v) { return valueOf(v.toUpperCase(Locale.ROOT)); }

  public boolean finished() { return this != PENDING && this != RUNNING; }
}
