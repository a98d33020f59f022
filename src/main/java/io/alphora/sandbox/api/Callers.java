package io.alphora.sandbox.api;

import io.alphora.sandbox.bus.BusClient;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/**
 * Who an HTTP request acts for: the tenant-bound {@link BusClient} its commands travel with and the
 * tenant's name. The agent-tool and MCP routes take both from here, so state that outlives a request
 * (an MCP session) stays bound to the tenant that created it. {@link #open} acts for no tenant.
 */
public interface Callers {
  /** The bus client to send this request's commands with. */
  BusClient bus(RoutingContext ctx);

  /**
   * The tenant this request acts for, or null. State that outlives a request (an MCP session) is
   * bound to it: another tenant presenting the session id gets "not found".
   */
  default String tenant(RoutingContext ctx) { return null; }

  /** No authentication: every request uses {@code bus} as it is (embedding, tests). */
  static Callers open(BusClient bus) { return ctx -> bus; }

  /** Reads both from the request (what the authentication handler put on it). */
  static Callers of(Function<RoutingContext, BusClient> bus, Function<RoutingContext, String> tenant) {
    return new Callers() {
      @Override
      public BusClient bus(RoutingContext ctx) { return bus.apply(ctx); }

      @Override
      public String tenant(RoutingContext ctx) { return tenant.apply(ctx); }
    };
  }
}
