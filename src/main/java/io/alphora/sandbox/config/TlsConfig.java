package io.alphora.sandbox.config;

import static io.alphora.sandbox.config.ConfigErrors.invalid;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.JksOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.net.TrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * TLS of a listener ({@code cluster.tls:} for the clustered event bus, {@code bridge.tls:} for the TCP
 * bridge). This node's certificate is either PEM files ({@code cert_file} + {@code key_file}) or a
 * key store ({@code key_store}, PKCS#12, or JKS when the name ends in {@code .jks}); the certificates
 * it trusts are a PEM file of CA certificates ({@code ca_file}) or a trust store ({@code trust_store}).
 *
 * @param enabled use TLS
 * @param certFile PEM certificate chain of this node
 * @param keyFile PEM private key (PKCS#8 or PKCS#1) of {@code certFile}
 * @param keyStore PKCS#12 (or {@code .jks}) key store with this node's key and certificate
 * @param keyStorePassword its password
 * @param caFile PEM file of the CA certificates whose certificates are accepted from the other side
 * @param trustStore PKCS#12 (or {@code .jks}) trust store, instead of {@code caFile}
 * @param trustStorePassword its password
 * @param clientAuth {@code none}, {@code request} or {@code required}: whether connecting clients must
 *     show a certificate the trust accepts; null = {@code required} when a trust is set, else
 *     {@code none}. The clustered event bus always requires one.
 */
public record TlsConfig(boolean enabled, String certFile, String keyFile, String keyStore, String keyStorePassword,
    String caFile, String trustStore, String trustStorePassword, String clientAuth) {

  /** TLS off. */
  public static TlsConfig disabled() { return new TlsConfig(false, null, null, null, null, null, null, null, null); }

  /**
   * Reads a {@code tls:} section. {@code withClientAuth}: the section has a {@code client_auth} key
   * (the bridge); without it (the event bus) a trust is required and clients always authenticate.
   */
  static TlsConfig parse(Section s, boolean withClientAuth) {
    TlsConfig c = new TlsConfig(s.bool("enabled", false), s.nonBlank("cert_file", null), s.nonBlank("key_file", null),
        s.nonBlank("key_store", null), s.string("key_store_password", null), s.nonBlank("ca_file", null),
        s.nonBlank("trust_store", null), s.string("trust_store_password", null),
        withClientAuth ? s.nonBlank("client_auth", null) : null);
    if (c.clientAuth != null && !c.clientAuth.matches("none|request|required")) {
      throw invalid(s.key("client_auth"), c.clientAuth, "must be none, request or required");
    }
    if ((c.certFile == null) != (c.keyFile == null)) {
      throw ConfigErrors.missing(s.key(c.certFile == null ? "cert_file" : "key_file"),
          s.key(c.certFile == null ? "key_file" : "cert_file"), "is required with " + s.key(c.certFile == null
              ? "key_file" : "cert_file"));
    }
    if (c.certFile != null && c.keyStore != null) {
      throw invalid(s.key("key_store"), c.keyStore, "cannot be set together with " + s.key("cert_file"));
    }
    if (c.caFile != null && c.trustStore != null) {
      throw invalid(s.key("trust_store"), c.trustStore, "cannot be set together with " + s.key("ca_file"));
    }
    if (c.enabled) {
      if (c.certFile == null && c.keyStore == null) {
        throw ConfigErrors.missing(s.key("cert_file"), s.key("enabled"),
            "(with key_file) or " + s.key("key_store") + " is required when " + s.key("enabled") + " is true");
      }
      boolean trust = c.caFile != null || c.trustStore != null;
      if (!trust && (!withClientAuth || c.clientAuth != null && !"none".equals(c.clientAuth))) {
        throw ConfigErrors.missing(s.key("ca_file"), s.key("enabled"), "or " + s.key("trust_store")
            + " is required " + (withClientAuth ? "when " + s.key("client_auth") + " is not none"
            : "when " + s.key("enabled") + " is true: the nodes check each other's certificates"));
      }
    }
    s.done();
    return c;
  }

  /** Who must show a certificate: see {@link #clientAuth()}. */
  public ClientAuth clientAuthOrDefault() {
    if (clientAuth == null) {
      return caFile != null || trustStore != null ? ClientAuth.REQUIRED : ClientAuth.NONE;
    }
    return ClientAuth.valueOf(clientAuth.toUpperCase(Locale.ROOT));
  }

  /**
   * This node's key and certificate for Vert.x. The files must be readable now: a missing one fails
   * start-up naming {@code section}'s key rather than at the first connection.
   */
  public KeyCertOptions keyCertOptions(String section) {
    if (certFile != null) {
      return new PemKeyCertOptions().setCertPath(readable(section + ".cert_file", certFile))
          .setKeyPath(readable(section + ".key_file", keyFile));
    }
    return store(readable(section + ".key_store", keyStore), keyStorePassword);
  }

  /** The certificates this node accepts from the other side, or null when none are configured. */
  public TrustOptions trustOptions(String section) {
    if (caFile != null) {
      return new PemTrustOptions().addCertPath(readable(section + ".ca_file", caFile));
    }
    if (trustStore != null) {
      return (TrustOptions) store(readable(section + ".trust_store", trustStore), trustStorePassword);
    }
    return null;
  }

  private static KeyCertOptions store(String path, String password) {
    return path.toLowerCase(Locale.ROOT).endsWith(".jks") ? new JksOptions().setPath(path).setPassword(password)
        : new PfxOptions().setPath(path).setPassword(password);
  }

  private static String readable(String key, String path) {
    if (!Files.isReadable(Path.of(path))) {
      throw new IllegalStateException(key + ": cannot read '" + path + "': check the path and its permissions");
    }
    return path;
  }

  JsonObject toJson(boolean withClientAuth) {
    JsonObject o = new JsonObject().put("enabled", enabled).put("cert_file", certFile).put("key_file", keyFile)
        .put("key_store", keyStore).put("key_store_password", keyStorePassword == null ? null : "***")
        .put("ca_file", caFile).put("trust_store", trustStore)
        .put("trust_store_password", trustStorePassword == null ? null : "***");
    return withClientAuth ? o.put("client_auth", clientAuth) : o;
  }
}
