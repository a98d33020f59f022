package io.alphora.sandbox.api.mcp;

import io.alphora.sandbox.bus.BusClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live MCP sessions of this node. A session idle for longer than the timeout is ended by a
 * periodic sweep (its sandbox destroyed), after which its id answers 404 like an unknown one.
 * Sessions live in memory: a restart ends them all.
 */
final class McpSessions {
  private static final Logger LOG = LoggerFactory.getLogger(McpSessions.class);

  private final Map<String, McpSession> sessions = new ConcurrentHashMap<>();
  private final Duration idleTimeout;

  McpSessions(Vertx vertx, Duration idleTimeout) {
    this.idleTimeout = idleTimeout;
    long sweepMs = Math.max(100, Math.min(60_000, idleTimeout.toMillis() / 2));
    // set from the verticle's context: the timer dies with the verticle
    vertx.setPeriodic(sweepMs, t -> sweep());
  }

  McpSession create(String tenant, BusClient bus, String protocolVersion) {
    McpSession s = new McpSession(tenant, bus, protocolVersion, idleTimeout);
    sessions.put(s.id, s);
    return s;
  }

  /** The live session with that id, or null (unknown, ended or expired). */
  McpSession get(String id) {
    McpSession s = sessions.get(id);
    if (s != null && s.expired(System.nanoTime())) {
      end(id);
      return null;
    }
    return s;
  }

  /** Ends a session; completes when its sandbox is gone. */
  Future<Void> end(String id) {
    McpSession s = sessions.remove(id);
    return s == null ? Future.succeededFuture() : s.close();
  }

  int size() { return sessions.size(); }

  private void sweep() {
    long now = System.nanoTime();
    List<String> idle = new ArrayList<>();
    sessions.forEach((id, s) -> {
      if (s.expired(now)) {
        idle.add(id);
      }
    });
    if (!idle.isEmpty()) {
      LOG.info("ending {} idle MCP session(s)", idle.size());
      idle.forEach(this::end);
    }
  }
}
