package io.alphora.sandbox.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alphora.sandbox.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every kind of bad value fails start-up with a message naming the key, the value and the source. */
class ConfigValidationTest extends ConfigTestSupport {

  @Test
  void badIntegerFromEnvironment() {
    ConfigException e = envFails(Map.of("SANDBOX_HTTP_PORT", "abc"));
    assertThat(e.getMessage()).isEqualTo("invalid config: SANDBOX_HTTP_PORT='abc' is not an integer (from environment)");
    assertThat(e.key()).isEqualTo("SANDBOX_HTTP_PORT");
    assertThat(e.source()).isEqualTo("environment");
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(envFails(Map.of("SANDBOX_TIMEOUT", "9999999999")).getMessage()).isEqualTo(
        "invalid config: SANDBOX_TIMEOUT='9999999999' is out of range (at most 2147483647) (from environment)");
  }

  @Test
  void badValueFromSystemProperty() {
    ConfigException e = loadFails(null, Map.of(), Map.of("SANDBOX_MEMORY_MB", "-1"), null);
    assertThat(e.getMessage())
        .isEqualTo("invalid config: SANDBOX_MEMORY_MB=-1 must be positive (from system property)");
  }

  @Test
  void negativeValueInFile() throws Exception {
    ConfigException e = fileFails("c.yaml", "resource_limits:\n  memory_mb: -5\n");
    assertThat(e.getMessage()).isEqualTo("invalid config: resource_limits.memory_mb=-5 must be positive (from "
        + dir.resolve("c.yaml") + ")");
    assertThat(e.key()).isEqualTo("resource_limits.memory_mb");
  }

  @Test
  void badBooleans() throws Exception {
    assertThat(envFails(Map.of("SANDBOX_NETWORK_ENABLED", "maybe")).getMessage()).isEqualTo(
        "invalid config: SANDBOX_NETWORK_ENABLED='maybe' is not a boolean: use true/false, 1/0, yes/no or on/off"
            + " (from environment)");
    // in JSON/YAML, a boolean must be a real boolean
    assertThat(fileFails("c.json", "{\"security_policy\": {\"allow_shell\": \"false\"}}").getMessage())
        .contains("security_policy.allow_shell='false' must be a boolean");
    assertThat(jsonFails(new JsonObject().put("manager", new JsonObject().put("auto_cleanup", 1))).getMessage())
        .isEqualTo("invalid config: manager.auto_cleanup=1 must be a boolean (true or false)");
  }

  @Test
  void badEnums() throws Exception {
    assertThat(envFails(Map.of("SANDBOX_BACKEND", "k8s")).getMessage())
        .isEqualTo("invalid config: SANDBOX_BACKEND='k8s' must be local or docker (from environment)");
    assertThat(jsonFails(new JsonObject().put("backend_type", "k8s")).getMessage())
        .isEqualTo("invalid config: backend_type='k8s' must be local or docker");
    assertThat(envFails(Map.of("SANDBOX_LOCAL_ISOLATION", "chroot")).getMessage())
        .contains("SANDBOX_LOCAL_ISOLATION='chroot' must be one of auto, bwrap, none");
    assertThat(envFails(Map.of("SANDBOX_STORAGE_TYPE", "gcs")).getMessage()).contains("SANDBOX_STORAGE_TYPE='gcs'");
    assertThat(envFails(Map.of("SANDBOX_LOG_LEVEL", "LOUD")).getMessage()).contains("SANDBOX_LOG_LEVEL='LOUD'");
    assertThat(envFails(Map.of("SANDBOX_SECURITY_POLICY", "lax")).getMessage()).isEqualTo(
        "invalid config: SANDBOX_SECURITY_POLICY='lax' is not a security_policy preset: use standard, strict or"
            + " permissive (from environment)");
    assertThat(fileFails("p.yaml", "resource_limits: huge\n").getMessage())
        .startsWith("invalid config: resource_limits='huge' is not a resource_limits preset");
  }

