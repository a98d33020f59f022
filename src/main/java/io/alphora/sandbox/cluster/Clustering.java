package io.alphora.sandbox.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.TcpIpConfig;
import io.alphora.sandbox.config.ClusterConfig;
import io.alphora.sandbox.config.TlsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Builds the clustered Vert.x of a node: the Hazelcast cluster manager with TCP-IP discovery from
 * {@link ClusterConfig} (multicast, cloud auto-detection and phone-home off), and the event bus bound
 * to {@code cluster.bus_host:bus_port}, with mutual TLS when {@code cluster.tls} is enabled.
 */
public final class Clustering {
  /** Hazelcast heartbeats once a second so that a silent member is noticed within failure_seconds. */
  static final int HEARTBEAT_SECONDS = 1;

  private Clustering() {}

  /** Hazelcast's configuration for this node (starting from Vert.x's, which sets up its own maps). */
  public static Config hazelcast(ClusterConfig c) {
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(c.name());
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.wait.seconds.before.join", String.valueOf(c.joinWaitSeconds()));
    hz.setProperty("hazelcast.max.wait.seconds.before.join", String.valueOf(c.joinWaitSeconds() * 4));
    hz.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(HEARTBEAT_SECONDS));
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(c.failureSeconds()));
    hz.setProperty("hazelcast.shutdownhook.enabled", "false"); // Main drains first, then closes Vert.x
    NetworkConfig net = hz.getNetworkConfig();
    net.setPort(c.port()).setPortAutoIncrement(c.members().isEmpty()).setPortCount(10);
    net.setPublicAddress(null);
    net.getInterfaces().setEnabled(true).addInterface(c.host());
    hz.setProperty("hazelcast.socket.bind.any", "false");
    net.getJoin().getMulticastConfig().setEnabled(false);
    net.getJoin().getAutoDetectionConfig().setEnabled(false);
    net.getJoin().getAwsConfig().setEnabled(false);
    TcpIpConfig tcp = net.getJoin().getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(2);
    if (c.members().isEmpty()) {
      for (int p = c.port(); p < c.port() + 10 && p <= 65535; p++) {
        tcp.addMember(c.host() + ":" + p);
      }
    } else {
      c.members().forEach(m -> tcp.addMember(m.trim()));
    }
    return hz;
  }

  /**
   * The event bus on {@code bus_host:bus_port}; with {@code cluster.tls.enabled}, mutual TLS: every
   * connection between nodes is encrypted, and a node accepts only peers whose certificate its trust
   * accepts (each node is both client and server of the others). Peers are checked against the CA,
   * not by host name: the nodes announce addresses, not names. {@code EventBusOptions} trusts every
   * server by default ({@code trustAll}), so that is turned off: a node would otherwise send its
   * messages to any process that announced itself on the bus.
   */
  public static VertxOptions options(ClusterConfig c) {
    EventBusOptions bus = new EventBusOptions().setHost(c.busHost()).setPort(c.busPort())
        .setClusterPublicHost(c.busHost());
    TlsConfig tls = c.tls();
    if (tls.enabled()) {
      bus.setSsl(true).setKeyCertOptions(tls.keyCertOptions("cluster.tls"))
          .setTrustOptions(tls.trustOptions("cluster.tls")).setTrustAll(false).setClientAuth(ClientAuth.REQUIRED);
    }
    return new VertxOptions().setEventBusOptions(bus);
  }

  /** Joins the cluster; the Future completes once this node is a member. */
  public static Future<Vertx> join(ClusterConfig c) {
    VertxOptions options;
    try {
      options = options(c);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(hazelcast(c)))
        .buildClustered();
  }
}
