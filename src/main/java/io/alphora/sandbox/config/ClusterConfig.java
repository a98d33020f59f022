package io.alphora.sandbox.config;

import static io.alphora.sandbox.config.ConfigErrors.invalid;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;

/**
 * Clustering ({@code cluster:} in the config file): a Vert.x cluster with the Hazelcast cluster
 * manager, TCP-IP discovery only (no multicast, no cloud auto-detection, no phone-home). Used by
 * {@code cluster.Clustering}.
 *
 * @param enabled join a cluster ({@code enabled}, env {@code SANDBOX_CLUSTER}, or {@code --cluster})
 * @param members TCP discovery members {@code host[:port]}; empty = the nodes on {@code host} at ports
 *     {@code port}..{@code port}+9 ({@code members}, env {@code SANDBOX_CLUSTER_MEMBERS} comma-separated)
 * @param host address Hazelcast binds and announces ({@code host}, env {@code SANDBOX_CLUSTER_HOST})
 * @param port Hazelcast port ({@code port}, env {@code SANDBOX_CLUSTER_PORT}, default 5701); with no
 *     members the next free port up to {@code port}+9 is taken
 * @param busHost address the clustered event bus binds and announces ({@code bus_host}, env
 *     {@code SANDBOX_CLUSTER_BUS_HOST}, default 127.0.0.1)
 * @param busPort event-bus port ({@code bus_port}, env {@code SANDBOX_CLUSTER_BUS_PORT}; 0 = any free port)
 * @param name cluster name: nodes with another name never join ({@code name}, env {@code SANDBOX_CLUSTER_NAME})
 * @param joinWaitSeconds Hazelcast's wait before joining ({@code join_wait_seconds}, env
 *     {@code SANDBOX_CLUSTER_JOIN_WAIT}); lets nodes started together form one cluster at once
 * @param failureSeconds a member silent this long is dropped and its sandboxes become {@code lost}
 *     ({@code failure_seconds}, env {@code SANDBOX_CLUSTER_FAILURE_SECONDS})
 * @param labels this node's labels ({@code labels}, env {@code SANDBOX_NODE_LABELS} comma-separated):
 *     {@code gpu} or {@code zone=eu-1}; a create with {@code node_labels} goes to a node carrying all of them
 * @param tls mutual TLS for the clustered event bus ({@code tls:}, env {@code SANDBOX_CLUSTER_TLS_*})
 */
public record ClusterConfig(boolean enabled, List<String> members, String host, int port, String busHost,
    int busPort, String name, int joinWaitSeconds, int failureSeconds, List<String> labels, TlsConfig tls) {

  /** A label: a name, or {@code key=value}; letters, digits and {@code _ . : / -}. */
  public static final String LABEL = "[A-Za-z0-9_.:/-]{1,63}(=[A-Za-z0-9_.:/-]{0,63})?";

  public ClusterConfig {
    members = List.copyOf(members);
    labels = List.copyOf(labels);
  }

  /** Without labels and TLS. */
  public ClusterConfig(boolean enabled, List<String> members, String host, int port, String busHost, int busPort,
      String name, int joinWaitSeconds, int failureSeconds) {
    this(enabled, members, host, port, busHost, busPort, name, joinWaitSeconds, failureSeconds, List.of(),
        TlsConfig.disabled());
  }

  /** The built-in defaults. */
  public static ClusterConfig defaults() {
    return new ClusterConfig(false, List.of(), "127.0.0.1", 5701, "127.0.0.1", 0, "alphora-sandbox", 5, 5);
  }

  static ClusterConfig parse(Section s) {
    ClusterConfig d = defaults();
    List<String> members = s.strings("members", d.members());
    for (int i = 0; i < members.size(); i++) {
      member(s.key("members") + "[" + i + "]", members.get(i));
    }
    String name = s.nonBlank("name", d.name());
    if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw invalid(s.key("name"), name, "must be 1-64 of A-Z a-z 0-9 _ . -");
    }
    List<String> labels = s.strings("labels", d.labels());
    for (int i = 0; i < labels.size(); i++) {
      if (!labels.get(i).matches(LABEL)) {
        throw invalid(s.key("labels") + "[" + i + "]", labels.get(i),
            "must be a name or key=value of letters, digits and _ . : / - (at most 63 each)");
      }
    }
    ClusterConfig c = new ClusterConfig(s.bool("enabled", d.enabled()), members,
        s.nonBlank("host", d.host()), s.integer("port", d.port(), 1, 65535),
        s.nonBlank("bus_host", d.busHost()), s.integer("bus_port", d.busPort(), 0, 65535), name,
        s.integer("join_wait_seconds", d.joinWaitSeconds(), 0, 60),
        s.integer("failure_seconds", d.failureSeconds(), 2, 300), labels, TlsConfig.parse(s.child("tls"), false));
    s.done();
    return c;
  }

  JsonObject toJson() {
    return new JsonObject().put("enabled", enabled).put("members", new JsonArray(members)).put("host", host)
        .put("port", port).put("bus_host", busHost).put("bus_port", busPort).put("name", name)
        .put("join_wait_seconds", joinWaitSeconds).put("failure_seconds", failureSeconds)
        .put("labels", new JsonArray(labels)).put("tls", tls.toJson(false));
  }

  private static void member(String key, String m) {
    try {
      URI u = new URI("tcp://" + m.trim());
      if (u.getHost() != null && u.getPath().isEmpty() && u.getPort() <= 65535 && u.getPort() != 0) {
        return;
      }
    } catch (java.net.URISyntaxException e) {
      // falls through to the error below
    }
    throw invalid(key, m, "must be host or host:port");
  }
}
