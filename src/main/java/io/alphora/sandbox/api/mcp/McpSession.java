package io.alphora.sandbox.api.mcp;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.Ids;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.bus.Actions;
import io.alphora.sandbox.bus.BusClient;
import io.alphora.sandbox.impl.BusSandbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MCP session: the protocol version agreed on at {@code initialize}, the caller it belongs to,
 * and the session's own sandbox, created through the manager on the first tool call that names no
 * {@code sandbox_id} and destroyed with the session. Touched only from the HTTP verticle's event loop.
 */
final class McpSession {
  private static final Logger LOG = LoggerFactory.getLogger(McpSession.class);

  final String id = "mcp_" + Ids.random(32);
  final String tenant;
  final BusClient bus;
  final String protocolVersion;
  private final Duration idleTimeout;
  private volatile long lastUsedNanos = System.nanoTime();
  /** Shared by concurrent first calls, so a session never creates two sandboxes. */
  private Future<String> sandboxId;
  private boolean closed;

  McpSession(String tenant, BusClient bus, String protocolVersion, Duration idleTimeout) {
    this.tenant = tenant;
    this.bus = bus;
    this.protocolVersion = protocolVersion;
    this.idleTimeout = idleTimeout;
  }

  void touch() { lastUsedNanos = System.nanoTime(); }

  boolean expired(long nowNanos) { return nowNanos - lastUsedNanos > idleTimeout.toNanos(); }

  /** The session's sandbox, created (and started) on first use. */
  Future<Sandbox> sandbox() {
    if (closed) {
      return Future.failedFuture(new SandboxException(ErrorCode.INVALID_REQUEST, "the MCP session has ended"));
    }
    if (sandboxId == null) {
      // the manager also idle-cleans it (at twice the session timeout) should this node forget the session
      JsonObject create = new JsonObject().put("name", "mcp-session-" + id.substring(4, 12))
          .put("metadata", new JsonObject().put("created_by", "mcp"))
          .put("idle_timeout_seconds", idleTimeout.toSeconds() * 2);
      Future<String> created = bus.managerJson(Actions.CREATE, create).map(info -> info.getString("sandbox_id"));
      sandboxId = created;
      created.onFailure(t -> {
        if (sandboxId == created) {
          sandboxId = null; // let the next call try again (e.g. after sandbox_limit_reached)
        }
      });
    }
    return sandboxId.map(sid -> new BusSandbox(bus, sid));
  }

  /** Ends the session and destroys its sandbox, if it has one; never fails. */
  Future<Void> close() {
    closed = true;
    Future<String> sid = sandboxId;
    sandboxId = null;
    if (sid == null) {
      return Future.succeededFuture();
    }
    return sid.compose(s -> bus.sandbox(s, Actions.DESTROY, new JsonObject())
            .onFailure(t -> LOG.warn("MCP session {}: could not destroy its sandbox {}: {}", id, s, t.getMessage())))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }
}