  @Test
  void badCpuCores() {
    assertThat(envFails(Map.of("SANDBOX_CPU_CORES", "1.5x")).getMessage())
        .isEqualTo("invalid config: SANDBOX_CPU_CORES='1.5x' is not a number (from environment)");
    assertThat(envFails(Map.of("SANDBOX_CPU_CORES", "NaN")).getMessage()).contains("SANDBOX_CPU_CORES='NaN'");
    assertThat(envFails(Map.of("SANDBOX_CPU_CORES", "0")).getMessage())
        .isEqualTo("invalid config: SANDBOX_CPU_CORES=0.0 must be greater than 0 and at most 1024 (from environment)");
    assertThat(jsonFails(new JsonObject().put("resource_limits", new JsonObject().put("cpu_cores", "2"))).getMessage())
        .contains("resource_limits.cpu_cores='2' must be a number");
  }

  @Test
  void unknownKeys() throws Exception {
    ConfigException top = fileFails("t.yaml", "resourse_limits: {memory_mb: 5}\n");
    assertThat(top.getMessage()).startsWith("invalid config: resourse_limits is not a known field: expected one of "
        + "base_path, backend_type, resource_limits");
    assertThat(top.key()).isEqualTo("resourse_limits");
    ConfigException nested = fileFails("n.json", "{\"resource_limits\": {\"memroy_mb\": 5}}");
    assertThat(nested.getMessage()).startsWith("invalid config: resource_limits.memroy_mb is not a known field");
    assertThat(nested.getMessage()).contains("memory_mb").endsWith("(from " + dir.resolve("n.json") + ")");
    assertThat(jsonFails(new JsonObject().put("security_policy", new JsonObject().put("allow_shel", true)))
        .key()).isEqualTo("security_policy.allow_shel");
    assertThat(jsonFails(new JsonObject().put("docker", new JsonObject().put("imgae", "x"))).key())
        .isEqualTo("docker.imgae");
    assertThat(loadFails(null, Map.of(), Map.of(), new JsonObject().put("instances", 2)).getMessage())
        .isEqualTo("invalid config: instances is not a known field: expected one of base_path, backend_type, "
            + "resource_limits, security_policy, http, manager, local, docker, pip, storage, auth, cluster, bridge, "
            + "event_bus_prefix, node_id, enable_logging, log_level, startup_timeout, shutdown_timeout"
            + " (from deployment config)");
  }

  @Test
  void minioWithoutEndpoint() {
    ConfigException e = envFails(Map.of("SANDBOX_STORAGE_TYPE", "minio", "SANDBOX_S3_ACCESS_KEY", "a",
        "SANDBOX_S3_SECRET_KEY", "b"));
    assertThat(e.key()).isEqualTo("storage.endpoint");
    assertThat(e.getMessage()).isEqualTo("invalid config: storage.endpoint is required when storage.storage_type is"
        + " 'minio': set storage.endpoint or SANDBOX_STORAGE_ENDPOINT (from environment)");
    assertThat(jsonFails(new JsonObject().put("storage", new JsonObject().put("storage_type", "s3")
        .put("secret_key", "x"))).key()).isEqualTo("storage.access_key");
  }

  @Test
  void portOutOfRange() throws Exception {
    assertThat(envFails(Map.of("SANDBOX_HTTP_PORT", "70000")).getMessage())
        .isEqualTo("invalid config: SANDBOX_HTTP_PORT=70000 must be between 0 and 65535 (from environment)");
    assertThat(fileFails("c.yaml", "http: {port: -1}\n").getMessage())
        .startsWith("invalid config: http.port=-1 must be between 0 and 65535");
    assertThat(envFails(Map.of("SANDBOX_CLUSTER_PORT", "0")).key()).isEqualTo("SANDBOX_CLUSTER_PORT");
  }

