package io.alphora.sandbox.config;

import static io.alphora.sandbox.config.ConfigErrors.invalid;

import io.alphora.sandbox.SandboxException.InvalidRequestException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Merges config sources in order (later wins) and remembers, for every key, which source set it and
 * under which name (a variable, or the seed key it was moved from), so errors can point at it.
 *
 * <p>Merge rules: objects merge key by key; lists, scalars and the map-valued fields
 * ({@code auth.api_keys}, {@code docker.environment}, {@code docker.volumes}) replace; a
 * {@code resource_limits} / {@code security_policy} that names a {@code preset} replaces the whole
 * section (fields given next to the preset in the same source still apply on top of it).
 */
final class Layers {
  private static final Set<String> ATOMIC = Set.of("auth.api_keys", "docker.environment", "docker.volumes");
  private static final List<String> PRESET_SECTIONS = List.of("resource_limits", "security_policy");
  private static final List<String> MANAGER_ALIASES = List.of("auto_cleanup", "persist_files");
  private static final List<String> DOCKER_HOST_TLS =
      List.of("tls_verify", "tls_ca_cert", "tls_client_cert", "tls_client_key");

  private Layers() {}

  /**
   * One source.
   *
   * @param source how messages name it ({@code environment}, a file path…)
   * @param data its keys in the file schema
   * @param names display names of paths that the user wrote differently (variable names)
   */
  record Layer(String source, JsonObject data, Map<String, String> names) {
    static Layer of(String source, JsonObject data) {
      return new Layer(source, data, Map.of());
    }
  }

  /** Who set a key: the path it landed at, the name the user wrote, and the source. */
  record Origin(String path, String name, String source) {}

  /** The merged object and the origin of each of its keys. */
  record Merged(JsonObject data, Map<String, Origin> origins) {
    Origin origin(String key) {
      return origins.get(key);
    }
  }

  static Merged merge(List<Layer> layers) {
    JsonObject acc = new JsonObject();
    Map<String, Origin> origins = new HashMap<>();
    for (Layer layer : layers) {
      Map<String, String> names = new HashMap<>(layer.names());
      JsonObject normalized;
      try {
        normalized = normalize(layer.data(), names);
      } catch (InvalidRequestException e) {
        throw ConfigLoader.attribute(e, k -> names.containsKey(k)
            ? new Origin(k, names.get(k), layer.source()) : new Origin(k, k, layer.source()));
      }
      mergeInto(acc, normalized, "", layer.source(), names, origins);
    }
    return new Merged(acc, origins);
  }

  /**
   * A copy of {@code data} in the canonical shape: the seed's top-level {@code auto_cleanup} /
   * {@code persist_files} moved under {@code manager}, a preset name {@code "strict"} turned into
   * {@code {preset: strict}}, and the seed's {@code docker.docker_host} object flattened into
   * {@code docker.docker_host} + {@code docker.tls_*}. Records moved keys in {@code names}.
   */
  static JsonObject normalize(JsonObject data, Map<String, String> names) {
    JsonObject out = data == null ? new JsonObject() : data.copy();
    for (String key : MANAGER_ALIASES) {
      Object current = out.getValue("manager");
      if (out.containsKey(key) && (current == null || current instanceof JsonObject)) {
        JsonObject manager = current == null ? new JsonObject() : (JsonObject) current;
        move(out, key, manager, key, "manager." + key, names);
        out.put("manager", manager);
      }
    }
    for (String section : PRESET_SECTIONS) {
      if (out.getValue(section) instanceof String preset) {
        out.put(section, new JsonObject().put("preset", preset));
        names.put(section + ".preset", names.getOrDefault(section, section));
      }
    }
    if (out.getValue("docker") instanceof JsonObject docker && docker.getValue("docker_host") instanceof JsonObject host) {
      String prefix = "docker.docker_host.";
      for (String key : host.fieldNames()) {
        if (!key.equals("url") && !DOCKER_HOST_TLS.contains(key)) {
          throw invalid(prefix + key, null, "is not a known field: expected one of url, " + String.join(", ", DOCKER_HOST_TLS));
        }
      }
      for (String key : DOCKER_HOST_TLS) {
        move(host, prefix + key, docker, key, "docker." + key, names);
      }
      docker.put("docker_host", host.getValue("url"));
      names.put("docker.docker_host", names.getOrDefault(prefix + "url", prefix + "url"));
    }
    return out;
  }

  /** The origin of {@code key} or of its nearest parent ({@code a.b[2].c} → {@code a.b[2]} → {@code a.b} → {@code a}). */
  static <T> T nearest(String key, Function<String, T> lookup) {
    for (String k = key; k != null; k = parent(k)) {
      T t = lookup.apply(k);
      if (t != null) {
        return t;
      }
    }
    return null;
  }

  private static String parent(String key) {
    int i = Math.max(key.lastIndexOf('.'), key.lastIndexOf('['));
    return i <= 0 ? null : key.substring(0, i);
  }

  /**
   * Moves {@code from[fromPath's last segment]} to {@code to[toKey]}; both given with different values
   * is an error naming both.
   */
  private static void move(JsonObject from, String fromPath, JsonObject to, String toKey, String toPath,
      Map<String, String> names) {
    String fromKey = fromPath.substring(fromPath.lastIndexOf('.') + 1);
    if (!from.containsKey(fromKey)) {
      return;
    }
    Object value = from.remove(fromKey);
    if (to.containsKey(toKey) && !Objects.equals(to.getValue(toKey), value)) {
      throw invalid(fromPath, value, "conflicts with " + toPath + "="
          + ConfigErrors.render(toPath, to.getValue(toKey)) + ": set only one of them");
    }
    to.put(toKey, value);
    names.put(toPath, names.getOrDefault(fromPath, fromPath));
  }

  private static void mergeInto(JsonObject target, JsonObject src, String prefix, String source,
      Map<String, String> names, Map<String, Origin> origins) {
    for (String key : src.fieldNames()) {
      String path = prefix.isEmpty() ? key : prefix + "." + key;
      Object value = src.getValue(key);
      if (value instanceof JsonObject o && target.getValue(key) instanceof JsonObject existing
          && !ATOMIC.contains(path) && !(PRESET_SECTIONS.contains(path) && o.containsKey("preset"))) {
        mergeInto(existing, o, path, source, names, origins);
        continue;
      }
      target.put(key, value instanceof JsonObject o ? o.copy() : value instanceof JsonArray a ? a.copy() : value);
      origins.keySet().removeIf(p -> p.equals(path) || p.startsWith(path + ".") || p.startsWith(path + "["));
      record(path, value, source, names, origins);
    }
  }

  private static void record(String path, Object value, String source, Map<String, String> names,
      Map<String, Origin> origins) {
    origins.put(path, new Origin(path, names.getOrDefault(path, path), source));
    if (value instanceof JsonObject o) {
      for (String key : o.fieldNames()) {
        record(path + "." + key, o.getValue(key), source, names, origins);
      }
    }
  }
}
