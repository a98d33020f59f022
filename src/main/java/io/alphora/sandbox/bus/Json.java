package io.alphora.sandbox.bus;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.alphora.sandbox.SandboxException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The one JSON mapping of the public records: snake_case names, ISO-8601 UTC times with millisecond
 * precision ending in {@code Z}. Used by REST, the bus and the Java facade alike, so every interface
 * shows the same shapes.
 */
public final class Json {
  private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
      .withZone(java.time.ZoneOffset.UTC);

  /** Strict: unknown fields are errors (a typo in a request must not be silently ignored). */
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .registerModule(timeModule())
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private Json() {}

  public static String formatTime(Instant t) { return t == null ? null : ISO.format(t.truncatedTo(ChronoUnit.MILLIS)); }

  /** A record (or any bean) as a Vert.x JsonObject. */
  @SuppressWarnings("unchecked")
  public static JsonObject toJson(Object value) {
    return new JsonObject(MAPPER.convertValue(value, Map.class));
  }

  /** Any value as a plain JSON-compatible structure (maps, lists, strings, numbers). */
  public static Object toPlain(Object value) { return MAPPER.convertValue(value, Object.class); }

  /**
   * Reads a record from JSON; shape errors become {@code invalid_request} naming the field, with
   * {@code what} (e.g. "request body") as the prefix of the message.
   */
  public static <T> T fromJson(JsonObject json, Class<T> type, String what) {
    // through the encoded text: a JsonObject that crossed the bus holds JsonArray/JsonObject values,
    // which the mapper would not treat as lists and maps
    return fromString(json == null ? "{}" : json.encode(), type, what);
  }

  public static <T> T fromString(String text, Class<T> type, String what) {
    try {
      return MAPPER.readValue(text, type);
    } catch (IOException e) {
      throw invalid(what, e);
    }
  }

  private static SandboxException invalid(String what, Throwable e) {
    if (e instanceof SandboxException se) {
      return se;
    }
    if (e.getCause() instanceof SandboxException se) {
      return se;
    }
    if (e instanceof UnrecognizedPropertyException u) {
      return new SandboxException.InvalidRequestException(
          what + ": unknown field '" + path(u) + "'", Map.of("field", path(u)));
    }
    if (e instanceof InvalidFormatException f) {
      return new SandboxException.InvalidRequestException(what + ": field '" + path(f) + "' has an invalid value "
          + f.getValue() + " (expected " + f.getTargetType().getSimpleName().toLowerCase() + ")",
          Map.of("field", path(f)));
    }
    if (e instanceof MismatchedInputException m) {
      String field = path(m);
      return new SandboxException.InvalidRequestException(what + ": field '" + field + "' has the wrong type"
          + (m.getTargetType() != null ? " (expected " + typeName(m.getTargetType()) + ")" : ""),
          Map.of("field", field));
    }
    return new SandboxException.InvalidRequestException(what + ": " + e.getMessage());
  }

  private static String typeName(Class<?> c) {
    if (c == String.class) {
      return "string";
    }
    if (c == boolean.class || c == Boolean.class) {
      return "boolean";
    }
    if (Number.class.isAssignableFrom(c) || c.isPrimitive()) {
      return "number";
    }
    if (java.util.Collection.class.isAssignableFrom(c)) {
      return "array";
    }
    if (Map.class.isAssignableFrom(c)) {
      return "object";
    }
    return c.getSimpleName().toLowerCase();
  }

  private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining(".")).replace(".[", "[");
  }

  private static SimpleModule timeModule() {
    SimpleModule m = new SimpleModule("alphora-time");
    m.addSerializer(Instant.class, new JsonSerializer<>() {
      @Override
      public void serialize(Instant v, JsonGenerator g, SerializerProvider p) throws IOException {
        g.writeString(formatTime(v));
      }
    });
    m.addDeserializer(Instant.class, new JsonDeserializer<>() {
      @Override
      public Instant deserialize(JsonParser p, DeserializationContext c) throws IOException {
        return Instant.parse(p.getValueAsString());
      }
    });
    return m;
  }
}
