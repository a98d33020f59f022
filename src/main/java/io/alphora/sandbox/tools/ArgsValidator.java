package io.alphora.sandbox.tools;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks tool arguments against a tool's schema, the subset of JSON Schema the catalog uses:
 * {@code type} (object, string, integer, number, boolean, array), {@code properties}, {@code required},
 * {@code additionalProperties: false}, {@code items}, {@code minimum}. Messages are written for the
 * model that produced the arguments: they name the parameter, the expected type and what was sent.
 * A {@code null} value of an optional parameter counts as absent (models often send them).
 */
final class ArgsValidator {
  private static final int SHOWN_CHARS = 40;

  private ArgsValidator() {}

  /** Everything wrong with {@code args}, in a stable order; empty when they are valid. */
  static List<String> problems(JsonObject schema, JsonObject args) {
    List<String> out = new ArrayList<>();
    JsonObject props = schema.getJsonObject("properties", new JsonObject());
    if (Boolean.FALSE.equals(schema.getValue("additionalProperties"))) {
      for (String key : args.fieldNames()) {
        if (!props.containsKey(key)) {
          out.add("unknown parameter '" + key + "'");
        }
      }
    }
    for (Object r : schema.getJsonArray("required", new JsonArray())) {
      String key = (String) r;
      if (args.getValue(key) == null) {
        out.add("missing required parameter '" + key + "' (" + typeOf(props.getJsonObject(key)) + ")");
      }
    }
    for (String key : props.fieldNames()) {
      Object v = args.getValue(key);
      if (v != null) {
        check(key, props.getJsonObject(key), v, out);
      }
    }
    return out;
  }

  /**
   * {@code name(a: string, b?: integer)}: the call's signature, so a model can repair its call from
   * the error alone.
   */
  static String signature(String tool, JsonObject schema) {
    JsonObject props = schema.getJsonObject("properties", new JsonObject());
    JsonArray required = schema.getJsonArray("required", new JsonArray());
    List<String> parts = new ArrayList<>();
    for (String key : props.fieldNames()) {
      parts.add(key + (required.contains(key) ? "" : "?") + ": " + typeOf(props.getJsonObject(key)));
    }
    return tool + "(" + String.join(", ", parts) + ")";
  }

  private static void check(String where, JsonObject schema, Object v, List<String> out) {
    String type = schema.getString("type");
    if (type != null && !hasType(type, v)) {
      out.add("'" + where + "' must be " + article(typeOf(schema)) + ", got " + describe(v));
      return;
    }
    if (v instanceof Number n && schema.getValue("minimum") instanceof Number min
        && n.doubleValue() < min.doubleValue()) {
      String hint = schema.getString("x-hint");
      out.add("'" + where + "' must be at least " + min + ", got " + n + (hint == null ? "" : " (" + hint + ")"));
    }
    if (v instanceof JsonArray a && schema.getJsonObject("items") != null) {
      for (int i = 0; i < a.size(); i++) {
        Object item = a.getValue(i);
        if (item == null) {
          out.add("'" + where + "[" + i + "]' must be " + article(typeOf(schema.getJsonObject("items"))) + ", got null");
        } else {
          check(where + "[" + i + "]", schema.getJsonObject("items"), item, out);
        }
      }
    }
  }

  private static boolean hasType(String type, Object v) {
    return switch (type) {
      case "string" -> v instanceof String;
      case "boolean" -> v instanceof Boolean;
      case "integer" -> v instanceof Number n && isInt(n);
      case "number" -> v instanceof Number;
      case "array" -> v instanceof JsonArray;
      case "object" -> v instanceof JsonObject;
      default -> true;
    };
  }

  /** Integral and within 32 bits: JSON Schema counts 5.0 as an integer, Java's int must hold it. */
  private static boolean isInt(Number n) {
    if (n instanceof Integer || n instanceof Short || n instanceof Byte) {
      return true;
    }
    if (n instanceof Long || n instanceof BigInteger) {
      return new BigInteger(n.toString()).bitLength() < 32;
    }
    try {
      BigDecimal d = new BigDecimal(n.toString());
      return d.stripTrailingZeros().scale() <= 0 && d.toBigInteger().bitLength() < 32;
    } catch (NumberFormatException infiniteOrNan) {
      return false;
    }
  }

  /** {@code string}, {@code integer}, {@code array of strings}, … */
  static String typeOf(JsonObject schema) {
    if (schema == null || schema.getString("type") == null) {
      return "any value";
    }
    String type = schema.getString("type");
    if ("array".equals(type) && schema.getJsonObject("items") != null) {
      return "array of " + typeOf(schema.getJsonObject("items")) + "s";
    }
    return type;
  }

  private static String article(String type) {
    return (type.matches("^[aeiou].*") ? "an " : "a ") + type;
  }

  private static String describe(Object v) {
    if (v instanceof String s) {
      String shown = s.length() > SHOWN_CHARS ? s.substring(0, SHOWN_CHARS) + "…" : s;
      return "string " + new JsonArray().add(shown).encode().replaceAll("^\\[|]$", "");
    }
    if (v instanceof Number n) {
      return "number " + n;
    }
    if (v instanceof Boolean b) {
      return "boolean " + b;
    }
    return v instanceof JsonArray ? "an array" : v instanceof JsonObject ? "an object" : String.valueOf(v);
  }
}
