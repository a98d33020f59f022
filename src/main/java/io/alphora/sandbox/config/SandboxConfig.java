package io.alphora.sandbox.config;

import io.alphora.sandbox.BackendType;
import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.SecurityPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * The service's whole configuration: an immutable tree, parsed and validated once at start-up.
 *
 * <p>Sources, later wins: built-in defaults → the config file ({@code conf/sandbox.yaml} in the
 * working directory if it exists, or the file given by {@code --conf}, JSON or YAML in the seed's
 * schema) → {@code SANDBOX_*} environment variables → Java system properties with the same names
 * ({@code -DSANDBOX_HTTP_PORT=9090}) → the override object of an embedding application. Keys are
 * snake_case; {@code conf/sandbox.yaml} documents every key, its variable and its unit.
 *
 * <p>A bad value fails with a {@link ConfigException} that names the key, the value, what is expected
 * and where it came from. Unknown keys are refused at every level, including inside
 * {@code resource_limits} and {@code security_policy} (the seed ignored those).
 *
 * @param basePath root of workspaces and the registry ({@code base_path}, env {@code SANDBOX_BASE_PATH})
 * @param backendType where sandboxes run ({@code backend_type}, env {@code SANDBOX_BACKEND})
 * @param resourceLimits default limits of new sandboxes ({@code resource_limits}: object or preset name)
 * @param securityPolicy default policy of new sandboxes ({@code security_policy}: object or preset name)
 * @param http the HTTP listener
 * @param manager the sandbox manager
 * @param local the local backend
 * @param docker the Docker backend
 * @param pip where packages come from
 * @param storage object storage
 * @param auth API keys
 * @param cluster clustering
 * @param bridge the TCP event-bus bridge
 * @param eventBusPrefix prefix of every event-bus address ({@code event_bus_prefix})
 * @param nodeId this node's id ({@code node_id}; random {@code node_xxxxxxxx} when not set)
 * @param enableLogging the seed's logging switch ({@code enable_logging})
 * @param logLevel TRACE, DEBUG, INFO, WARN or ERROR ({@code log_level})
 * @param startupTimeout seconds allowed for start-up ({@code startup_timeout})
 * @param shutdownTimeout seconds running executions get on shutdown ({@code shutdown_timeout})
 */
public record SandboxConfig(
    String basePath, BackendType backendType, ResourceLimits resourceLimits, SecurityPolicy securityPolicy,
    HttpConfig http, ManagerConfig manager, LocalConfig local, DockerConfig docker, PipConfig pip,
    StorageConfig storage, AuthConfig auth, ClusterConfig cluster, BridgeConfig bridge, String eventBusPrefix,
    String nodeId,
    boolean enableLogging, String logLevel, int startupTimeout, int shutdownTimeout) {

  /**
   * Loads the configuration from {@code sources} (reads the file off the event loop) and validates it.
   * Fails with a {@link ConfigException}, including for a {@code --conf} file that does not exist.
   */
  public static Future<SandboxConfig> load(Vertx vertx, ConfigSources sources) {
    return ConfigLoader.load(vertx, sources, ConfigLoader.DEFAULT_FILE);
  }

  /**
   * Parses and validates an already merged config object in the file schema (seed keys included).
   * Pure: no files, no environment.
   *
   * @throws ConfigException naming the first bad key
   */
  public static SandboxConfig fromJson(JsonObject merged) {
    return ConfigLoader.parse(merged);
  }

  /** The built-in defaults (with a fresh random node id). */
  public static SandboxConfig defaults() {
    return fromJson(new JsonObject());
  }

  /** The seed's top-level {@code auto_cleanup}: same as {@code manager().autoCleanup()}. */
  public boolean autoCleanup() {
    return manager.autoCleanup();
  }

  /** The seed's top-level {@code persist_files}: same as {@code manager().persistFiles()}. */
  public boolean persistFiles() {
    return manager.persistFiles();
  }

  /**
   * The tree in the file schema, for logs and status pages: {@code storage.secret_key} is
   * {@code "***"}, API keys are replaced by {@code "***1"}, {@code "***2"}… and passwords in pip URLs
   * are masked. Without secrets, {@code fromJson(c.toJson())} equals {@code c}.
   */
  public JsonObject toJson() {
    return new JsonObject()
        .put("base_path", basePath)
        .put("backend_type", backendType.value())
        .put("resource_limits", Limits.toJson(resourceLimits))
        .put("security_policy", Policies.toJson(securityPolicy))
        .put("http", http.toJson())
        .put("manager", manager.toJson())
        .put("local", local.toJson())
        .put("docker", docker.toJson())
        .put("pip", pip.toJson())
        .put("storage", storage.toJson())
        .put("auth", auth.toJson())
        .put("cluster", cluster.toJson())
        .put("bridge", bridge.toJson())
        .put("event_bus_prefix", eventBusPrefix)
        .put("node_id", nodeId)
        .put("enable_logging", enableLogging)
        .put("log_level", logLevel)
        .put("startup_timeout", startupTimeout)
        .put("shutdown_timeout", shutdownTimeout);
  }
}
