package io.alphora.sandbox.config;

import static io.alphora.sandbox.config.ConfigErrors.invalid;

import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.SandboxException;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Reads {@link ResourceLimits} from the seed's JSON shape. Shared by the config loader and the REST
 * layer (a create request's {@code resource_limits}).
 *
 * <p>The value is either a preset name ({@code minimal}, {@code standard}, {@code high_performance})
 * or an object with any of the snake_case fields {@code timeout_seconds}, {@code memory_mb},
 * {@code cpu_cores}, {@code disk_mb}, {@code max_processes}, {@code max_threads},
 * {@code max_open_files}, {@code network_enabled}, {@code max_output_size}, {@code max_file_size},
 * plus an optional {@code preset} that replaces the base. Only the given fields change; unknown fields
 * are refused (the seed ignored them).
 */
public final class Limits {
  private Limits() {}

  /**
   * Overlays {@code value} on {@code base}.
   *
   * @param value null (= {@code base}), a preset name, or a {@link JsonObject} / {@link Map}
   * @param base the limits to start from
   * @param keyPrefix how errors name this value, e.g. {@code resource_limits}
   * @throws SandboxException.InvalidRequestException naming the field, e.g.
   *     {@code resource_limits.memory_mb=-5 must be positive}
   */
  public static ResourceLimits parse(Object value, ResourceLimits base, String keyPrefix) {
    if (value == null) {
      return base;
    }
    if (value instanceof String name) {
      return preset(name, keyPrefix);
    }
    JsonObject json = asObject(value, keyPrefix, "a resource_limits preset name");
    Section s = Section.of(json, keyPrefix);
    String preset = s.string("preset", null);
    ResourceLimits b = preset == null ? base : preset(preset, s.key("preset"));
    ResourceLimits out = new ResourceLimits(
        s.integer("timeout_seconds", b.timeoutSeconds(), 1, Integer.MAX_VALUE),
        s.integer("memory_mb", b.memoryMb(), 1, Integer.MAX_VALUE),
        s.decimal("cpu_cores", b.cpuCores(), 0, 1024),
        s.integer("disk_mb", b.diskMb(), 1, Integer.MAX_VALUE),
        s.integer("max_processes", b.maxProcesses(), 1, Integer.MAX_VALUE),
        s.integer("max_threads", b.maxThreads(), 1, Integer.MAX_VALUE),
        s.integer("max_open_files", b.maxOpenFiles(), 1, Integer.MAX_VALUE),
        s.bool("network_enabled", b.networkEnabled()),
        s.longValue("max_output_size", b.maxOutputSize(), 1, Long.MAX_VALUE),
        s.longValue("max_file_size", b.maxFileSize(), 1, Long.MAX_VALUE));
    s.done();
    return out;
  }

  /** The seed's {@code to_dict()} shape (snake_case, the 10 fields in the seed's order). */
  public static JsonObject toJson(ResourceLimits l) {
    return new JsonObject()
        .put("timeout_seconds", l.timeoutSeconds())
        .put("memory_mb", l.memoryMb())
        .put("cpu_cores", l.cpuCores())
        .put("disk_mb", l.diskMb())
        .put("max_processes", l.maxProcesses())
        .put("max_threads", l.maxThreads())
        .put("max_open_files", l.maxOpenFiles())
        .put("network_enabled", l.networkEnabled())
        .put("max_output_size", l.maxOutputSize())
        .put("max_file_size", l.maxFileSize());
  }

  private static ResourceLimits preset(String name, String key) {
    try {
      return ResourceLimits.preset(name);
    } catch (SandboxException e) {
      throw invalid(key, name, "is not a resource_limits preset: use minimal, standard or high_performance");
    }
  }

  /** A JsonObject or Map as a JsonObject; anything else fails naming the key. */
  @SuppressWarnings("unchecked")
  static JsonObject asObject(Object value, String key, String alternative) {
    if (value instanceof JsonObject o) {
      return o;
    }
    if (value instanceof Map<?, ?> m) {
      return new JsonObject((Map<String, Object>) m);
    }
    throw invalid(key, value, "must be an object or " + alternative);
  }
}
