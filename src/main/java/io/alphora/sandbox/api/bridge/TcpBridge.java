package io.alphora.sandbox.api.bridge;

import io.alphora.sandbox.api.http.ApiKeys;
import io.alphora.sandbox.bus.Actions;
import io.alphora.sandbox.bus.Addresses;
import io.alphora.sandbox.config.BridgeConfig;
import io.alphora.sandbox.config.TlsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.eventbus.bridge.tcp.BridgeEvent;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP event-bus bridge: the public event-bus protocol (docs/event-bus.md) for clients in any
 * language, with Vert.x's TCP bridge framing (4-byte big-endian length, then a JSON frame).
 *
 * <p>Allow-list: clients may send to {@code <prefix>.manager}, {@code <prefix>.storage} and
 * {@code <prefix>.<sandbox_id>}, and listen on run addresses {@code <prefix>.<sandbox_id>.exec.<exec_id>}
 * (and, without API keys, on {@code <prefix>.events}). Everything else (the internal, backend and
 * node addresses, the audit trail) is refused by the bridge.
 *
 * <p>Authorisation: with API keys configured, every frame must carry {@code headers.api_key}; the
 * key's tenant replaces any {@code tenant} header, exactly as REST does, and the key is removed
 * before the message reaches the bus. An unknown or missing key is refused ({@code access_denied}).
 *
 * <p>With {@code bridge.tls.enabled} the bridge speaks TLS only; with a CA ({@code client_auth}
 * {@code required}, the default then) a client without a certificate signed by it cannot connect.
 */
public final class TcpBridge {
  private static final Logger LOG = LoggerFactory.getLogger(TcpBridge.class);
  static final String KEY_HEADER = "api_key";

  private TcpBridge() {}

  public static Future<TcpEventBusBridge> start(Vertx vertx, BridgeConfig config, Addresses addresses, ApiKeys keys) {
    String p = Pattern.quote(addresses.prefix());
    String id = "[A-Za-z0-9][A-Za-z0-9_-]{2,63}";
    Set<String> reserved = Set.of(addresses.audit(), addresses.events(), addresses.index(), addresses.nodes(),
        addresses.createLock());
    BridgeOptions options = new BridgeOptions()
        .addInboundPermitted(new PermittedOptions().setAddress(addresses.manager()))
        .addInboundPermitted(new PermittedOptions().setAddress(addresses.storage()))
        .addInboundPermitted(new PermittedOptions().setAddressRegex(p + "\\." + id))
        .addOutboundPermitted(new PermittedOptions().setAddressRegex(p + "\\." + id + "\\.exec\\.exe_[A-Za-z0-9_-]{8,64}"));
    if (!keys.enabled()) {
      options.addOutboundPermitted(new PermittedOptions().setAddress(addresses.events()));
    }
    NetServerOptions server;
    try {
      server = serverOptions(config.tls());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    TcpEventBusBridge bridge = TcpEventBusBridge.create(vertx, options, server,
        event -> authorise(event, keys, reserved));
    return bridge.listen(config.port(), config.host())
        .onSuccess(b -> LOG.info("event-bus bridge listening on {}://{}:{}{}", server.isSsl() ? "tls" : "tcp",
            config.host(), config.port(), server.isSsl() ? " (client certificates: "
                + server.getClientAuth().name().toLowerCase(java.util.Locale.ROOT) + ")" : ""));
  }

  /** Plain TCP, or TLS with this node's certificate and, when configured, client certificates. */
  static NetServerOptions serverOptions(TlsConfig tls) {
    NetServerOptions o = new NetServerOptions();
    if (!tls.enabled()) {
      return o;
    }
    o.setSsl(true).setKeyCertOptions(tls.keyCertOptions("bridge.tls")).setClientAuth(tls.clientAuthOrDefault());
    TrustOptions trust = tls.trustOptions("bridge.tls");
    return trust == null ? o : o.setTrustOptions(trust);
  }

  private static void authorise(BridgeEvent event, ApiKeys keys, Set<String> reserved) {
    BridgeEventType type = event.type();
    if (type == BridgeEventType.PUBLISH) { // every public address is request/reply
      event.complete(false);
      return;
    }
    if (type != BridgeEventType.SEND && type != BridgeEventType.REGISTER) {
      event.complete(true);
      return;
    }
    JsonObject raw = event.getRawMessage();
    String address = raw == null ? null : raw.getString("address");
    if (address == null || reserved.contains(address) && type == BridgeEventType.SEND) {
      event.complete(false);
      return;
    }
    JsonObject headers = raw.getJsonObject("headers", new JsonObject());
    Object key = headers.remove(KEY_HEADER);
    if (keys.enabled()) {
      String tenant = key instanceof String k ? keys.tenantOf(k) : null;
      if (tenant == null) {
        event.complete(false);
        return;
      }
      headers.put(Actions.TENANT_HEADER, tenant);
    }
    raw.put("headers", headers);
    event.setRawMessage(raw);
    event.complete(true);
  }
}
