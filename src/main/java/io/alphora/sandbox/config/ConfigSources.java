package io.alphora.sandbox.config;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@link SandboxConfig#load} reads, so tests and embedding code can inject every source.
 *
 * @param confFile the {@code --conf} file (JSON or YAML by extension; must exist), or null to read
 *     {@code conf/sandbox.yaml} from the working directory when it exists
 * @param env environment variables; only {@code SANDBOX_*} names are read
 * @param sysProps system properties, read with the same names as the variables
 *     ({@code -DSANDBOX_HTTP_PORT=9090}) and winning over them
 * @param overrides an embedding application's config in the file schema, winning over everything, or null
 */
public record ConfigSources(Path confFile, Map<String, String> env, Map<String, String> sysProps,
    JsonObject overrides) {

  public ConfigSources {
    env = env == null ? Map.of() : Map.copyOf(env);
    sysProps = sysProps == null ? Map.of() : Map.copyOf(sysProps);
    overrides = overrides == null ? null : overrides.copy();
  }

  /** This process's environment and {@code SANDBOX_*} system properties, with an optional conf file. */
  public static ConfigSources standard(Path confFile) {
    Map<String, String> props = new TreeMap<>();
    System.getProperties().forEach((k, v) -> {
      if (k instanceof String name && name.startsWith(EnvMapping.PREFIX) && v instanceof String value) {
        props.put(name, value);
      }
    });
    return new ConfigSources(confFile, System.getenv(), props, null);
  }

  /**
   * {@link #standard(Path)} with the file taken from {@code --conf FILE} or {@code --conf=FILE} in
   * {@code args}; other arguments are left to the launcher.
   *
   * @throws ConfigException when {@code --conf} has no value
   */
  public static ConfigSources fromArgs(String[] args) {
    Path conf = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].startsWith("--conf=")) {
        conf = Path.of(args[i].substring("--conf=".length()));
      } else if (args[i].equals("--conf")) {
        if (i + 1 >= args.length || args[i + 1].isBlank()) {
          throw new ConfigException("--conf", "--conf needs a file: --conf FILE.yaml|FILE.json", "command line");
        }
        conf = Path.of(args[++i]);
      }
    }
    return standard(conf);
  }

  /** The same sources with another override object. */
  public ConfigSources withOverrides(JsonObject overrides) {
    return new ConfigSources(confFile, env, sysProps, overrides);
  }
}
