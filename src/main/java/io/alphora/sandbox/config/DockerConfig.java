package io.alphora.sandbox.config;

import static io.alphora.sandbox.config.ConfigErrors.invalid;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The Docker backend ({@code docker:} in the config file), with the seed's {@code DockerConfig}
 * names. Memory and CPU come from {@code resource_limits}; the seed's {@code memory_limit},
 * {@code cpu_quota} and {@code auto_remove} are accepted for old files and ignored, and
 * {@code privileged} may only be {@code false}. {@code docker_host} may also be the seed's object
 * form {@code {url, tls_verify, tls_ca_cert, tls_client_cert, tls_client_key}}.
 *
 * @param image runtime image ({@code image}, env {@code SANDBOX_DOCKER_IMAGE})
 * @param dockerHost daemon address {@code unix://…} or {@code tcp://…}, null = the local socket
 *     ({@code docker_host}, env {@code SANDBOX_DOCKER_HOST})
 * @param networkMode network of a sandbox whose network is not enabled ({@code network_mode})
 * @param user {@code uid:gid} sandboxes run as ({@code user})
 * @param workingDir workspace mount point in the container ({@code working_dir})
 * @param cpuPeriod CFS period in microseconds ({@code cpu_period})
 * @param pidsLimit most processes per container ({@code pids_limit})
 * @param readOnlyRoot read-only root file system ({@code read_only_root})
 * @param capDrop capabilities dropped ({@code cap_drop})
 * @param capAdd capabilities added back ({@code cap_add})
 * @param securityOpt Docker security options ({@code security_opt})
 * @param environment extra variables of every container ({@code environment})
 * @param volumes extra binds, host path → {@code container_path:ro|rw} ({@code volumes})
 * @param tlsVerify verify the daemon's TLS certificate ({@code tls_verify}, env
 *     {@code SANDBOX_DOCKER_TLS_VERIFY})
 * @param tlsCaCert CA file ({@code tls_ca_cert}, env {@code SANDBOX_DOCKER_TLS_CA_CERT})
 * @param tlsClientCert client certificate ({@code tls_client_cert}, env {@code SANDBOX_DOCKER_TLS_CLIENT_CERT})
 * @param tlsClientKey client key ({@code tls_client_key}, env {@code SANDBOX_DOCKER_TLS_CLIENT_KEY})
 * @param poolSize warm containers kept started per node for new sandboxes of the default shape
 *     ({@code pool_size}, env {@code SANDBOX_DOCKER_POOL_SIZE}); 0 = no pool
 * @param poolMaxAgeSeconds a warm container older than this is replaced ({@code pool_max_age_seconds},
 *     env {@code SANDBOX_DOCKER_POOL_MAX_AGE})
 * @param orphans what happens, when the service starts, to containers a previous instance of this
 *     node left behind: {@code adopt} (kept for their sandboxes, which restart in them; containers
 *     of unknown sandboxes and warm ones are removed) or {@code remove} (all removed)
 *     ({@code orphans}, env {@code SANDBOX_DOCKER_ORPHANS})
 * @param logMaxSize json-file log cap of a container (the runner's own stderr ends up there)
 *     ({@code log_max_size})
 * @param runnerChannel how the service talks to a container's runner: {@code socket} (a unix socket
 *     in the sandbox's directory; the daemon must see it), {@code attach} (the container's attached
 *     stdin/stdout, works with remote daemons) or {@code auto} (socket for unix:// daemons)
 *     ({@code runner_channel})
 * @param workspace where a container's {@code /workspace} lives: {@code bind} (the sandbox's host
 *     directory, bind-mounted; the daemon must see the service's base path), {@code volume} (a Docker
 *     named volume of the sandbox, reached only through the daemon's archive API and {@code docker
 *     exec}; for a daemon on another host) or {@code auto} (volume for tcp:// daemons, else bind)
 *     ({@code workspace}, env {@code SANDBOX_DOCKER_WORKSPACE})
 */
public record DockerConfig(
    String image, String dockerHost, String networkMode, String user, String workingDir, int cpuPeriod,
    int pidsLimit, boolean readOnlyRoot, List<String> capDrop, List<String> capAdd, List<String> securityOpt,
    Map<String, String> environment, Map<String, String> volumes, boolean tlsVerify, String tlsCaCert,
    String tlsClientCert, String tlsClientKey, int poolSize, int poolMaxAgeSeconds, String orphans,
    String logMaxSize, String runnerChannel, String workspace) {

  private static final Pattern CAPABILITY = Pattern.compile("[A-Za-z_]+");
  private static final Pattern MODE = Pattern.compile("(ro|rw)");
  private static final Pattern SIZE = Pattern.compile("[1-9][0-9]*[kmg]");

  public DockerConfig {
    capDrop = List.copyOf(capDrop);
    capAdd = List.copyOf(capAdd);
    securityOpt = List.copyOf(securityOpt);
    environment = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(environment));
    volumes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(volumes));
  }

  /** The built-in defaults. */
  public static DockerConfig defaults() {
    return new DockerConfig("alphora-sandbox-runtime:latest", null, "none", "65534:65534", "/workspace",
        100_000, 100, true, List.of("ALL"), List.of(), List.of("no-new-privileges:true"), Map.of(), Map.of(),
        false, null, null, null, 2, 600, "adopt", "1m", "auto", "auto");
  }

  static DockerConfig parse(Section s) {
    DockerConfig d = defaults();
    s.bool("auto_remove", true);
    s.string("memory_limit", null);
    s.integer("cpu_quota", 0, 0, Integer.MAX_VALUE);
    if (s.bool("privileged", false)) {
      throw invalid(s.key("privileged"), true, "is not supported: a privileged container is no sandbox");
    }
    DockerConfig c = new DockerConfig(
        s.nonBlank("image", d.image()),
        dockerHost(s),
        s.nonBlank("network_mode", d.networkMode()),
        s.nonBlank("user", d.user()),
        LocalConfig.absolute(s, "working_dir", d.workingDir()),
        s.integer("cpu_period", d.cpuPeriod(), 1000, 1_000_000),
        s.integer("pids_limit", d.pidsLimit(), 1, Integer.MAX_VALUE),
        s.bool("read_only_root", d.readOnlyRoot()),
        capabilities(s, "cap_drop", d.capDrop()),
        capabilities(s, "cap_add", d.capAdd()),
        s.strings("security_opt", d.securityOpt()),
        s.stringMap("environment", d.environment()),
        volumes(s),
        s.bool("tls_verify", d.tlsVerify()),
        s.nonBlank("tls_ca_cert", null),
        s.nonBlank("tls_client_cert", null),
        s.nonBlank("tls_client_key", null),
        s.integer("pool_size", d.poolSize(), 0, 100),
        s.integer("pool_max_age_seconds", d.poolMaxAgeSeconds(), 10, 86_400),
        s.nonBlank("orphans", d.orphans()),
        s.nonBlank("log_max_size", d.logMaxSize()),
        s.nonBlank("runner_channel", d.runnerChannel()),
        s.nonBlank("workspace", d.workspace()));
    s.done();
    if (!c.orphans().equals("adopt") && !c.orphans().equals("remove")) {
      throw invalid(s.key("orphans"), c.orphans(), "must be adopt or remove");
    }
    if (!List.of("auto", "socket", "attach").contains(c.runnerChannel())) {
      throw invalid(s.key("runner_channel"), c.runnerChannel(), "must be auto, socket or attach");
    }
    if (!List.of("auto", "bind", "volume").contains(c.workspace())) {
      throw invalid(s.key("workspace"), c.workspace(), "must be auto, bind or volume");
    }
    if (!SIZE.matcher(c.logMaxSize()).matches()) {
      throw invalid(s.key("log_max_size"), c.logMaxSize(), "must be a size like 512k, 1m or 1g");
    }
    if (c.tlsVerify() && (c.dockerHost() == null || !c.dockerHost().startsWith("tcp://"))) {
      throw invalid(s.key("tls_verify"), true, "needs a tcp:// docker.docker_host (SANDBOX_DOCKER_HOST)");
    }
    if ((c.tlsClientCert() == null) != (c.tlsClientKey() == null)) {
      String missing = c.tlsClientCert() == null ? "tls_client_cert" : "tls_client_key";
      throw invalid(s.key(missing), null, "is required when the other half of the client certificate is set");
    }
    return c;
  }

  JsonObject toJson() {
    return new JsonObject().put("image", image).put("docker_host", dockerHost).put("network_mode", networkMode)
        .put("user", user).put("working_dir", workingDir).put("cpu_period", cpuPeriod).put("pids_limit", pidsLimit)
        .put("read_only_root", readOnlyRoot).put("cap_drop", new JsonArray(capDrop))
        .put("cap_add", new JsonArray(capAdd)).put("security_opt", new JsonArray(securityOpt))
        .put("environment", new JsonObject(new LinkedHashMap<>(environment)))
        .put("volumes", new JsonObject(new LinkedHashMap<>(volumes))).put("tls_verify", tlsVerify)
        .put("tls_ca_cert", tlsCaCert).put("tls_client_cert", tlsClientCert).put("tls_client_key", tlsClientKey)
        .put("pool_size", poolSize).put("pool_max_age_seconds", poolMaxAgeSeconds).put("orphans", orphans)
        .put("log_max_size", logMaxSize).put("runner_channel", runnerChannel).put("workspace", workspace);
  }

  /** Whether containers get a named volume as workspace ({@code workspace}, with {@code auto} resolved). */
  public boolean volumeWorkspace() {
    return workspace.equals("volume") || (workspace.equals("auto") && dockerHost != null && dockerHost.startsWith("tcp://"));
  }

  private static String dockerHost(Section s) {
    String h = s.nonBlank("docker_host", null);
    if (h != null && !(h.startsWith("unix://") || h.startsWith("tcp://") || h.startsWith("npipe://"))) {
      throw invalid(s.key("docker_host"), h, "must start with unix://, tcp:// or npipe://");
    }
    return h;
  }

  private static List<String> capabilities(Section s, String name, List<String> def) {
    List<String> caps = s.strings(name, def);
    for (int i = 0; i < caps.size(); i++) {
      if (!CAPABILITY.matcher(caps.get(i)).matches()) {
        throw invalid(s.key(name) + "[" + i + "]", caps.get(i), "is not a capability name (like ALL or CHOWN)");
      }
    }
    return caps;
  }

  /** Host path → {@code container:mode}; the value may be {@code "/c"}, {@code "/c:ro"} or {@code {bind, mode}}. */
  private static Map<String, String> volumes(Section s) {
    Object raw = s.raw("volumes");
    if (raw == null) {
      return Map.of();
    }
    if (!(raw instanceof JsonObject o)) {
      throw invalid(s.key("volumes"), raw, "must be an object of host path to container path");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String host : o.fieldNames()) {
      String key = s.key("volumes") + "." + host;
      Object v = o.getValue(host);
      String bind;
      String mode = "rw";
      if (v instanceof JsonObject b) {
        Section bs = Section.of(b, key);
        bind = bs.nonBlank("bind", null);
        mode = bs.string("mode", "rw");
        bs.done();
      } else if (v instanceof String str) {
        int colon = str.lastIndexOf(':');
        boolean hasMode = colon > 0 && MODE.matcher(str.substring(colon + 1)).matches();
        bind = hasMode ? str.substring(0, colon) : str;
        mode = hasMode ? str.substring(colon + 1) : mode;
      } else {
        throw invalid(key, v, "must be a container path or {bind, mode}");
      }
      if (!host.startsWith("/") || bind == null || !bind.startsWith("/") || !MODE.matcher(mode).matches()) {
        throw invalid(key, v, "must map an absolute host path to an absolute container path with mode ro or rw");
      }
      out.put(host, bind + ":" + mode);
    }
    return out;
  }
}
