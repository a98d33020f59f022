package io.alphora.sandbox.bus;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Errors across the bus: a failure is a {@link ReplyException} whose failure code is the HTTP status
 * and whose message is the error JSON {@code {"error":{code,message,details}}}, so a clustered
 * consumer in any language can read it.
 */
public final class BusErrors {
  private static final Logger LOG = LoggerFactory.getLogger(BusErrors.class);

  private BusErrors() {}

  /** The API's error body for any throwable (unexpected ones become {@code internal_error}). */
  public static JsonObject body(Throwable t) {
    SandboxException e = toSandboxException(t);
    return new JsonObject().put("error", new JsonObject()
        .put("code", e.code().code())
        .put("message", e.getMessage())
        .put("details", new JsonObject(new java.util.HashMap<>(e.details()))));
  }

  public static void fail(Message<?> msg, Throwable t) {
    SandboxException e = toSandboxException(t);
    msg.fail(e.status(), body(e).encode());
  }

  /** Turns whatever failed a bus request (or a local call) back into a typed SandboxException. */
  public static SandboxException toSandboxException(Throwable t) {
    if (t instanceof SandboxException se) {
      return se;
    }
    if (t instanceof ReplyException re) {
      if (re.failureType() == ReplyFailure.NO_HANDLERS) {
        return new SandboxException(ErrorCode.SANDBOX_NOT_FOUND, "no handler for the request: " + re.getMessage());
      }
      if (re.failureType() == ReplyFailure.TIMEOUT) {
        return new SandboxException(ErrorCode.BACKEND_UNAVAILABLE,
            "the sandbox did not answer in time: " + re.getMessage());
      }
      if (re.failureType() == ReplyFailure.ERROR) { // e.g. a clustered node that cannot be reached
        return new SandboxException(ErrorCode.BACKEND_UNAVAILABLE, "the request could not be delivered: "
            + re.getMessage());
      }
      String m = re.getMessage();
      if (m != null && m.startsWith("{")) {
        try {
          JsonObject err = new JsonObject(m).getJsonObject("error");
          Map<String, Object> details = err.getJsonObject("details", new JsonObject()).getMap();
          return SandboxException.of(ErrorCode.fromCode(err.getString("code")), err.getString("message"), details);
        } catch (DecodeException | ClassCastException | NullPointerException ignored) {
          // fall through: not one of ours
        }
      }
      return new SandboxException(ErrorCode.INTERNAL_ERROR, String.valueOf(m));
    }
    if (t instanceof ClassCastException) {
      return new SandboxException.InvalidRequestException(
          "a field of the request has the wrong type (" + t.getMessage() + ")");
    }
    if (t instanceof IllegalArgumentException || t instanceof DecodeException) {
      return new SandboxException.InvalidRequestException(String.valueOf(t.getMessage()));
    }
    LOG.error("unexpected failure", t);
    return new SandboxException(ErrorCode.INTERNAL_ERROR,
        "internal error: " + t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage()),
        Map.of(), t);
  }
}
