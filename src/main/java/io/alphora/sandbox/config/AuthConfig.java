package io.alphora.sandbox.config;

import static io.alphora.sandbox.config.ConfigErrors.invalid;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * API keys ({@code auth:} in the config file). Parsed and validated here; enforcement belongs to the
 * HTTP layer. With no keys at all the service runs open (loopback only). {@link #toString()} and the
 * config's {@code toJson()} never show a key.
 *
 * @param apiKeys API key → tenant ({@code api_keys}; env {@code SANDBOX_API_KEYS="key1:tenantA,key2"},
 *     where a key without {@code :tenant} belongs to tenant {@value #DEFAULT_TENANT})
 * @param apiKeysFile a file of {@code key:tenant} lines, read at start-up, or null
 *     ({@code api_keys_file}, env {@code SANDBOX_API_KEYS_FILE})
 * @param tenantMaxSandboxes most live sandboxes one tenant may have, 0 = no per-tenant limit
 *     ({@code tenant_max_sandboxes}, env {@code SANDBOX_TENANT_MAX_SANDBOXES}); over it: 429
 * @param tenantMaxConcurrentRuns most runs one tenant may have in flight, 0 = no limit
 *     ({@code tenant_max_concurrent_runs}, env {@code SANDBOX_TENANT_MAX_RUNS}); over it: 429
 */
public record AuthConfig(Map<String, String> apiKeys, String apiKeysFile, int tenantMaxSandboxes,
    int tenantMaxConcurrentRuns) {

  /** The tenant of a key given without one. */
  public static final String DEFAULT_TENANT = "default";

  static final Pattern TENANT = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Pattern KEY = Pattern.compile("[^\\s,:]{1,512}");

  public AuthConfig {
    apiKeys = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(apiKeys));
  }

  /** The built-in defaults: no keys. */
  public static AuthConfig defaults() {
    return new AuthConfig(Map.of(), null, 0, 0);
  }

  /** True when keys are configured inline or through a file. */
  public boolean enabled() {
    return !apiKeys.isEmpty() || apiKeysFile != null;
  }

  static AuthConfig parse(Section s) {
    Map<String, String> keys = s.stringMap("api_keys", Map.of());
    int i = 0;
    for (Map.Entry<String, String> e : keys.entrySet()) {
      String key = s.key("api_keys");
      if (!KEY.matcher(e.getKey()).matches()) {
        throw invalid(key, null, "entry " + i + " has an invalid key: 1-512 characters without spaces, ',' or ':'");
      }
      if (!TENANT.matcher(e.getValue()).matches()) {
        throw invalid(key, null, "entry " + i + " has an invalid tenant '" + e.getValue()
            + "': 1-64 of A-Z a-z 0-9 _ . -");
      }
      i++;
    }
    AuthConfig c = new AuthConfig(keys, s.nonBlank("api_keys_file", null),
        s.integer("tenant_max_sandboxes", 0, 0, Integer.MAX_VALUE),
        s.integer("tenant_max_concurrent_runs", 0, 0, Integer.MAX_VALUE));
    s.done();
    return c;
  }

  /**
   * Parses {@code key1:tenantA,key2:tenantB}; blanks around entries are ignored, a key without a
   * tenant belongs to {@value #DEFAULT_TENANT}. Errors never repeat a key.
   */
  static JsonObject parseList(String varName, String value) {
    JsonObject out = new JsonObject();
    String[] entries = value.split(",");
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].trim();
      if (entry.isEmpty()) {
        continue;
      }
      int colon = entry.indexOf(':');
      String key = colon < 0 ? entry : entry.substring(0, colon).trim();
      String tenant = colon < 0 ? DEFAULT_TENANT : entry.substring(colon + 1).trim();
      if (key.isEmpty() || tenant.isEmpty()) {
        throw invalid(varName, null, "entry " + i + " must be 'key' or 'key:tenant'");
      }
      Object previous = out.getValue(key);
      if (previous != null && !previous.equals(tenant)) {
        throw invalid(varName, null, "entry " + i + " repeats a key with a different tenant");
      }
      out.put(key, tenant);
    }
    return out;
  }

  JsonObject toJson() {
    JsonObject masked = new JsonObject();
    int i = 1;
    for (String tenant : apiKeys.values()) {
      masked.put("***" + i++, tenant);
    }
    return new JsonObject().put("api_keys", masked).put("api_keys_file", apiKeysFile)
        .put("tenant_max_sandboxes", tenantMaxSandboxes).put("tenant_max_concurrent_runs", tenantMaxConcurrentRuns);
  }

  /** Shows tenants and the number of keys, never a key. */
  @Override
  public String toString() {
    return "AuthConfig[keys=" + apiKeys.size() + ", tenants=" + new java.util.TreeSet<>(apiKeys.values())
        + ", apiKeysFile=" + apiKeysFile + "]";
  }
}
