package io.alphora.sandbox.config;

import static io.alphora.sandbox.config.ConfigErrors.invalid;

import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SecurityPolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads a {@link SecurityPolicy} from the seed's JSON shape. Shared by the config loader and the REST
 * layer (a create request's {@code security_policy}).
 *
 * <p>The value is either a preset name ({@code standard}, {@code strict}, {@code permissive}) or an
 * object with any of {@code allow_shell}, {@code allow_network}, {@code allow_file_write},
 * {@code allow_subprocess}, {@code blocked_imports}, {@code allowed_imports}, {@code blocked_paths},
 * {@code allowed_paths}, {@code max_file_size_mb}, {@code max_files_count}, {@code audit_enabled},
 * {@code read_only_mode}, plus an optional {@code preset} that replaces the base. Only the given fields
 * change; unknown fields are refused (the seed ignored them). Import names must be dotted Python
 * identifiers ({@code os.system}).
 */
public final class Policies {
  private static final Pattern MODULE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

  private Policies() {}

  /**
   * Overlays {@code value} on {@code base}.
   *
   * @param value null (= {@code base}), a preset name, or a {@link JsonObject} / {@link java.util.Map}
   * @param base the policy to start from
   * @param keyPrefix how errors name this value, e.g. {@code security_policy}
   * @throws SandboxException.InvalidRequestException naming the field, e.g.
   *     {@code security_policy.allow_shell='no' must be a boolean (true or false)}
   */
  public static SecurityPolicy parse(Object value, SecurityPolicy base, String keyPrefix) {
    if (value == null) {
      return base;
    }
    if (value instanceof String name) {
      return preset(name, keyPrefix);
    }
    Section s = Section.of(Limits.asObject(value, keyPrefix, "a security_policy preset name"), keyPrefix);
    String preset = s.string("preset", null);
    SecurityPolicy b = preset == null ? base : preset(preset, s.key("preset"));
    SecurityPolicy out = new SecurityPolicy(
        s.bool("allow_shell", b.allowShell()),
        s.bool("allow_network", b.allowNetwork()),
        s.bool("allow_file_write", b.allowFileWrite()),
        s.bool("allow_subprocess", b.allowSubprocess()),
        modules(s, "blocked_imports", b.blockedImports()),
        modules(s, "allowed_imports", b.allowedImports()),
        s.strings("blocked_paths", b.blockedPaths()),
        s.strings("allowed_paths", b.allowedPaths()),
        s.integer("max_file_size_mb", b.maxFileSizeMb(), 1, Integer.MAX_VALUE),
        s.integer("max_files_count", b.maxFilesCount(), 1, Integer.MAX_VALUE),
        s.bool("audit_enabled", b.auditEnabled()),
        s.bool("read_only_mode", b.readOnlyMode()));
    s.done();
    return out;
  }

  /** The seed's {@code to_dict()} shape (snake_case). */
  public static JsonObject toJson(SecurityPolicy p) {
    return new JsonObject()
        .put("allow_shell", p.allowShell())
        .put("allow_network", p.allowNetwork())
        .put("allow_file_write", p.allowFileWrite())
        .put("allow_subprocess", p.allowSubprocess())
        .put("blocked_imports", new JsonArray(p.blockedImports()))
        .put("allowed_imports", new JsonArray(p.allowedImports()))
        .put("blocked_paths", new JsonArray(p.blockedPaths()))
        .put("allowed_paths", new JsonArray(p.allowedPaths()))
        .put("max_file_size_mb", p.maxFileSizeMb())
        .put("max_files_count", p.maxFilesCount())
        .put("audit_enabled", p.auditEnabled())
        .put("read_only_mode", p.readOnlyMode());
  }

  private static List<String> modules(Section s, String name, List<String> def) {
    List<String> list = s.strings(name, def);
    for (int i = 0; i < list.size(); i++) {
      if (!MODULE.matcher(list.get(i)).matches()) {
        throw invalid(s.key(name) + "[" + i + "]", list.get(i), "is not a Python module name (like os.system)");
      }
    }
    return list;
  }

  private static SecurityPolicy preset(String name, String key) {
    try {
      return SecurityPolicy.preset(name);
    } catch (SandboxException e) {
      throw invalid(key, name, "is not a security_policy preset: use standard, strict or permissive");
    }
  }
}
