package io.alphora.sandbox.config;

import io.vertx.core.json.JsonObject;

/**
 * The TCP event-bus bridge ({@code bridge:}): the event-bus protocol for non-JVM clients over
 * {@code vertx-tcp-eventbus-bridge} framing, limited to the public addresses.
 *
 * @param enabled listen ({@code enabled}, env {@code SANDBOX_BRIDGE})
 * @param host bind address ({@code host}, env {@code SANDBOX_BRIDGE_HOST}); without API keys only loopback
 * @param port TCP port ({@code port}, env {@code SANDBOX_BRIDGE_PORT})
 * @param tls TLS for the bridge's clients, client certificates optional or required ({@code tls:}, env
 *     {@code SANDBOX_BRIDGE_TLS_*})
 */
public record BridgeConfig(boolean enabled, String host, int port, TlsConfig tls) {

  /** Without TLS. */
  public BridgeConfig(boolean enabled, String host, int port) { this(enabled, host, port, TlsConfig.disabled()); }

  /** The built-in defaults. */
  public static BridgeConfig defaults() { return new BridgeConfig(false, "127.0.0.1", 7000); }

  static BridgeConfig parse(Section s) {
    BridgeConfig d = defaults();
    BridgeConfig c = new BridgeConfig(s.bool("enabled", d.enabled()), s.nonBlank("host", d.host()),
        s.integer("port", d.port(), 1, 65535), TlsConfig.parse(s.child("tls"), true));
    s.done();
    return c;
  }

  JsonObject toJson() {
    return new JsonObject().put("enabled", enabled).put("host", host).put("port", port).put("tls", tls.toJson(true));
  }
}
