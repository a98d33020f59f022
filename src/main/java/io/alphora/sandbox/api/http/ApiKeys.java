package io.alphora.sandbox.api.http;

import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.config.AuthConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The API keys of the service and the tenant each belongs to. Keys are kept only as SHA-256 digests
 * and compared in constant time, so neither memory dumps nor response timing give them away.
 */
public final class ApiKeys {
  private final Map<String, String> tenantByDigest;

  private ApiKeys(Map<String, String> tenantByDigest) { this.tenantByDigest = Map.copyOf(tenantByDigest); }

  /** Inline keys plus the {@code key:tenant} lines of {@code auth.api_keys_file} (blocking read). */
  public static ApiKeys load(AuthConfig auth) {
    Map<String, String> byDigest = new HashMap<>();
    auth.apiKeys().forEach((key, tenant) -> byDigest.put(digest(key), tenant));
    if (auth.apiKeysFile() != null) {
      List<String> lines;
      try {
        lines = Files.readAllLines(Path.of(auth.apiKeysFile()), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new SandboxException.InvalidRequestException("invalid config: auth.api_keys_file '"
            + auth.apiKeysFile() + "' cannot be read: " + e.getMessage());
      }
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        int colon = line.indexOf(':');
        String key = (colon < 0 ? line : line.substring(0, colon)).strip();
        String tenant = colon < 0 ? AuthConfig.DEFAULT_TENANT : line.substring(colon + 1).strip();
        if (key.isEmpty() || !tenant.matches("[A-Za-z0-9_.-]{1,64}")) {
          throw new SandboxException.InvalidRequestException("invalid config: auth.api_keys_file line " + (i + 1)
              + " must be 'key' or 'key:tenant' (tenant: 1-64 of A-Z a-z 0-9 _ . -)");
        }
        byDigest.put(digest(key), tenant);
      }
    }
    return new ApiKeys(byDigest);
  }

  public boolean enabled() { return !tenantByDigest.isEmpty(); }

  /** The tenant of a presented key, or null when the key is unknown. */
  public String tenantOf(String presented) {
    if (presented == null || presented.isEmpty()) {
      return null;
    }
    byte[] d = digestBytes(presented);
    String found = null;
    for (Map.Entry<String, String> e : tenantByDigest.entrySet()) {
      // every entry is compared, so the time taken does not depend on which key matched
      if (MessageDigest.isEqual(d, java.util.HexFormat.of().parseHex(e.getKey()))) {
        found = e.getValue();
      }
    }
    return found;
  }

  private static String digest(String key) { return java.util.HexFormat.of().formatHex(digestBytes(key)); }

  private static byte[] digestBytes(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
