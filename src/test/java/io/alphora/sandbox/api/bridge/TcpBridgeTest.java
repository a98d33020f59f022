package io.alphora.sandbox.api.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.TestCerts;
import io.alphora.sandbox.app.Main;
import io.alphora.sandbox.config.SandboxConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TCP event-bus bridge with a raw socket client (what a non-JVM client does): the documented
 * messages create a sandbox and run code; keys decide the tenant; internal addresses are refused.
 */
class TcpBridgeTest {
  /** The bridge's answers: not on the allow-list / refused by our authorisation handler. */
  private static final String[] REFUSED = {"access_denied", "blocked by bridgeEvent handler"};
  @TempDir
  Path base;
  Vertx vertx;
  Main.Started started;

  /** Cluster joins and closes can take a while on a loaded machine. */
  private static <T> T await(Future<T> f) { return io.alphora.sandbox.TestSupport.await(f, 120); }

  @AfterEach
  void tearDown() throws Exception {
    if (started != null) {
      await(started.node().manager().shutdown());
    }
    await(vertx.close());
  }

  /** One bridge connection: length-prefixed JSON frames. */
  static final class Client implements AutoCloseable {
    final Socket socket;
    final DataOutputStream out;
    final DataInputStream in;

    Client(int port) throws Exception { this(new Socket("127.0.0.1", port)); }

    Client(Socket connected) throws Exception {
      socket = connected;
      socket.setSoTimeout(60_000);
      out = new DataOutputStream(socket.getOutputStream());
      in = new DataInputStream(socket.getInputStream());
    }

    void write(JsonObject frame) throws Exception {
      byte[] b = frame.encode().getBytes(StandardCharsets.UTF_8);
      out.writeInt(b.length);
      out.write(b);
      out.flush();
    }

    JsonObject read() throws Exception {
      byte[] b = new byte[in.readInt()];
      in.readFully(b);
      return new JsonObject(new String(b, StandardCharsets.UTF_8));
    }

    /** A request: the reply frame (type "message", or "err" with failureCode / message). */
    JsonObject request(String address, String action, String apiKey, JsonObject body) throws Exception {
      JsonObject headers = new JsonObject().put("action", action);
      if (apiKey != null) {
        headers.put("api_key", apiKey);
      }
      write(new JsonObject().put("type", "send").put("address", address).put("replyAddress", "r-" + System.nanoTime())
          .put("headers", headers).put("body", body));
      return read();
    }

    @Override
    public void close() throws Exception { socket.close(); }
  }

