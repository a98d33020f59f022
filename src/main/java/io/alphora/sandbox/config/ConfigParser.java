package io.alphora.sandbox.config;

import static io.alphora.sandbox.config.ConfigErrors.invalid;

import io.alphora.sandbox.BackendType;
import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SecurityPolicy;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns one merged config object into a {@link SandboxConfig}: defaults for what is absent, strict
 * types and ranges for what is present. Errors are {@link SandboxException.InvalidRequestException}s
 * carrying the dotted path; {@link ConfigLoader} turns them into {@link ConfigException}s.
 */
final class ConfigParser {
  static final String DEFAULT_BASE_PATH = "/tmp/sandboxes";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Map<String, String> LOG_LEVELS = Map.of("TRACE", "TRACE", "DEBUG", "DEBUG",
      "INFO", "INFO", "WARN", "WARN", "WARNING", "WARN", "ERROR", "ERROR", "CRITICAL", "ERROR");
  private static final SecureRandom RANDOM = new SecureRandom();

  private ConfigParser() {}

  static SandboxConfig parse(JsonObject raw) {
    Section s = Section.of(Layers.normalize(raw, new HashMap<>()), "");
    String basePath = s.nonBlank("base_path", DEFAULT_BASE_PATH);
    SandboxConfig c = new SandboxConfig(
        basePath,
        backend(s),
        Limits.parse(s.raw("resource_limits"), ResourceLimits.standard(), "resource_limits"),
        Policies.parse(s.raw("security_policy"), SecurityPolicy.standard(), "security_policy"),
        HttpConfig.parse(s.child("http")),
        ManagerConfig.parse(s.child("manager")),
        LocalConfig.parse(s.child("local")),
        DockerConfig.parse(s.child("docker")),
        PipConfig.parse(s.child("pip")),
        StorageConfig.parse(s.child("storage"), basePath),
        AuthConfig.parse(s.child("auth")),
        ClusterConfig.parse(s.child("cluster")),
        BridgeConfig.parse(s.child("bridge")),
        matching(s, "event_bus_prefix", "alphora.sandbox", NAME, "must be dot-separated words of A-Z a-z 0-9 _ -"),
        nodeId(s),
        s.bool("enable_logging", true),
        logLevel(s),
        s.integer("startup_timeout", 30, 1, Integer.MAX_VALUE),
        s.integer("shutdown_timeout", 10, 0, Integer.MAX_VALUE));
    s.done();
    return c;
  }

  private static BackendType backend(Section s) {
    String v = s.string("backend_type", null);
    if (v == null) {
      return BackendType.LOCAL;
    }
    try {
      return BackendType.from(v);
    } catch (SandboxException e) {
      throw invalid(s.key("backend_type"), v, "must be local or docker");
    }
  }

  private static String nodeId(Section s) {
    String id = matching(s, "node_id", null, NODE_ID, "must be 1-64 of A-Z a-z 0-9 _ . -");
    if (id != null) {
      return id;
    }
    StringBuilder b = new StringBuilder("node_");
    for (int i = 0; i < 8; i++) {
      b.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(RANDOM.nextInt(36)));
    }
    return b.toString();
  }

  private static String logLevel(Section s) {
    String v = s.string("log_level", "INFO");
    String level = LOG_LEVELS.get(v.trim().toUpperCase(Locale.ROOT));
    if (level == null) {
      throw invalid(s.key("log_level"), v, "must be one of TRACE, DEBUG, INFO, WARN, ERROR");
    }
    return level;
  }

  private static String matching(Section s, String name, String def, Pattern p, String problem) {
    String v = s.string(name, def);
    if (v != null && !p.matcher(v).matches()) {
      throw invalid(s.key(name), v, problem);
    }
    return v;
  }
}
