package io.alphora.sandbox;

import java.util.Locale;

/**
 * One event of a run, as published on the run's event-bus address and forwarded by the WebSocket and
 * SSE: {@code start} (with the caller's {@code requestId}), then {@code stdout} / {@code stderr} pieces
 * as they are printed ({@code data}), then {@code exit} with the {@link ExecutionResult}. {@code seq}
 * starts at 0 and grows by one per event of a run, so a gap shows that something was lost.
 *
 * @param outputClipped on {@code exit} of a streamed run: the result's stdout/stderr keep only the
 *     first part of the output (every byte was delivered as events)
 */
public record ExecEvent(Type type, String execId, long seq, String requestId, String data,
    ExecutionResult result, boolean outputClipped) {

  /** The event types; {@link #value()} is the wire name. */
  public enum Type {
    START, STDOUT, STDERR, EXIT;

    public String value() { return name().toLowerCase(Locale.ROOT); }

    public static Type from(String wire) {
      for (Type t : values()) {
        if (t.value().equals(wire)) {
          return t;
        }
      }
      throw new IllegalArgumentException("unknown run event type '" + wire + "'");
    }
  }

  /** True for the last event of a run. */
  public boolean isExit() { return type == Type.EXIT; }

  /** True for {@code stdout} and {@code stderr}. */
  public boolean isOutput() { return type == Type.STDOUT || type == Type.STDERR; }
}
