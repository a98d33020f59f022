package io.alphora.sandbox.config;

import static io.alphora.sandbox.config.ConfigErrors.invalid;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed, strict reads from one JSON object of the config tree. Every read names the full key in its
 * error ({@code http.port must be an integer}); a missing key or an explicit {@code null} gives the
 * default. {@link #done()} rejects every key that no read asked for (typo protection).
 */
final class Section {
  private final JsonObject json;
  private final String prefix;
  private final Set<String> read = new LinkedHashSet<>();

  private Section(JsonObject json, String prefix) {
    this.json = json == null ? new JsonObject() : json;
    this.prefix = prefix;
  }

  /** A section for {@code json} (null = empty) whose keys are reported as {@code prefix.key}. */
  static Section of(JsonObject json, String prefix) { return new Section(json, prefix); }

  /** The section at {@code name}: must be an object (or absent/null). */
  Section child(String name) {
    Object v = raw(name);
    if (v != null && !(v instanceof JsonObject)) {
      throw invalid(key(name), v, "must be an object");
    }
    return new Section((JsonObject) v, key(name));
  }

  /** Full dotted key of a field of this section. */
  String key(String name) { return prefix.isEmpty() ? name : prefix + "." + name; }

  /** The raw value (JsonObject/JsonArray wrapped), marking the key as known. */
  Object raw(String name) {
    read.add(name);
    return json.getValue(name);
  }

  String string(String name, String def) {
    Object v = raw(name);
    if (v == null) {
      return def;
    }
    if (!(v instanceof String s)) {
      throw invalid(key(name), v, "must be a string");
    }
    return s;
  }

  /** A string that must not be blank when given. */
  String nonBlank(String name, String def) {
    String s = string(name, def);
    if (s != null && s.isBlank()) {
      throw invalid(key(name), s, "must not be empty");
    }
    return s;
  }

  boolean bool(String name, boolean def) {
    Boolean b = optBool(name);
    return b == null ? def : b;
  }

  /** A real JSON boolean or null; strings such as {@code "true"} are refused (only env parses those). */
  Boolean optBool(String name) {
    Object v = raw(name);
    if (v != null && !(v instanceof Boolean)) {
      throw invalid(key(name), v, "must be a boolean (true or false)");
    }
    return (Boolean) v;
  }

  int integer(String name, int def, int min, int max) {
    return (int) longValue(name, def, min, max);
  }

  long longValue(String name, long def, long min, long max) {
    Object v = raw(name);
    if (v == null) {
      return def;
    }
    if (!(v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
        || v instanceof BigInteger)) {
      throw invalid(key(name), v, "must be an integer");
    }
    if (v instanceof BigInteger big && big.bitLength() > 63) {
      throw invalid(key(name), v, range(min, max));
    }
    long l = ((Number) v).longValue();
    if (l < min || l > max) {
      throw invalid(key(name), v, range(min, max));
    }
    return l;
  }

  /** A finite number with {@code min < value <= max}. */
  double decimal(String name, double def, double exclusiveMin, double max) {
    Object v = raw(name);
    if (v == null) {
      return def;
    }
    if (!(v instanceof Number n)) {
      throw invalid(key(name), v, "must be a number");
    }
    double d = n.doubleValue();
    if (!(d > exclusiveMin) || d > max) {
      throw invalid(key(name), v, "must be greater than " + trim(exclusiveMin) + " and at most " + trim(max));
    }
    return d;
  }

  List<String> strings(String name, List<String> def) {
    Object v = raw(name);
    if (v == null) {
      return def;
    }
    if (!(v instanceof JsonArray a)) {
      throw invalid(key(name), v, "must be a list of strings");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      Object e = a.getValue(i);
      if (!(e instanceof String s) || s.isBlank()) {
        throw invalid(key(name) + "[" + i + "]", e, "must be a non-empty string");
      }
      out.add(s);
    }
    return List.copyOf(out);
  }

  /** An object whose values are all strings; keys keep their order. */
  Map<String, String> stringMap(String name, Map<String, String> def) {
    Object v = raw(name);
    if (v == null) {
      return def;
    }
    if (!(v instanceof JsonObject o)) {
      throw invalid(key(name), v, "must be an object of strings");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : o.fieldNames()) {
      Object e = o.getValue(k);
      if (!(e instanceof String s)) {
        throw invalid(key(name) + "." + k, e, "must be a string");
      }
      out.put(k, s);
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  /** Fails on the first key of this section that no read asked for. */
  void done() {
    for (String k : json.fieldNames()) {
      if (!read.contains(k)) {
        throw invalid(key(k), null, "is not a known field: expected one of " + String.join(", ", read));
      }
    }
  }

  private static String range(long min, long max) {
    if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
      return min == 1 ? "must be positive" : "must be at least " + min;
    }
    return "must be between " + min + " and " + max;
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }
}
