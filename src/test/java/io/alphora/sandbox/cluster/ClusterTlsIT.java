package io.alphora.sandbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.TestCerts;
import io.alphora.sandbox.config.ClusterConfig;
import io.alphora.sandbox.config.TlsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clustered event bus with {@code cluster.tls} (real Hazelcast on loopback, four members in this
 * JVM): two nodes with certificates from the cluster's CA talk (one configured with PEM files, one with
 * PKCS#12 stores); a member with a self-signed certificate and one without TLS can neither send to
 * them nor receive from them.
 */
class ClusterTlsIT {
  @TempDir
  Path dir;
  private final List<Vertx> started = new ArrayList<>();

  /** Cluster joins and closes can take a while on a loaded machine. */
  private static <T> T await(Future<T> f) { return io.alphora.sandbox.TestSupport.await(f, 120); }

  @AfterEach
  void tearDown() throws Exception {
    for (Vertx v : started) {
      await(v.close());
    }
  }

  private Vertx join(List<String> members, int port, String name, TlsConfig tls) throws Exception {
    Vertx v = await(Clustering.join(new ClusterConfig(true, members, "127.0.0.1", port, "127.0.0.1", 0, name, 0, 5,
        List.of(), tls)));
    started.add(v);
    return v;
  }

  private static Throwable failureOf(Vertx from, String address) throws Exception {
    return from.eventBus().request(address, new JsonObject().put("hello", true), new DeliveryOptions()
        .setSendTimeout(4_000)).toCompletionStage().toCompletableFuture().handle((ok, err) -> err)
        .get(30, TimeUnit.SECONDS);
  }

  @Test
  void onlyNodesWithTheClustersCertificatesExchangeMessages() throws Exception {
    TestCerts certs = TestCerts.create(dir.resolve("certs"));
    int port = ThreadLocalRandom.current().nextInt(40_000, 50_000);
    List<String> members = List.of("127.0.0.1:" + port, "127.0.0.1:" + (port + 1), "127.0.0.1:" + (port + 2),
        "127.0.0.1:" + (port + 3));
    String name = "tls-" + port;
    TlsConfig pem = new TlsConfig(true, certs.certPem.toString(), certs.keyPem.toString(), null, null,
        certs.caPem.toString(), null, null, null);
    TlsConfig stores = new TlsConfig(true, null, null, certs.keyStore.toString(), TestCerts.PASSWORD, null,
        certs.trustStore.toString(), TestCerts.PASSWORD, null);
    TlsConfig stranger = new TlsConfig(true, certs.strangerCertPem.toString(), certs.strangerKeyPem.toString(), null,
        null, certs.caPem.toString(), null, null, null);
    Vertx a = join(members, port, name, pem);
    Vertx b = join(members, port + 1, name, stores);
    Vertx c = join(members, port + 2, name, stranger);
    Vertx d = join(members, port + 3, name, TlsConfig.disabled());
    assertThat(((io.vertx.core.internal.VertxInternal) a).clusterManager().getNodes()).hasSize(4);

    AtomicInteger received = new AtomicInteger();
    await(a.eventBus().<JsonObject>consumer("tls-it.a", m -> {
      received.incrementAndGet();
      m.reply(new JsonObject().put("from", "a"));
    }).completion());
    AtomicInteger strangerReceived = new AtomicInteger();
    await(c.eventBus().<JsonObject>consumer("tls-it.c", m -> {
      strangerReceived.incrementAndGet();
      m.reply(new JsonObject().put("from", "c"));
    }).completion());

    // b (PKCS#12 stores) reaches a (PEM files) over mutual TLS
    JsonObject reply = await(b.eventBus().<JsonObject>request("tls-it.a", new JsonObject(),
        new DeliveryOptions().setSendTimeout(30_000))).body();
    assertThat(reply.getString("from")).isEqualTo("a");
    assertThat(received).hasValue(1);

    // a self-signed certificate and a plain connection are refused by a's server
    assertThat(failureOf(c, "tls-it.a")).as("stranger -> a").isNotNull();
    assertThat(failureOf(d, "tls-it.a")).as("plain -> a").isNotNull();
    // and a's client does not accept the stranger's server certificate
    assertThat(failureOf(a, "tls-it.c")).as("a -> stranger").isNotNull();
    assertThat(received).as("nothing but b's message reached a").hasValue(1);
    assertThat(strangerReceived).as("nothing reached the stranger").hasValue(0);
  }
}
