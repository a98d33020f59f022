package io.alphora.sandbox.config;

import io.alphora.sandbox.SandboxException.InvalidRequestException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code SANDBOX_*} variables (environment, or system properties of the same names) and the keys
 * they set. Values are converted to JSON types here, so the parser sees real booleans and numbers:
 * booleans accept {@code true/1/yes/on} and {@code false/0/no/off}; lists are comma-separated. An
 * empty variable counts as unset, except {@code SANDBOX_PIP_INDEX_URL} where {@code ""} means no
 * index. Where several names set one key, the first set one in the table wins
 * ({@code SANDBOX_STORAGE_*} before the seed's {@code SANDBOX_S3_*} and {@code SANDBOX_MINIO_*}).
 * Unknown {@code SANDBOX_*} names are logged as warnings and otherwise ignored.
 */
final class EnvMapping {
  static final String PREFIX = "SANDBOX_";
  private static final Logger LOG = LoggerFactory.getLogger(EnvMapping.class);
  private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  /** How a variable's text becomes a JSON value. */
  enum Kind { STRING, EMPTY_IS_VALUE, INT, LONG, DECIMAL, BOOL, LIST, API_KEYS }

  /** One key and the variables that set it, in precedence order. */
  record Var(String path, Kind kind, List<String> names) {
    Var(String path, Kind kind, String... names) {
      this(path, kind, List.of(names));
    }
  }

  static final List<Var> VARS = List.of(
      new Var("base_path", Kind.STRING, "SANDBOX_BASE_PATH"),
      new Var("backend_type", Kind.STRING, "SANDBOX_BACKEND"),
      new Var("node_id", Kind.STRING, "SANDBOX_NODE_ID"),
      new Var("event_bus_prefix", Kind.STRING, "SANDBOX_EVENT_BUS_PREFIX"),
      new Var("enable_logging", Kind.BOOL, "SANDBOX_ENABLE_LOGGING"),
      new Var("log_level", Kind.STRING, "SANDBOX_LOG_LEVEL"),
      new Var("startup_timeout", Kind.INT, "SANDBOX_STARTUP_TIMEOUT"),
      new Var("shutdown_timeout", Kind.INT, "SANDBOX_SHUTDOWN_TIMEOUT"),
      new Var("resource_limits.preset", Kind.STRING, "SANDBOX_RESOURCE_LIMITS"),
      new Var("resource_limits.timeout_seconds", Kind.INT, "SANDBOX_TIMEOUT"),
      new Var("resource_limits.memory_mb", Kind.INT, "SANDBOX_MEMORY_MB"),
      new Var("resource_limits.cpu_cores", Kind.DECIMAL, "SANDBOX_CPU_CORES"),
      new Var("resource_limits.disk_mb", Kind.INT, "SANDBOX_DISK_MB"),
      new Var("resource_limits.network_enabled", Kind.BOOL, "SANDBOX_NETWORK_ENABLED"),
      new Var("resource_limits.max_processes", Kind.INT, "SANDBOX_MAX_PROCESSES"),
      new Var("resource_limits.max_threads", Kind.INT, "SANDBOX_MAX_THREADS"),
      new Var("resource_limits.max_open_files", Kind.INT, "SANDBOX_MAX_OPEN_FILES"),
      new Var("resource_limits.max_output_size", Kind.LONG, "SANDBOX_MAX_OUTPUT_SIZE"),
      new Var("resource_limits.max_file_size", Kind.LONG, "SANDBOX_MAX_FILE_SIZE"),
      new Var("security_policy.preset", Kind.STRING, "SANDBOX_SECURITY_POLICY"),
      new Var("security_policy.allow_shell", Kind.BOOL, "SANDBOX_ALLOW_SHELL"),
      new Var("security_policy.allow_network", Kind.BOOL, "SANDBOX_ALLOW_NETWORK"),
      new Var("http.host", Kind.STRING, "SANDBOX_HTTP_HOST"),
      new Var("http.port", Kind.INT, "SANDBOX_HTTP_PORT"),
      new Var("http.max_body_bytes", Kind.LONG, "SANDBOX_HTTP_MAX_BODY"),
      new Var("http.cors_origins", Kind.LIST, "SANDBOX_HTTP_CORS_ORIGINS"),
      new Var("http.streaming.ws_max_runs", Kind.INT, "SANDBOX_WS_MAX_RUNS"),
      new Var("http.streaming.ws_max_frame_bytes", Kind.LONG, "SANDBOX_WS_MAX_FRAME_BYTES"),
      new Var("http.streaming.queue_bytes", Kind.LONG, "SANDBOX_STREAM_QUEUE_BYTES"),
      new Var("http.streaming.keepalive_seconds", Kind.INT, "SANDBOX_STREAM_KEEPALIVE"),
      new Var("http.streaming.ws_idle_seconds", Kind.INT, "SANDBOX_WS_IDLE_TIMEOUT"),
      new Var("manager.max_sandboxes", Kind.INT, "SANDBOX_MAX_SANDBOXES"),
      new Var("manager.idle_timeout_seconds", Kind.INT, "SANDBOX_IDLE_TIMEOUT"),
      new Var("manager.idle_sweep_seconds", Kind.INT, "SANDBOX_IDLE_SWEEP"),
      new Var("manager.auto_cleanup", Kind.BOOL, "SANDBOX_AUTO_CLEANUP"),
      new Var("manager.persist_files", Kind.BOOL, "SANDBOX_PERSIST_FILES"),
      new Var("manager.workspace_quota", Kind.STRING, "SANDBOX_WORKSPACE_QUOTA"),
      new Var("local.python", Kind.STRING, "SANDBOX_PYTHON"),
      new Var("local.isolation", Kind.STRING, "SANDBOX_LOCAL_ISOLATION"),
      new Var("local.bwrap_path", Kind.STRING, "SANDBOX_BWRAP_PATH"),
      new Var("local.cgroups", Kind.BOOL, "SANDBOX_LOCAL_CGROUPS"),
      new Var("local.allowed_host_paths", Kind.LIST, "SANDBOX_LOCAL_ALLOWED_HOST_PATHS"),
      new Var("docker.image", Kind.STRING, "SANDBOX_DOCKER_IMAGE"),
      new Var("docker.docker_host", Kind.STRING, "SANDBOX_DOCKER_HOST"),
      new Var("docker.pool_size", Kind.INT, "SANDBOX_DOCKER_POOL_SIZE"),
      new Var("docker.pool_max_age_seconds", Kind.INT, "SANDBOX_DOCKER_POOL_MAX_AGE"),
      new Var("docker.orphans", Kind.STRING, "SANDBOX_DOCKER_ORPHANS"),
      new Var("docker.workspace", Kind.STRING, "SANDBOX_DOCKER_WORKSPACE"),
      new Var("docker.tls_verify", Kind.BOOL, "SANDBOX_DOCKER_TLS_VERIFY"),
      new Var("docker.tls_ca_cert", Kind.STRING, "SANDBOX_DOCKER_TLS_CA_CERT"),
      new Var("docker.tls_client_cert", Kind.STRING, "SANDBOX_DOCKER_TLS_CLIENT_CERT"),
      new Var("docker.tls_client_key", Kind.STRING, "SANDBOX_DOCKER_TLS_CLIENT_KEY"),
      new Var("pip.index_url", Kind.EMPTY_IS_VALUE, "SANDBOX_PIP_INDEX_URL"),
      new Var("pip.find_links", Kind.STRING, "SANDBOX_PIP_FIND_LINKS"),
      new Var("pip.extra_index_urls", Kind.LIST, "SANDBOX_PIP_EXTRA_INDEX_URLS"),
      new Var("pip.timeout_seconds", Kind.INT, "SANDBOX_PIP_TIMEOUT"),
      new Var("storage.storage_type", Kind.STRING, "SANDBOX_STORAGE_TYPE"),
      new Var("storage.local_path", Kind.STRING, "SANDBOX_STORAGE_PATH"),
      new Var("storage.endpoint", Kind.STRING, "SANDBOX_STORAGE_ENDPOINT", "SANDBOX_S3_ENDPOINT", "SANDBOX_MINIO_ENDPOINT"),
      new Var("storage.access_key", Kind.STRING,
          "SANDBOX_STORAGE_ACCESS_KEY", "SANDBOX_S3_ACCESS_KEY", "SANDBOX_MINIO_ACCESS_KEY"),
      new Var("storage.secret_key", Kind.STRING,
          "SANDBOX_STORAGE_SECRET_KEY", "SANDBOX_S3_SECRET_KEY", "SANDBOX_MINIO_SECRET_KEY"),
      new Var("storage.bucket", Kind.STRING, "SANDBOX_STORAGE_BUCKET", "SANDBOX_S3_BUCKET", "SANDBOX_MINIO_BUCKET"),
      new Var("storage.region", Kind.STRING, "SANDBOX_STORAGE_REGION", "SANDBOX_S3_REGION", "SANDBOX_MINIO_REGION"),
      new Var("storage.secure", Kind.BOOL, "SANDBOX_STORAGE_SECURE", "SANDBOX_S3_SECURE", "SANDBOX_MINIO_SECURE"),
      new Var("storage.prefix", Kind.STRING, "SANDBOX_STORAGE_PREFIX"),
      new Var("storage.auto_create_bucket", Kind.BOOL, "SANDBOX_STORAGE_AUTO_CREATE_BUCKET"),
      new Var("storage.path_style", Kind.BOOL, "SANDBOX_STORAGE_PATH_STYLE"),
      new Var("auth.api_keys", Kind.API_KEYS, "SANDBOX_API_KEYS"),
      new Var("auth.api_keys_file", Kind.STRING, "SANDBOX_API_KEYS_FILE"),
      new Var("auth.tenant_max_sandboxes", Kind.INT, "SANDBOX_TENANT_MAX_SANDBOXES"),
      new Var("auth.tenant_max_concurrent_runs", Kind.INT, "SANDBOX_TENANT_MAX_RUNS"),
      new Var("cluster.enabled", Kind.BOOL, "SANDBOX_CLUSTER"),
      new Var("cluster.members", Kind.LIST, "SANDBOX_CLUSTER_MEMBERS"),
      new Var("cluster.host", Kind.STRING, "SANDBOX_CLUSTER_HOST"),
      new Var("cluster.port", Kind.INT, "SANDBOX_CLUSTER_PORT"),
      new Var("cluster.bus_host", Kind.STRING, "SANDBOX_CLUSTER_BUS_HOST"),
      new Var("cluster.bus_port", Kind.INT, "SANDBOX_CLUSTER_BUS_PORT"),
      new Var("cluster.name", Kind.STRING, "SANDBOX_CLUSTER_NAME"),
      new Var("cluster.join_wait_seconds", Kind.INT, "SANDBOX_CLUSTER_JOIN_WAIT"),
      new Var("cluster.failure_seconds", Kind.INT, "SANDBOX_CLUSTER_FAILURE_SECONDS"),
      new Var("cluster.labels", Kind.LIST, "SANDBOX_NODE_LABELS"),
      new Var("cluster.tls.enabled", Kind.BOOL, "SANDBOX_CLUSTER_TLS"),
      new Var("cluster.tls.cert_file", Kind.STRING, "SANDBOX_CLUSTER_TLS_CERT_FILE"),
      new Var("cluster.tls.key_file", Kind.STRING, "SANDBOX_CLUSTER_TLS_KEY_FILE"),
      new Var("cluster.tls.key_store", Kind.STRING, "SANDBOX_CLUSTER_TLS_KEY_STORE"),
      new Var("cluster.tls.key_store_password", Kind.STRING, "SANDBOX_CLUSTER_TLS_KEY_STORE_PASSWORD"),
      new Var("cluster.tls.ca_file", Kind.STRING, "SANDBOX_CLUSTER_TLS_CA_FILE"),
      new Var("cluster.tls.trust_store", Kind.STRING, "SANDBOX_CLUSTER_TLS_TRUST_STORE"),
      new Var("cluster.tls.trust_store_password", Kind.STRING, "SANDBOX_CLUSTER_TLS_TRUST_STORE_PASSWORD"),
      new Var("bridge.enabled", Kind.BOOL, "SANDBOX_BRIDGE"),
      new Var("bridge.host", Kind.STRING, "SANDBOX_BRIDGE_HOST"),
      new Var("bridge.port", Kind.INT, "SANDBOX_BRIDGE_PORT"),
      new Var("bridge.tls.enabled", Kind.BOOL, "SANDBOX_BRIDGE_TLS"),
      new Var("bridge.tls.cert_file", Kind.STRING, "SANDBOX_BRIDGE_TLS_CERT_FILE"),
      new Var("bridge.tls.key_file", Kind.STRING, "SANDBOX_BRIDGE_TLS_KEY_FILE"),
      new Var("bridge.tls.key_store", Kind.STRING, "SANDBOX_BRIDGE_TLS_KEY_STORE"),
      new Var("bridge.tls.key_store_password", Kind.STRING, "SANDBOX_BRIDGE_TLS_KEY_STORE_PASSWORD"),
      new Var("bridge.tls.ca_file", Kind.STRING, "SANDBOX_BRIDGE_TLS_CA_FILE"),
      new Var("bridge.tls.trust_store", Kind.STRING, "SANDBOX_BRIDGE_TLS_TRUST_STORE"),
      new Var("bridge.tls.trust_store_password", Kind.STRING, "SANDBOX_BRIDGE_TLS_TRUST_STORE_PASSWORD"),
      new Var("bridge.tls.client_auth", Kind.STRING, "SANDBOX_BRIDGE_TLS_CLIENT_AUTH"));

  private EnvMapping() {}

  /** Every variable name this class reads, in table order. */
  static Set<String> names() {
    Set<String> all = new LinkedHashSet<>();
    VARS.forEach(v -> all.addAll(v.names()));
    return all;
  }

  /**
   * The layer that {@code vars} describe.
   *
   * @param source {@code environment} or {@code system property}, for messages
   * @throws ConfigException naming the variable when a value does not convert
   */
  static Layers.Layer layer(Map<String, String> vars, String source) {
    JsonObject data = new JsonObject();
    Map<String, String> names = new HashMap<>();
    for (Var v : VARS) {
      for (String name : v.names()) {
        String raw = vars.get(name);
        if (raw == null || raw.isEmpty() && v.kind() != Kind.EMPTY_IS_VALUE) {
          continue;
        }
        put(data, v.path(), convert(v.kind(), name, raw, source));
        names.put(v.path(), name);
        break;
      }
    }
    warnUnknown(vars, source);
    return new Layers.Layer(source, data, names);
  }

  private static Object convert(Kind kind, String name, String raw, String source) {
    String s = raw.trim();
    try {
      return switch (kind) {
        case STRING -> s;
        case EMPTY_IS_VALUE -> s;
        case INT -> Integer.parseInt(s);
        case LONG -> Long.parseLong(s);
        case DECIMAL -> {
          if (!DECIMAL.matcher(s).matches()) {
            throw new NumberFormatException(s);
          }
          yield Double.parseDouble(s);
        }
        case BOOL -> bool(name, raw, s, source);
        case LIST -> new JsonArray(List.of(s.split(",")).stream().map(String::trim).filter(e -> !e.isEmpty()).toList());
        case API_KEYS -> AuthConfig.parseList(name, s);
      };
    } catch (NumberFormatException e) {
      String problem = kind == Kind.DECIMAL ? "is not a number"
          : s.matches("[+-]?\\d+") ? "is out of range (at most " + (kind == Kind.INT ? Integer.MAX_VALUE : Long.MAX_VALUE) + ")"
          : "is not an integer";
      throw new ConfigException(name, name + "=" + ConfigErrors.render(name, raw) + " " + problem, source);
    } catch (InvalidRequestException e) {
      throw new ConfigException(name, e.getMessage(), source);
    }
  }

  private static Boolean bool(String name, String raw, String s, String source) {
    switch (s.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on":
        return true;
      case "false", "0", "no", "off":
        return false;
      default:
        throw new ConfigException(name, name + "=" + ConfigErrors.render(name, raw)
            + " is not a boolean: use true/false, 1/0, yes/no or on/off", source);
    }
  }

  private static void put(JsonObject root, String path, Object value) {
    String[] parts = path.split("\\.");
    JsonObject o = root;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject next = o.getJsonObject(parts[i]);
      if (next == null) {
        next = new JsonObject();
        o.put(parts[i], next);
      }
      o = next;
    }
    o.put(parts[parts.length - 1], value);
  }

  private static void warnUnknown(Map<String, String> vars, String source) {
    Set<String> known = names();
    Set<String> unknown = new TreeSet<>();
    for (String name : vars.keySet()) {
      if (name.startsWith(PREFIX) && !known.contains(name)) {
        unknown.add(name);
      }
    }
    if (!unknown.isEmpty()) {
      LOG.warn("ignoring unknown {} {} (conf/sandbox.yaml lists the supported SANDBOX_* names)", source, unknown);
    }
  }
}
