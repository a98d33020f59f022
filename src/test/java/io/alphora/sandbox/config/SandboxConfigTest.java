package io.alphora.sandbox.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alphora.sandbox.BackendType;
import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.SecurityPolicy;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@SuppressWarnings("unchecked")
class SandboxConfigTest extends ConfigTestSupport {

  @Test
  void defaults() throws Exception {
    SandboxConfig c = loadEnv(Map.of());
    assertThat(c.basePath()).isEqualTo("/tmp/sandboxes");
    assertThat(c.backendType()).isEqualTo(BackendType.LOCAL);
    assertThat(c.resourceLimits()).isEqualTo(ResourceLimits.standard());
    assertThat(c.securityPolicy()).isEqualTo(SecurityPolicy.standard());
    assertThat(c.http()).isEqualTo(new HttpConfig("127.0.0.1", 8080, 10_485_760L, List.of()));
    assertThat(c.manager()).isEqualTo(new ManagerConfig(100, 3600, 60, false, false,
        io.alphora.sandbox.backend.WorkspaceVolumes.Mode.AUTO));
    assertThat(c.autoCleanup()).isFalse();
    assertThat(c.persistFiles()).isFalse(); // opt-in: it archives every stopped workspace to storage
    assertThat(c.local()).isEqualTo(new LocalConfig("/usr/bin/python3", LocalConfig.Isolation.BWRAP, "/usr/bin/bwrap", true));
    assertThat(c.docker()).isEqualTo(DockerConfig.defaults());
    assertThat(c.docker().image()).isEqualTo("alphora-sandbox-runtime:latest");
    assertThat(c.docker().user()).isEqualTo("65534:65534");
    assertThat(c.docker().capDrop()).containsExactly("ALL");
    assertThat(c.docker().readOnlyRoot()).isTrue();
    assertThat(c.pip()).isEqualTo(new PipConfig(null, false, null, List.of(), 600));
    assertThat(c.storage()).isEqualTo(StorageConfig.defaults("/tmp/sandboxes"));
    assertThat(c.storage().localPath()).isEqualTo("/tmp/sandboxes/storage");
    assertThat(c.storage().bucket()).isEqualTo("sandboxes");
    assertThat(c.storage().region()).isEqualTo("us-east-1");
    assertThat(c.auth().apiKeys()).isEmpty();
    assertThat(c.auth().enabled()).isFalse();
    assertThat(c.cluster()).isEqualTo(ClusterConfig.defaults());
    assertThat(c.bridge()).isEqualTo(BridgeConfig.defaults());
    assertThat(c.eventBusPrefix()).isEqualTo("alphora.sandbox");
    assertThat(c.nodeId()).matches("node_[a-z0-9]{8}");
    assertThat(c.enableLogging()).isTrue();
    assertThat(c.logLevel()).isEqualTo("INFO");
    assertThat(c.startupTimeout()).isEqualTo(30);
    assertThat(c.shutdownTimeout()).isEqualTo(10);
    assertThat(SandboxConfig.defaults()).usingRecursiveComparison().ignoringFields("nodeId").isEqualTo(c);
  }

  @Test
  void shippedConfFileEqualsTheBuiltInDefaults() throws Exception {
    Path shipped = Path.of(System.getProperty("sandbox.conf", "conf/sandbox.yaml"));
    assertThat(shipped).as("run from the project root").exists();
    SandboxConfig fromFile = load(shipped, Map.of(), Map.of(), null);
    assertThat(fromFile).usingRecursiveComparison().ignoringFields("nodeId").isEqualTo(SandboxConfig.defaults());
    assertThat(fromFile.nodeId()).matches("node_[a-z0-9]{8}");
  }

  @Test
  void shippedConfFileDocumentsEveryKeyAndVariable() throws Exception {
    String text = Files.readString(Path.of(System.getProperty("sandbox.conf", "conf/sandbox.yaml")));
    JsonObject yaml = new JsonObject((Map<String, Object>) new org.yaml.snakeyaml.Yaml().load(text));
    assertThat(leaves(yaml, "")).isEqualTo(leaves(SandboxConfig.defaults().toJson(), ""));
    for (EnvMapping.Var v : EnvMapping.VARS) {
      assertThat(text).as("conf/sandbox.yaml mentions " + v.names().get(0)).contains(v.names().get(0));
    }
  }