  private int start(JsonObject extra) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    JsonObject c = new JsonObject().put("base_path", base.toString())
        .put("http", new JsonObject().put("port", 0))
        .put("manager", new JsonObject().put("idle_sweep_seconds", 0))
        .put("bridge", new JsonObject().put("enabled", true).put("port", port)).mergeIn(extra, true);
    vertx = Vertx.vertx();
    started = await(Main.start(vertx, SandboxConfig.fromJson(c)));
    return port;
  }

  @Test
  void rawClientCreatesRunsAndIsHeldToItsTenant() throws Exception {
    int port = start(new JsonObject().put("auth", new JsonObject().put("api_keys",
        new JsonObject().put("key-a", "team-a").put("key-b", "team-b"))));
    try (Client c = new Client(port)) {
      JsonObject created = c.request("alphora.sandbox.manager", "create", "key-a", new JsonObject().put("name", "tcp"));
      assertThat(created.getString("type")).as(created.encode()).isEqualTo("message");
      String id = created.getJsonObject("body").getString("sandbox_id");

      // follow the run's events, then run
      String execAddress = "alphora.sandbox." + id + ".exec.exe_tcpBridgeTest01";
      c.write(new JsonObject().put("type", "register").put("address", execAddress)
          .put("headers", new JsonObject().put("api_key", "key-a")));
      JsonObject run = c.request("alphora.sandbox." + id, "exec", "key-a", new JsonObject()
          .put("request", new JsonObject().put("code", "print(6*7)")).put("exec_id", "exe_tcpBridgeTest01"));
      // events and the reply share the socket: read until the reply
      java.util.List<JsonObject> frames = new java.util.ArrayList<>();
      frames.add(run);
      while (frames.stream().noneMatch(f -> f.getString("address", "").startsWith("r-"))) {
        frames.add(c.read());
      }
      JsonObject reply = frames.stream().filter(f -> f.getString("address", "").startsWith("r-")).findFirst()
          .orElseThrow();
      assertThat(reply.getJsonObject("body").getString("stdout")).isEqualTo("42\n");
      while (frames.stream().noneMatch(f -> f.getJsonObject("body", new JsonObject()).getString("type", "")
          .equals("exit"))) {
        frames.add(c.read());
      }
      assertThat(frames).anyMatch(f -> execAddress.equals(f.getString("address"))
          && "start".equals(f.getJsonObject("body").getString("type")));

      // another tenant's key does not see it; a tenant header cannot override the key's tenant
      JsonObject other = c.request("alphora.sandbox.manager", "get", "key-b", new JsonObject().put("sandbox_id", id));
      assertThat(other.getString("type")).isEqualTo("err");
      assertThat(other.getInteger("failureCode")).isEqualTo(404);
      c.write(new JsonObject().put("type", "send").put("address", "alphora.sandbox.manager").put("replyAddress", "r-x")
          .put("headers", new JsonObject().put("action", "get").put("api_key", "key-b").put("tenant", "team-a"))
          .put("body", new JsonObject().put("sandbox_id", id)));
      assertThat(c.read().getInteger("failureCode")).isEqualTo(404);

      // no key, a wrong key, an internal address, a publish: refused by the bridge
      assertThat(c.request("alphora.sandbox.manager", "list", null, new JsonObject()).getString("message"))
          .isIn(REFUSED);
      assertThat(c.request("alphora.sandbox.manager", "list", "nope", new JsonObject()).getString("message"))
          .isIn(REFUSED);
      String node = started.node().settings().nodeId();
      assertThat(c.request("alphora.sandbox.internal." + node, "shutdown", "key-a", new JsonObject())
          .getString("message")).isIn(REFUSED);
      assertThat(c.request("alphora.sandbox.backend.local." + node, "backend_destroy", "key-a", new JsonObject())
          .getString("message")).isIn(REFUSED);
      assertThat(c.request("alphora.sandbox.audit", "x", "key-a", new JsonObject()).getString("message"))
          .isIn(REFUSED);
      c.write(new JsonObject().put("type", "register").put("address", "alphora.sandbox.events")
          .put("headers", new JsonObject().put("api_key", "key-a")));
      assertThat(c.read().getString("message")).isIn(REFUSED);

      JsonObject listed = c.request("alphora.sandbox.manager", "list", "key-a", new JsonObject());
      assertThat(listed.getJsonObject("body").getJsonArray("sandboxes")).hasSize(1);
      assertThat(c.request("alphora.sandbox.manager", "destroy_all", "key-a", new JsonObject()).getString("type"))
          .isEqualTo("message");
    }
  }

  /** A TLS socket that trusts the test CA and shows {@code keyStore}'s certificate (none when null). */
  private static Socket tls(int port, TestCerts certs, Path keyStore) throws Exception {
    javax.net.ssl.KeyManager[] km = null;
    if (keyStore != null) {
      java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
      try (var in = java.nio.file.Files.newInputStream(keyStore)) {
        ks.load(in, TestCerts.PASSWORD.toCharArray());
      }
      javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
      kmf.init(ks, TestCerts.PASSWORD.toCharArray());
      km = kmf.getKeyManagers();
    }
    java.security.KeyStore ts = java.security.KeyStore.getInstance("PKCS12");
    try (var in = java.nio.file.Files.newInputStream(certs.trustStore)) {
      ts.load(in, TestCerts.PASSWORD.toCharArray());
    }
    javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
    tmf.init(ts);
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(km, tmf.getTrustManagers(), null);
    javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
    socket.setSoTimeout(20_000);
    socket.startHandshake();
    return socket;
  }

  /** True when the bridge answers a list request on this connection; false when it drops or refuses it. */
  private static boolean served(java.util.concurrent.Callable<Socket> connect) {
    try (Client c = new Client(connect.call())) {
      return "message".equals(c.request("alphora.sandbox.manager", "list", null, new JsonObject()).getString("type"));
    } catch (Exception refused) {
      return false;
    }
  }

  @Test
  void tlsBridgeServesOnlyClientsWithTheCasCertificate() throws Exception {
    TestCerts certs = TestCerts.create(base.resolve("certs"));
    int port = start(new JsonObject().put("bridge", new JsonObject().put("tls", new JsonObject().put("enabled", true)
        .put("cert_file", certs.certPem.toString()).put("key_file", certs.keyPem.toString())
        .put("ca_file", certs.caPem.toString()))));
    try (Client c = new Client(tls(port, certs, certs.keyStore))) {
      JsonObject created = c.request("alphora.sandbox.manager", "create", null, new JsonObject().put("name", "tls")
          .put("auto_start", false));
      assertThat(created.getString("type")).as(created.encode()).isEqualTo("message");
      assertThat(created.getJsonObject("body").getString("name")).isEqualTo("tls");
    }
    assertThat(served(() -> tls(port, certs, certs.keyStore))).as("a client with the CA's certificate").isTrue();
    assertThat(served(() -> tls(port, certs, null))).as("a TLS client without a certificate").isFalse();
    assertThat(served(() -> tls(port, certs, certs.strangerKeyStore))).as("a self-signed client").isFalse();
    assertThat(served(() -> new Socket("127.0.0.1", port))).as("a plain TCP client").isFalse();
  }

  @Test
  void tlsFilesThatCannotBeReadFailStartUpNamingTheKey() {
    JsonObject c = new JsonObject().put("base_path", base.toString()).put("bridge", new JsonObject()
        .put("enabled", true).put("port", 1).put("tls", new JsonObject().put("enabled", true)
            .put("key_store", base.resolve("missing.p12").toString())));
    vertx = Vertx.vertx();
    Throwable t = Main.start(vertx, SandboxConfig.fromJson(c)).toCompletionStage().toCompletableFuture()
        .handle((ok, err) -> err).join();
    assertThat(t).hasMessageContaining("bridge.tls.key_store").hasMessageContaining("missing.p12");
  }

  @Test
  void withoutKeysTheBridgeStaysOnLoopback() {
    JsonObject c = new JsonObject().put("base_path", base.toString())
        .put("bridge", new JsonObject().put("enabled", true).put("host", "0.0.0.0"));
    vertx = Vertx.vertx();
    Throwable t = Main.start(vertx, SandboxConfig.fromJson(c)).toCompletionStage().toCompletableFuture()
        .handle((ok, err) -> err).join();
    assertThat(t).hasMessageContaining("event-bus bridge").hasMessageContaining("without API keys");
  }
}
