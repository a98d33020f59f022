package io.alphora.sandbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.alphora.sandbox.config.ClusterConfig;
import io.alphora.sandbox.config.TlsConfig;
import io.vertx.core.VertxOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Hazelcast configuration a node joins with: TCP-IP only, nothing leaves the configured hosts. */
class ClusteringTest {

  @Test
  void defaultsStayOnLoopbackWithoutMulticastOrPhoneHome() {
    Config hz = Clustering.hazelcast(ClusterConfig.defaults());
    JoinConfig join = hz.getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getAwsConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).hasSize(10).allMatch(m -> m.startsWith("127.0.0.1:"))
        .contains("127.0.0.1:5701", "127.0.0.1:5710");
    assertThat(hz.getNetworkConfig().getInterfaces().isEnabled()).isTrue();
    assertThat(hz.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
    assertThat(hz.getNetworkConfig().getPort()).isEqualTo(5701);
    assertThat(hz.getNetworkConfig().isPortAutoIncrement()).isTrue();
    assertThat(hz.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    assertThat(hz.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
    assertThat(hz.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("5");
    assertThat(hz.getClusterName()).isEqualTo("alphora-sandbox");
    // Vert.x's own structures (subscriptions, HA and node info) are kept
    assertThat(hz.getMultiMapConfigs()).containsKey("__vertx.subs");
    VertxOptions o = Clustering.options(ClusterConfig.defaults());
    assertThat(o.getEventBusOptions().getHost()).isEqualTo("127.0.0.1");
    assertThat(o.getEventBusOptions().getClusterPublicHost()).isEqualTo("127.0.0.1");
    assertThat(o.getEventBusOptions().getPort()).isZero();
  }

  @Test
  void explicitMembersPortsAndBusAddress() {
    ClusterConfig c = new ClusterConfig(true, List.of("10.0.0.1:5701", "10.0.0.2"), "10.0.0.3", 5801, "10.0.0.3",
        5802, "prod", 0, 8);
    Config hz = Clustering.hazelcast(c);
    assertThat(hz.getNetworkConfig().getJoin().getTcpIpConfig().getMembers())
        .containsExactly("10.0.0.1:5701", "10.0.0.2");
    assertThat(hz.getNetworkConfig().getPort()).isEqualTo(5801);
    assertThat(hz.getNetworkConfig().isPortAutoIncrement()).as("a fixed port with a member list").isFalse();
    assertThat(hz.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("10.0.0.3");
    assertThat(hz.getClusterName()).isEqualTo("prod");
    assertThat(hz.getProperty("hazelcast.wait.seconds.before.join")).isEqualTo("0");
    assertThat(hz.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("8");
    assertThat(Clustering.options(c).getEventBusOptions().getPort()).isEqualTo(5802);
  }

  @Test
  void tlsBusIsMutualAndTrustsOnlyTheConfiguredCa(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path cert = java.nio.file.Files.writeString(dir.resolve("c.pem"), "x");
    java.nio.file.Path key = java.nio.file.Files.writeString(dir.resolve("k.pem"), "x");
    java.nio.file.Path ca = java.nio.file.Files.writeString(dir.resolve("ca.pem"), "x");
    ClusterConfig d = ClusterConfig.defaults();
    ClusterConfig c = new ClusterConfig(true, List.of(), d.host(), d.port(), d.busHost(), 0, d.name(), 0, 5, List.of(),
        new TlsConfig(true, cert.toString(), key.toString(), null, null, ca.toString(), null, null, null));
    io.vertx.core.eventbus.EventBusOptions bus = Clustering.options(c).getEventBusOptions();
    assertThat(bus.isSsl()).isTrue();
    assertThat(bus.isTrustAll()).as("EventBusOptions trusts every server unless told not to").isFalse();
    assertThat(bus.getClientAuth()).isEqualTo(io.vertx.core.http.ClientAuth.REQUIRED);
    assertThat(((io.vertx.core.net.PemTrustOptions) bus.getTrustOptions()).getCertPaths()).containsExactly(ca.toString());
    assertThat(Clustering.options(d).getEventBusOptions().isSsl()).isFalse();
    ClusterConfig missing = new ClusterConfig(true, List.of(), d.host(), d.port(), d.busHost(), 0, d.name(), 0, 5,
        List.of(), new TlsConfig(true, cert.toString(), key.toString(), null, null, dir.resolve("nope.pem").toString(),
            null, null, null));
    assertThat(Clustering.join(missing).toCompletionStage().toCompletableFuture().handle((v, t) -> t).join())
        .hasMessageContaining("cluster.tls.ca_file").hasMessageContaining("nope.pem");
  }
}