  private static java.util.Set<String> leaves(JsonObject o, String prefix) {
    java.util.Set<String> out = new java.util.TreeSet<>();
    for (String k : o.fieldNames()) {
      Object v = o.getValue(k);
      boolean map = k.equals("environment") || k.equals("volumes") || k.equals("api_keys");
      if (v instanceof JsonObject child && !map) {
        out.addAll(leaves(child, prefix + k + "."));
      } else {
        out.add(prefix + k);
      }
    }
    return out;
  }

  @Test
  void defaultFileIsReadWhenPresentAndNoConfGiven() throws Exception {
    write("sandbox.yaml", "http:\n  port: 9999\n");
    assertThat(loadEnv(Map.of()).http().port()).isEqualTo(9999);
  }

  @Test
  void yamlFileOverridesDefaults() throws Exception {
    Path f = write("my.yml", """
        base_path: /srv/sbx
        backend_type: docker
        resource_limits: {memory_mb: 2048, cpu_cores: 2}
        http: {host: 0.0.0.0, port: 0, cors_origins: ["https://a.example"]}
        manager: {idle_timeout_seconds: 0, idle_sweep_seconds: 0}
        local: {isolation: bwrap}
        pip: {index_url: "https://pypi.example/simple", find_links: /wheels}
        log_level: warning
        """);
    SandboxConfig c = load(f, Map.of(), Map.of(), null);
    assertThat(c.basePath()).isEqualTo("/srv/sbx");
    assertThat(c.backendType()).isEqualTo(BackendType.DOCKER);
    assertThat(c.resourceLimits().memoryMb()).isEqualTo(2048);
    assertThat(c.resourceLimits().cpuCores()).isEqualTo(2.0);
    assertThat(c.resourceLimits().timeoutSeconds()).isEqualTo(300);
    assertThat(c.http()).isEqualTo(new HttpConfig("0.0.0.0", 0, 10_485_760L, List.of("https://a.example")));
    assertThat(c.manager().idleTimeoutSeconds()).isZero();
    assertThat(c.manager().idleSweepSeconds()).isZero();
    assertThat(c.local().isolation()).isEqualTo(LocalConfig.Isolation.BWRAP);
    assertThat(c.pip().indexUrl()).isEqualTo("https://pypi.example/simple");
    assertThat(c.pip().findLinks()).isEqualTo("/wheels");
    assertThat(c.storage().localPath()).isEqualTo("/srv/sbx/storage");
    assertThat(c.logLevel()).isEqualTo("WARN");
  }

  @Test
  void seedJsonSchemaLoads() throws Exception {
    Path f = write("sandbox.json", """
        {"base_path": "/data/sandboxes", "backend_type": "docker",
         "resource_limits": {"timeout_seconds": 60, "memory_mb": 1024},
         "security_policy": {"allow_shell": false},
         "docker": {"image": "python:3.11-slim", "network_mode": "none"}}
        """);
    SandboxConfig c = load(f, Map.of(), Map.of(), null);
    assertThat(c.basePath()).isEqualTo("/data/sandboxes");
    assertThat(c.backendType()).isEqualTo(BackendType.DOCKER);
    ResourceLimits std = ResourceLimits.standard();
    assertThat(c.resourceLimits()).isEqualTo(new ResourceLimits(60, 1024, std.cpuCores(), std.diskMb(),
        std.maxProcesses(), std.maxThreads(), std.maxOpenFiles(), std.networkEnabled(), std.maxOutputSize(),
        std.maxFileSize()));
    assertThat(c.securityPolicy().allowShell()).isFalse();
    assertThat(c.securityPolicy().blockedImports()).isEqualTo(SecurityPolicy.standard().blockedImports());
    assertThat(c.docker().image()).isEqualTo("python:3.11-slim");
    assertThat(c.docker().networkMode()).isEqualTo("none");
  }

