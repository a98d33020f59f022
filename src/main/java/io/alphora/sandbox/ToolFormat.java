package io.alphora.sandbox;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** How agent tool definitions are rendered: each vendor's own field names. */
public enum ToolFormat {
  /** {@code {type:"function", function:{name, description, parameters}}} (OpenAI Chat Completions). */
  OPENAI,
  /** {@code {name, description, input_schema}} (Anthropic Messages). */
  ANTHROPIC,
  /** {@code {name, description, inputSchema}} (Model Context Protocol {@code tools/list}). */
  MCP,
  /** {@code {name, description, parameters}}: the seed's {@code get_tool_definitions()} entries. */
  GENERIC;

  /** The lower-case wire name, e.g. {@code openai}. */
  public String value() { return name().toLowerCase(Locale.ROOT); }

  /** Parses a wire name; an unknown one is an {@code invalid_request} that lists the valid names. */
  public static ToolFormat of(String value) {
    for (ToolFormat f : values()) {
      if (f.value().equalsIgnoreCase(value == null ? "" : value.trim())) {
        return f;
      }
    }
    throw new SandboxException.InvalidRequestException("unknown tool format '" + value + "': use one of "
        + Arrays.stream(values()).map(ToolFormat::value).collect(Collectors.joining(", ")), Map.of("field", "format"));
  }
}