  @Test
  void wrongTypes() {
    assertThat(jsonFails(new JsonObject().put("http", "x")).getMessage())
        .isEqualTo("invalid config: http='x' must be an object");
    assertThat(jsonFails(new JsonObject().put("http", new JsonObject().put("port", "8080"))).getMessage())
        .isEqualTo("invalid config: http.port='8080' must be an integer");
    assertThat(jsonFails(new JsonObject().put("http", new JsonObject().put("port", 80.5))).key()).isEqualTo("http.port");
    assertThat(jsonFails(new JsonObject().put("docker", new JsonObject().put("cap_drop", "ALL"))).key())
        .isEqualTo("docker.cap_drop");
    assertThat(jsonFails(new JsonObject().put("docker", new JsonObject().put("environment",
        new JsonObject().put("A", 1)))).key()).isEqualTo("docker.environment.A");
    assertThat(jsonFails(new JsonObject().put("security_policy", new JsonObject().put("blocked_imports",
        new JsonArray().add("os").add("rm -rf")))).key()).isEqualTo("security_policy.blocked_imports[1]");
    assertThat(jsonFails(new JsonObject().put("resource_limits", 5)).getMessage())
        .contains("resource_limits=5 must be an object or a resource_limits preset name");
  }

  @Test
  void otherRules() {
    assertThat(jsonFails(new JsonObject().put("docker", new JsonObject().put("privileged", true))).key())
        .isEqualTo("docker.privileged");
    assertThat(jsonFails(new JsonObject().put("docker", new JsonObject().put("docker_host", "http://x"))).key())
        .isEqualTo("docker.docker_host");
    assertThat(envFails(Map.of("SANDBOX_DOCKER_TLS_VERIFY", "1")).getMessage())
        .contains("SANDBOX_DOCKER_TLS_VERIFY=true needs a tcp:// docker.docker_host");
    assertThat(envFails(Map.of("SANDBOX_PIP_INDEX_URL", "pypi.org")).key()).isEqualTo("SANDBOX_PIP_INDEX_URL");
    assertThat(jsonFails(new JsonObject().put("pip", new JsonObject().put("index_url", "")
        .put("extra_index_urls", new JsonArray().add("https://x/simple")))).key()).isEqualTo("pip.extra_index_urls");
    assertThat(envFails(Map.of("SANDBOX_PYTHON", "python3")).getMessage())
        .contains("SANDBOX_PYTHON='python3' must be an absolute path");
    assertThat(envFails(Map.of("SANDBOX_CLUSTER_MEMBERS", "a:1,b:99999")).key()).isEqualTo("SANDBOX_CLUSTER_MEMBERS[1]");
    assertThat(envFails(Map.of("SANDBOX_NODE_ID", "has space")).key()).isEqualTo("SANDBOX_NODE_ID");
    assertThat(jsonFails(new JsonObject().put("base_path", " ")).key()).isEqualTo("base_path");
  }

  @Test
  void tlsAndLabelRules() throws Exception {
    assertThat(envFails(Map.of("SANDBOX_CLUSTER_TLS", "true")).getMessage()).contains(
        "cluster.tls.cert_file (with key_file) or cluster.tls.key_store is required when cluster.tls.enabled is true");
    assertThat(envFails(Map.of("SANDBOX_CLUSTER_TLS", "true", "SANDBOX_CLUSTER_TLS_KEY_STORE", "/k.p12")).getMessage())
        .contains("cluster.tls.ca_file or cluster.tls.trust_store is required when cluster.tls.enabled is true");
    assertThat(envFails(Map.of("SANDBOX_CLUSTER_TLS_CERT_FILE", "/c.pem")).key()).isEqualTo("cluster.tls.key_file");
    assertThat(jsonFails(new JsonObject().put("bridge", new JsonObject().put("tls", new JsonObject()
        .put("ca_file", "/ca.pem").put("trust_store", "/t.p12")))).key()).isEqualTo("bridge.tls.trust_store");
    assertThat(envFails(Map.of("SANDBOX_BRIDGE_TLS_CLIENT_AUTH", "maybe")).key())
        .isEqualTo("SANDBOX_BRIDGE_TLS_CLIENT_AUTH");
    assertThat(jsonFails(new JsonObject().put("bridge", new JsonObject().put("tls", new JsonObject()
        .put("enabled", true).put("key_store", "/k.p12").put("client_auth", "required")))).getMessage())
        .contains("bridge.tls.ca_file or bridge.tls.trust_store is required when bridge.tls.client_auth is not none");
    // the bridge may use TLS without client certificates
    SandboxConfig bridge = load(null, Map.of("SANDBOX_BRIDGE_TLS", "yes", "SANDBOX_BRIDGE_TLS_KEY_STORE", "/k.p12",
        "SANDBOX_BRIDGE_TLS_KEY_STORE_PASSWORD", "pw"), Map.of(), null);
    assertThat(bridge.bridge().tls().clientAuthOrDefault()).isEqualTo(io.vertx.core.http.ClientAuth.NONE);
    assertThat(bridge.toJson().getJsonObject("bridge").getJsonObject("tls").getString("key_store_password"))
        .isEqualTo("***");
    SandboxConfig labels = load(null, Map.of("SANDBOX_NODE_LABELS", "gpu, zone=eu-1"), Map.of(), null);
    assertThat(labels.cluster().labels()).containsExactly("gpu", "zone=eu-1");
    assertThat(envFails(Map.of("SANDBOX_NODE_LABELS", "gpu,has space")).key()).isEqualTo("SANDBOX_NODE_LABELS[1]");
  }