  @Test
  void seedFileWithEveryTopLevelKeyAndSeedDockerFieldsLoads() throws Exception {
    Path f = write("seed.json", """
        {"base_path": "/data/sandboxes", "backend_type": "local",
         "resource_limits": {"timeout_seconds": 300, "memory_mb": 512, "cpu_cores": 1.0, "network_enabled": false},
         "security_policy": {"allow_shell": true, "allow_network": false},
         "storage": {"storage_type": "minio", "endpoint": "localhost:9000", "access_key": "minioadmin",
                     "secret_key": "minioadmin123", "bucket": "sandboxes", "secure": false, "prefix": "",
                     "auto_create_bucket": true, "local_path": null, "region": null},
         "docker": {"image": "python:3.11-slim", "network_mode": "none", "auto_remove": true, "privileged": false,
                    "user": "1000:1000", "working_dir": "/workspace", "memory_limit": "512m", "cpu_period": 100000,
                    "cpu_quota": 100000, "pids_limit": 100, "read_only_root": false, "cap_drop": ["ALL"],
                    "cap_add": ["CHOWN", "SETUID", "SETGID"], "security_opt": ["no-new-privileges:true"],
                    "volumes": {}, "environment": {"PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"},
                    "docker_host": {"url": "tcp://10.0.0.5:2376", "tls_verify": true, "tls_ca_cert": "/c/ca.pem"}},
         "auto_cleanup": true, "persist_files": false, "enable_logging": false, "log_level": "DEBUG",
         "startup_timeout": 5, "shutdown_timeout": 3}
        """);
    SandboxConfig c = load(f, Map.of(), Map.of(), null);
    assertThat(c.autoCleanup()).isTrue();
    assertThat(c.manager().autoCleanup()).isTrue();
    assertThat(c.persistFiles()).isFalse();
    assertThat(c.storage().type()).isEqualTo(StorageConfig.Type.MINIO);
    assertThat(c.storage().pathStyle()).isTrue();
    assertThat(c.storage().secure()).isFalse();
    assertThat(c.docker().capAdd()).containsExactly("CHOWN", "SETUID", "SETGID");
    assertThat(c.docker().environment()).containsEntry("PYTHONUNBUFFERED", "1");
    assertThat(c.docker().dockerHost()).isEqualTo("tcp://10.0.0.5:2376");
    assertThat(c.docker().tlsVerify()).isTrue();
    assertThat(c.docker().tlsCaCert()).isEqualTo("/c/ca.pem");
    assertThat(c.enableLogging()).isFalse();
    assertThat(c.logLevel()).isEqualTo("DEBUG");
    assertThat(c.startupTimeout()).isEqualTo(5);
    assertThat(c.shutdownTimeout()).isEqualTo(3);
  }

  @Test
  void envOverridesFileAndSysPropOverridesEnvAndOverridesWinOverAll() throws Exception {
    Path f = write("c.yaml", "http: {port: 8001, host: 10.0.0.1}\nresource_limits: {memory_mb: 100, disk_mb: 7}\n");
    Map<String, String> env = Map.of("SANDBOX_HTTP_PORT", "8002", "SANDBOX_MEMORY_MB", "200",
        "SANDBOX_BACKEND", "docker", "SANDBOX_BASE_PATH", "/env");
    Map<String, String> props = Map.of("SANDBOX_HTTP_PORT", "8003", "SANDBOX_BACKEND", "local");
    JsonObject overrides = new JsonObject().put("http", new JsonObject().put("port", 8004));

    assertThat(load(f, Map.of(), Map.of(), null).http().port()).isEqualTo(8001);
    SandboxConfig envOnly = load(f, env, Map.of(), null);
    assertThat(envOnly.http().port()).isEqualTo(8002);
    assertThat(envOnly.http().host()).isEqualTo("10.0.0.1");
    assertThat(envOnly.resourceLimits().memoryMb()).isEqualTo(200);
    assertThat(envOnly.resourceLimits().diskMb()).isEqualTo(7);
    assertThat(envOnly.backendType()).isEqualTo(BackendType.DOCKER);
    SandboxConfig withProps = load(f, env, props, null);
    assertThat(withProps.http().port()).isEqualTo(8003);
    assertThat(withProps.backendType()).isEqualTo(BackendType.LOCAL);
    assertThat(withProps.basePath()).isEqualTo("/env");
    SandboxConfig all = load(f, env, props, overrides);
    assertThat(all.http().port()).isEqualTo(8004);
    assertThat(all.http().host()).isEqualTo("10.0.0.1");
    assertThat(all.resourceLimits().memoryMb()).isEqualTo(200);
  }

