package io.alphora.sandbox.config;

import static io.alphora.sandbox.config.ConfigErrors.invalid;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;

/**
 * Clustering ({@code cluster:} in the config file). Parsed and validated here; the launcher uses it.
 *
 * @param enabled join a cluster ({@code enabled}, env {@code SANDBOX_CLUSTER}, or {@code --cluster})
 * @param members TCP discovery members {@code host[:port]}; empty = loopback defaults ({@code members},
 *     env {@code SANDBOX_CLUSTER_MEMBERS} comma-separated)
 * @param host address this node binds and announces ({@code host}, env {@code SANDBOX_CLUSTER_HOST})
 * @param port cluster port ({@code port}, env {@code SANDBOX_CLUSTER_PORT}, default 5701)
 */
public record ClusterConfig(boolean enabled, List<String> members, String host, int port) {

  public ClusterConfig {
    members = List.copyOf(members);
  }

  /** The built-in defaults. */
  public static ClusterConfig defaults() {
    return new ClusterConfig(false, List.of(), "127.0.0.1", 5701);
  }

  static ClusterConfig parse(Section s) {
    ClusterConfig d = defaults();
    List<String> members = s.strings("members", d.members());
    for (int i = 0; i < members.size(); i++) {
      member(s.key("members") + "[" + i + "]", members.get(i));
    }
    ClusterConfig c = new ClusterConfig(s.bool("enabled", d.enabled()), members,
        s.nonBlank("host", d.host()), s.integer("port", d.port(), 1, 65535));
    s.done();
    return c;
  }

  JsonObject toJson() {
    return new JsonObject().put("enabled", enabled).put("members", new JsonArray(members)).put("host", host)
        .put("port", port);
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
