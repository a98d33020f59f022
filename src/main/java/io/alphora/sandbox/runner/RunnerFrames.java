package io.alphora.sandbox.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/** Encoding of requests and decoding of events of the runner protocol. */
final class RunnerFrames {
  private RunnerFrames() {}

  static ObjectNode exec(ObjectMapper mapper, RunRequest r) {
    ObjectNode n = mapper.createObjectNode();
    n.put("op", "exec").put("id", r.id()).put("kind", r.kind().wire());
    switch (r.kind()) {
      case PYTHON_CODE -> n.put("code", r.code());
      case PYTHON_FILE -> {
        n.put("file", r.file());
        strings(n.putArray("args"), r.args());
      }
      case ARGV -> strings(n.putArray("argv"), r.argv());
    }
    if (r.cwd() != null) {
      n.put("cwd", r.cwd());
    }
    if (r.env() != null) {
      ObjectNode env = n.putObject("env");
      r.env().forEach(env::put);
    }
    if (r.stdin() != null) {
      n.put("stdin", r.stdin());
    }
    if (r.stdinOpen()) {
      n.put("stdin_open", true);
    }
    if (r.timeoutSeconds() > 0) {
      n.put("timeout", r.timeoutSeconds());
    }
    if (r.maxOutput() > 0) {
      n.put("max_output", r.maxOutput());
    }
    if (r.background()) {
      n.put("background", true);
    }
    if (!r.rlimits().isEmpty()) {
      ObjectNode rl = n.putObject("rlimits");
      for (Map.Entry<String, Long> e : r.rlimits().entrySet()) {
        rl.put(e.getKey(), e.getValue());
      }
    }
    return n;
  }

  /**
   * A run's exit; a runner that sees its container's cgroup counters ({@code oom_killed},
   * {@code fork_refused}) names the limit that ended the run from them.
   */
  static RunExit exit(JsonNode ev) {
    RunExit e = new RunExit(ev.path("code").asInt(-1),
        ev.hasNonNull("signal") ? ev.get("signal").asInt() : null,
        text(ev, "reason"), ev.path("truncated").asBoolean(false),
        ev.path("cpu_time").asDouble(0), ev.path("max_rss_mb").asDouble(0),
        ev.path("wall").asDouble(0), text(ev, "error"));
    return ev.has("oom_killed") ? e.blamedOnCounters(() -> ev.path("oom_killed").asBoolean(false),
        () -> ev.path("fork_refused").asBoolean(false)) : e;
  }

  private static String text(JsonNode ev, String field) {
    JsonNode v = ev.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static void strings(ArrayNode array, List<String> values) {
    values.forEach(array::add);
  }
}