  @Test
  void streamingLimitsComeFromTheFileAndTheEnvironment() throws Exception {
    Path f = write("s.yaml", "http: {streaming: {ws_max_runs: 4, keepalive_seconds: 5}}\n");
    SandboxConfig c = load(f, Map.of("SANDBOX_STREAM_QUEUE_BYTES", "1048576", "SANDBOX_WS_IDLE_TIMEOUT", "60"),
        Map.of(), null);
    assertThat(c.http().streaming()).isEqualTo(new StreamConfig(4, 0, 1_048_576L, 5, 60));
    assertThat(io.alphora.sandbox.app.Main.httpConfig(c).getLong("keepalive_ms")).isEqualTo(5000L);
    assertThat(SandboxConfig.fromJson(new JsonObject()).http().streaming()).isEqualTo(StreamConfig.defaults());
    Path bad = write("b.yaml", "http: {streaming: {ws_max_runs: 0}}\n");
    assertThatThrownBy(() -> load(bad, Map.of(), Map.of(), null)).hasMessageContaining("http.streaming.ws_max_runs");
  }

  @Test
  void seedTopLevelAutoCleanupIsOverriddenByLaterSources() throws Exception {
    Path f = write("c.json", "{\"auto_cleanup\": true, \"persist_files\": false}");
    SandboxConfig c = load(f, Map.of("SANDBOX_AUTO_CLEANUP", "no"), Map.of(), null);
    assertThat(c.autoCleanup()).isFalse();
    assertThat(c.persistFiles()).isFalse();
    SandboxConfig o = load(f, Map.of(), Map.of(), new JsonObject().put("persist_files", true));
    assertThat(o.persistFiles()).isTrue();
    assertThat(o.autoCleanup()).isTrue();
  }

  @Test
  void presets() throws Exception {
    SandboxConfig c = SandboxConfig.fromJson(new JsonObject()
        .put("resource_limits", "minimal").put("security_policy", "strict"));
    assertThat(c.resourceLimits()).isEqualTo(ResourceLimits.minimal());
    assertThat(c.securityPolicy()).isEqualTo(SecurityPolicy.strict());

    SandboxConfig overlay = SandboxConfig.fromJson(new JsonObject()
        .put("resource_limits", new JsonObject().put("preset", "high_performance").put("timeout_seconds", 5))
        .put("security_policy", new JsonObject().put("preset", "permissive").put("allow_shell", false)));
    assertThat(overlay.resourceLimits()).isEqualTo(ResourceLimits.highPerformance().withTimeoutSeconds(5));
    assertThat(overlay.securityPolicy().allowSubprocess()).isTrue();
    assertThat(overlay.securityPolicy().allowShell()).isFalse();

    Path f = write("p.yaml", "security_policy: {allow_network: true, max_files_count: 5}\n");
    SandboxConfig env = load(f, Map.of("SANDBOX_SECURITY_POLICY", "strict", "SANDBOX_ALLOW_SHELL", "true",
        "SANDBOX_RESOURCE_LIMITS", "minimal"), Map.of(), null);
    // a preset from a later source replaces the section; fields of the same source apply on top
    assertThat(env.securityPolicy()).isEqualTo(Policies.parse(new JsonObject().put("allow_shell", true),
        SecurityPolicy.strict(), "security_policy"));
    assertThat(env.resourceLimits()).isEqualTo(ResourceLimits.minimal());
    SandboxConfig fileOnly = load(f, Map.of("SANDBOX_ALLOW_SHELL", "false"), Map.of(), null);
    assertThat(fileOnly.securityPolicy().allowNetwork()).isTrue();
    assertThat(fileOnly.securityPolicy().maxFilesCount()).isEqualTo(5);
    assertThat(fileOnly.securityPolicy().allowShell()).isFalse();
  }

  @Test
  void apiKeysFromEnv() throws Exception {
    SandboxConfig c = loadEnv(Map.of("SANDBOX_API_KEYS", " key1:tenantA, key2:tenantB,,key3 ",
        "SANDBOX_API_KEYS_FILE", "/etc/keys"));
    assertThat(c.auth().apiKeys()).containsExactly(Map.entry("key1", "tenantA"), Map.entry("key2", "tenantB"),
        Map.entry("key3", AuthConfig.DEFAULT_TENANT));
    assertThat(c.auth().apiKeysFile()).isEqualTo("/etc/keys");
    assertThat(c.auth().enabled()).isTrue();
    SandboxConfig file = SandboxConfig.fromJson(new JsonObject().put("auth",
        new JsonObject().put("api_keys", new JsonObject().put("k", "t1"))));
    assertThat(file.auth().apiKeys()).containsExactly(Map.entry("k", "t1"));
  }