  @Test
  void seedAliasConflictsAndRenamedKeys() throws Exception {
    ConfigException conflict = jsonFails(new JsonObject().put("auto_cleanup", true)
        .put("manager", new JsonObject().put("auto_cleanup", false)));
    assertThat(conflict.getMessage()).isEqualTo(
        "invalid config: auto_cleanup=true conflicts with manager.auto_cleanup=false: set only one of them");
    ConfigException renamed = fileFails("s.json", "{\"persist_files\": \"yes\"}");
    assertThat(renamed.getMessage()).startsWith("invalid config: persist_files='yes' must be a boolean");
    ConfigException hostForm = fileFails("h.json",
        "{\"docker\": {\"docker_host\": {\"url\": \"tcp://h:2376\", \"tls_verify\": \"yes\"}}}");
    assertThat(hostForm.key()).isEqualTo("docker.docker_host.tls_verify");
    assertThat(fileFails("u.json", "{\"docker\": {\"docker_host\": {\"uri\": \"x\"}}}").key())
        .isEqualTo("docker.docker_host.uri");
  }

  @Test
  void apiKeyErrorsNeverShowKeys() {
    ConfigException e = envFails(Map.of("SANDBOX_API_KEYS", "sk-secret-1:acme,:orphan"));
    assertThat(e.key()).isEqualTo("SANDBOX_API_KEYS");
    assertThat(e.getMessage()).contains("entry 1").doesNotContain("sk-secret-1");
    ConfigException dup = envFails(Map.of("SANDBOX_API_KEYS", "sk-secret-1:a,sk-secret-1:b"));
    assertThat(dup.getMessage()).contains("different tenant").doesNotContain("sk-secret-1");
    ConfigException tenant = jsonFails(new JsonObject().put("auth", new JsonObject().put("api_keys",
        new JsonObject().put("sk-secret-2", "bad tenant"))));
    assertThat(tenant.getMessage()).contains("invalid tenant").doesNotContain("sk-secret-2");
  }

  @Test
  void missingBrokenOrUnsupportedConfFile() throws Exception {
    Path missing = dir.resolve("nope.yaml");
    ConfigException e = loadFails(missing, Map.of(), Map.of(), null);
    assertThat(e.getMessage()).startsWith("invalid config: --conf file '" + missing + "' does not exist");
    assertThat(e.key()).isEqualTo("--conf");
    assertThat(fileFails("bad.yaml", "http: [unclosed\n").getMessage()).contains("bad.yaml").contains("not valid YAML");
    assertThat(fileFails("bad.json", "{\"http\": ").getMessage()).contains("bad.json").contains("not valid JSON");
    assertThat(fileFails("c.toml", "x = 1").getMessage()).contains("must end in .yaml, .yml or .json");
  }

  @Test
  void fromArgsWithoutValue() {
    assertThatThrownBy(() -> ConfigSources.fromArgs(new String[] {"--conf"}))
        .isInstanceOf(ConfigException.class).hasMessageContaining("--conf needs a file");
  }
}
