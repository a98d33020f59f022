package io.alphora.sandbox.config;

import io.alphora.sandbox.SandboxException.InvalidRequestException;
import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads the sources of a {@link ConfigSources} in order, merges them ({@link Layers}) and parses the
 * result ({@link ConfigParser}), re-addressing every field error to the variable or file that set it.
 * The file is read with a vertx-config {@link ConfigRetriever} (file store, {@code yaml} or
 * {@code json} format by extension).
 */
final class ConfigLoader {
  /** Read when no {@code --conf} is given and it exists, relative to the working directory. */
  static final Path DEFAULT_FILE = Path.of("conf", "sandbox.yaml");
  static final String ENVIRONMENT = "environment";
  static final String SYSTEM_PROPERTY = "system property";
  static final String OVERRIDES = "deployment config";

  private ConfigLoader() {}

  /** {@link SandboxConfig#load}, with the file to look for when {@code confFile} is null. */
  static Future<SandboxConfig> load(Vertx vertx, ConfigSources sources, Path defaultFile) {
    boolean explicit = sources.confFile() != null;
    Path file = explicit ? sources.confFile() : defaultFile;
    return vertx.fileSystem().exists(file.toString())
        .compose(exists -> {
          if (exists) {
            return readFile(vertx, file);
          }
          return explicit
              ? Future.failedFuture(new ConfigException("--conf", "--conf file '" + file + "' does not exist"
                  + " (working directory: " + Path.of("").toAbsolutePath() + ")", null))
              : Future.succeededFuture(null);
        })
        .map(fileJson -> build(fileJson == null ? null : Layers.Layer.of(file.toString(), fileJson), sources));
  }

  /** {@link SandboxConfig#fromJson}: parse one object, errors without a source. */
  static SandboxConfig parse(JsonObject merged) {
    try {
      return ConfigParser.parse(merged);
    } catch (InvalidRequestException e) {
      throw attribute(e, key -> null);
    }
  }

  private static SandboxConfig build(Layers.Layer file, ConfigSources sources) {
    List<Layers.Layer> layers = new ArrayList<>();
    if (file != null) {
      layers.add(file);
    }
    layers.add(EnvMapping.layer(sources.env(), ENVIRONMENT));
    layers.add(EnvMapping.layer(sources.sysProps(), SYSTEM_PROPERTY));
    if (sources.overrides() != null) {
      layers.add(Layers.Layer.of(OVERRIDES, sources.overrides()));
    }
    Layers.Merged merged = Layers.merge(layers);
    try {
      return ConfigParser.parse(merged.data());
    } catch (InvalidRequestException e) {
      throw attribute(e, merged::origin);
    }
  }

  private static Future<JsonObject> readFile(Vertx vertx, Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    String format = name.endsWith(".yaml") || name.endsWith(".yml") ? "yaml" : name.endsWith(".json") ? "json" : null;
    if (format == null) {
      return Future.failedFuture(new ConfigException("--conf",
          "config file '" + file + "' must end in .yaml, .yml or .json", null));
    }
    ConfigRetriever retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions()
        .setIncludeDefaultStores(false)
        .setScanPeriod(0)
        .addStore(new ConfigStoreOptions().setType("file").setFormat(format)
            .setConfig(new JsonObject().put("path", file.toString()))));
    return retriever.getConfig()
        .andThen(ar -> retriever.close())
        .recover(e -> format.equals("yaml")
            ? vertx.executeBlocking(() -> emptyYaml(file)).compose(empty -> empty
                ? Future.succeededFuture(new JsonObject()) : Future.failedFuture(e))
            : Future.failedFuture(e))
        .recover(e -> Future.failedFuture(new ConfigException(file.toString(),
            "config file '" + file + "' is not valid " + format.toUpperCase(Locale.ROOT) + ": " + rootMessage(e),
            null)));
  }

  /** A YAML file with no document (only comments) fails in the file store; it means "no settings". */
  private static boolean emptyYaml(Path file) throws java.io.IOException {
    try {
      return new org.yaml.snakeyaml.Yaml().load(java.nio.file.Files.readString(file)) == null;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * A parser error as a {@link ConfigException}: the key as the user wrote it (the variable, or the
   * seed key it was moved from), its value and the source that set it (or set the related key).
   */
  static ConfigException attribute(InvalidRequestException e, Function<String, Layers.Origin> lookup) {
    Map<String, Object> d = e.details();
    String field = (String) d.get(ConfigErrors.FIELD);
    String problem = (String) d.get(ConfigErrors.PROBLEM);
    if (field == null || problem == null) {
      return new ConfigException(field == null ? "" : field, e.getMessage(), null);
    }
    String related = (String) d.get(ConfigErrors.RELATED);
    Layers.Origin origin = Layers.nearest(related != null ? related : field, lookup);
    String shown = field;
    if (related == null && origin != null && !origin.name().equals(origin.path())) {
      shown = origin.name() + field.substring(origin.path().length());
    }
    Object value = d.get(ConfigErrors.VALUE);
    String text = shown + (value == null ? "" : "=" + ConfigErrors.render(shown, value)) + " " + problem;
    return new ConfigException(shown, text, origin == null ? null : origin.source());
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage()).replaceAll("\\s+", " ").trim();
  }
}