  @Test
  void pipIndexUrlEmptyMeansNoIndexAndUnsetMeansDefault() throws Exception {
    PipConfig unset = loadEnv(Map.of()).pip();
    assertThat(unset.indexUrl()).isNull();
    assertThat(unset.noIndex()).isFalse();
    PipConfig empty = loadEnv(Map.of("SANDBOX_PIP_INDEX_URL", "", "SANDBOX_PIP_FIND_LINKS", "/wheels")).pip();
    assertThat(empty.noIndex()).isTrue();
    assertThat(empty.indexUrl()).isNull();
    assertThat(empty.findLinks()).isEqualTo("/wheels");
    PipConfig set = loadEnv(Map.of("SANDBOX_PIP_INDEX_URL", "http://127.0.0.1:3141/simple")).pip();
    assertThat(set.indexUrl()).isEqualTo("http://127.0.0.1:3141/simple");
    assertThat(set.noIndex()).isFalse();
    SandboxConfig fromFile = SandboxConfig.fromJson(new JsonObject().put("pip", new JsonObject().put("index_url", "")));
    assertThat(fromFile.pip().noIndex()).isTrue();
    assertThat(fromFile.toJson().getJsonObject("pip").getString("index_url")).isEmpty();
    assertThat(loadEnv(Map.of()).toJson().getJsonObject("pip").getString("index_url")).isNull();
  }

  @Test
  void emptyEnvValueIsUnsetAndUnknownSandboxVarsAreIgnored() throws Exception {
    SandboxConfig c = loadEnv(Map.of("SANDBOX_HTTP_PORT", "", "SANDBOX_DOCKER_HOST", "", "SANDBOX_NO_SUCH", "1",
        "PATH", "/usr/bin"));
    assertThat(c.http().port()).isEqualTo(8080);
    assertThat(c.docker().dockerHost()).isNull();
  }

  @Test
  void dockerWorkspaceIsAVolumeForTcpDaemonsUnlessSaidOtherwise() throws Exception {
    assertThat(loadEnv(Map.of()).docker().volumeWorkspace()).isFalse();
    assertThat(loadEnv(Map.of("SANDBOX_DOCKER_HOST", "tcp://10.0.0.5:2375")).docker().volumeWorkspace()).isTrue();
    assertThat(loadEnv(Map.of("SANDBOX_DOCKER_HOST", "tcp://10.0.0.5:2375", "SANDBOX_DOCKER_WORKSPACE", "bind"))
        .docker().volumeWorkspace()).isFalse();
    SandboxConfig v = loadEnv(Map.of("SANDBOX_DOCKER_WORKSPACE", "volume"));
    assertThat(v.docker().volumeWorkspace()).isTrue();
    assertThat(v.toJson().getJsonObject("docker").getString("workspace")).isEqualTo("volume");
    assertThat(jsonFails(new JsonObject().put("docker", new JsonObject().put("workspace", "nfs"))).getMessage())
        .contains("docker.workspace").contains("auto, bind or volume");
  }

  @Test
  void storageAliasesAndPathStyle() throws Exception {
    SandboxConfig minio = loadEnv(Map.of("SANDBOX_STORAGE_TYPE", "minio", "SANDBOX_S3_ENDPOINT", "http://minio:9000",
        "SANDBOX_MINIO_ACCESS_KEY", "minioadmin", "SANDBOX_S3_SECRET_KEY", "minioadmin123",
        "SANDBOX_STORAGE_BUCKET", "bucket-one", "SANDBOX_S3_BUCKET", "ignored"));
    assertThat(minio.storage().endpoint()).isEqualTo("http://minio:9000");
    assertThat(minio.storage().accessKey()).isEqualTo("minioadmin");
    assertThat(minio.storage().secretKey()).isEqualTo("minioadmin123");
    assertThat(minio.storage().bucket()).isEqualTo("bucket-one");
    assertThat(minio.storage().pathStyle()).isTrue();
    SandboxConfig s3 = loadEnv(Map.of("SANDBOX_STORAGE_TYPE", "s3", "SANDBOX_STORAGE_ACCESS_KEY", "a",
        "SANDBOX_STORAGE_SECRET_KEY", "s", "SANDBOX_STORAGE_REGION", "eu-west-1"));
    assertThat(s3.storage().pathStyle()).isFalse();
    assertThat(s3.storage().region()).isEqualTo("eu-west-1");
    assertThat(loadEnv(Map.of("SANDBOX_STORAGE_TYPE", "s3", "SANDBOX_STORAGE_ACCESS_KEY", "a",
        "SANDBOX_STORAGE_SECRET_KEY", "s", "SANDBOX_STORAGE_PATH_STYLE", "true")).storage().pathStyle()).isTrue();
    assertThat(loadEnv(Map.of("SANDBOX_STORAGE_PATH", "/objects")).storage().localPath()).isEqualTo("/objects");
  }

