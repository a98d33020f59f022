package io.alphora.sandbox.config;

import static io.alphora.sandbox.config.ConfigErrors.invalid;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * The local backend ({@code local:} in the config file).
 *
 * @param python absolute path of the interpreter sandboxes run ({@code python}, env
 *     {@code SANDBOX_PYTHON}, default {@code /usr/bin/python3})
 * @param isolation how the runner is confined ({@code isolation}, env {@code SANDBOX_LOCAL_ISOLATION},
 *     default {@code bwrap}: creating a sandbox fails, saying how to install bubblewrap, when it is
 *     missing)
 * @param cgroups put each sandbox in its own cgroups (memory, pids, cpu) where the host allows it
 *     ({@code cgroups}, env {@code SANDBOX_LOCAL_CGROUPS}, default true)
 * @param bwrapPath absolute path of bubblewrap ({@code bwrap_path}, env {@code SANDBOX_BWRAP_PATH},
 *     default {@code /usr/bin/bwrap})
 * @param allowedHostPaths host directories an operator lets sandboxes see: a sandbox's
 *     {@code security_policy.allowed_paths} must each be one of these or below one, and are mounted
 *     read-only at the same path inside ({@code allowed_host_paths}, env
 *     {@code SANDBOX_LOCAL_ALLOWED_HOST_PATHS}, default none: any allowed_paths is refused)
 */
public record LocalConfig(String python, Isolation isolation, String bwrapPath, boolean cgroups,
    java.util.List<String> allowedHostPaths) {

  /** Without {@code allowed_host_paths}. */
  public LocalConfig(String python, Isolation isolation, String bwrapPath, boolean cgroups) {
    this(python, isolation, bwrapPath, cgroups, java.util.List.of());
  }

  /** How the local runner is confined. */
  public enum Isolation {
    /** bubblewrap when it is installed and works, otherwise none (with a warning). */
    AUTO,
    /** bubblewrap, and refuse to start sandboxes without it. */
    BWRAP,
    /** no OS isolation at all: chosen on purpose, logged and shown in SandboxInfo. */
    NONE;

    /** The config-file spelling. */
    public String value() { return name().toLowerCase(Locale.ROOT); }
  }

  /** The built-in defaults. */
  public static LocalConfig defaults() {
    return new LocalConfig("/usr/bin/python3", Isolation.BWRAP, "/usr/bin/bwrap", true);
  }

  static LocalConfig parse(Section s) {
    LocalConfig d = defaults();
    LocalConfig c = new LocalConfig(
        absolute(s, "python", d.python()),
        isolation(s, d.isolation()),
        absolute(s, "bwrap_path", d.bwrapPath()),
        s.bool("cgroups", d.cgroups()),
        absolutePaths(s, "allowed_host_paths"));
    s.done();
    return c;
  }

  JsonObject toJson() {
    return new JsonObject().put("python", python).put("isolation", isolation.value()).put("bwrap_path", bwrapPath)
        .put("cgroups", cgroups).put("allowed_host_paths", new io.vertx.core.json.JsonArray(allowedHostPaths));
  }

  private static java.util.List<String> absolutePaths(Section s, String name) {
    java.util.List<String> v = s.strings(name, java.util.List.of());
    for (String p : v) {
      if (!p.startsWith("/") || !java.nio.file.Path.of(p).normalize().toString().equals(p) || p.equals("/")) {
        throw invalid(s.key(name), p, "each entry must be a normalized absolute path other than /");
      }
    }
    return v;
  }

  private static Isolation isolation(Section s, Isolation def) {
    String v = s.string("isolation", null);
    if (v == null) {
      return def;
    }
    try {
      return Isolation.valueOf(v.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw invalid(s.key("isolation"), v, "must be one of auto, bwrap, none");
    }
  }

  static String absolute(Section s, String name, String def) {
    String v = s.nonBlank(name, def);
    if (v != null && !v.startsWith("/")) {
      throw invalid(s.key(name), v, "must be an absolute path");
    }
    return v;
  }
}