  @Test
  void secretsAreMaskedInToJsonAndToString() throws Exception {
    SandboxConfig c = loadEnv(Map.of("SANDBOX_STORAGE_TYPE", "s3", "SANDBOX_STORAGE_ACCESS_KEY", "AKIAEXAMPLE",
        "SANDBOX_STORAGE_SECRET_KEY", "topsecret", "SANDBOX_API_KEYS", "sk-live-1:acme,sk-live-2",
        "SANDBOX_PIP_INDEX_URL", "https://bob:hunter2@pypi.example/simple"));
    String json = c.toJson().encode();
    assertThat(json).doesNotContain("topsecret", "sk-live-1", "sk-live-2", "hunter2");
    assertThat(c.toJson().getJsonObject("storage").getString("secret_key")).isEqualTo("***");
    assertThat(c.toJson().getJsonObject("storage").getString("access_key")).isEqualTo("AKIAEXAMPLE");
    assertThat(c.toJson().getJsonObject("auth").getJsonObject("api_keys").getMap())
        .containsOnlyKeys("***1", "***2").containsValues("acme", "default");
    assertThat(c.toJson().getJsonObject("pip").getString("index_url")).isEqualTo("https://bob:***@pypi.example/simple");
    assertThat(c.toString()).doesNotContain("topsecret", "sk-live-1", "sk-live-2", "hunter2");
    assertThat(c.storage().secretKey()).isEqualTo("topsecret");
  }

  @Test
  void toJsonRoundTripsWithoutSecrets() throws Exception {
    SandboxConfig c = loadEnv(Map.of("SANDBOX_BACKEND", "docker", "SANDBOX_CLUSTER_MEMBERS", "10.0.0.1:5701,node2",
        "SANDBOX_NODE_ID", "n1", "SANDBOX_PIP_INDEX_URL", ""));
    assertThat(SandboxConfig.fromJson(c.toJson())).isEqualTo(c);
    assertThat(c.toJson().fieldNames()).doesNotContain("auto_cleanup", "persist_files");
  }

  @Test
  void confFromArgs() {
    assertThat(ConfigSources.fromArgs(new String[] {"--cluster", "--conf", "/x/a.yaml"}).confFile())
        .isEqualTo(Path.of("/x/a.yaml"));
    assertThat(ConfigSources.fromArgs(new String[] {"--conf=b.json"}).confFile()).isEqualTo(Path.of("b.json"));
    assertThat(ConfigSources.fromArgs(new String[0]).confFile()).isNull();
    assertThat(ConfigSources.standard(null).env()).isEqualTo(System.getenv());
    System.setProperty("SANDBOX_HTTP_PORT", "9090");
    try {
      assertThat(ConfigSources.standard(null).sysProps()).containsEntry("SANDBOX_HTTP_PORT", "9090")
          .allSatisfy((k, v) -> assertThat(k).startsWith("SANDBOX_"));
    } finally {
      System.clearProperty("SANDBOX_HTTP_PORT");
    }
  }

  @Test
  void emptyYamlFileMeansDefaults() throws Exception {
    Path f = write("empty.yaml", "# nothing\n");
    assertThat(Files.exists(f)).isTrue();
    assertThat(load(f, Map.of(), Map.of(), null)).usingRecursiveComparison().ignoringFields("nodeId")
        .isEqualTo(SandboxConfig.defaults());
  }
}
