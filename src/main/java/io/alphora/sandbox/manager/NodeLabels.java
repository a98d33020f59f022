package io.alphora.sandbox.manager;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Placement by node label: a node carries the labels of {@code cluster.labels} ({@code gpu},
 * {@code zone=eu-1}); a create's {@code node_labels} lists labels the chosen node must carry, all of
 * them, compared as exact strings.
 */
public final class NodeLabels {
  public static final String FIELD = "node_labels";

  private NodeLabels() {}

  /** The create body's {@code node_labels}: absent or null = no constraint; else a list of strings. */
  public static List<String> requested(Object value) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray a)) {
      throw new SandboxException.InvalidRequestException("'" + FIELD + "' must be a list of strings, e.g. [\"gpu\"]",
          Map.of("field", FIELD));
    }
    List<String> out = new ArrayList<>();
    for (Object o : a) {
      if (!(o instanceof String s) || s.isBlank()) {
        throw new SandboxException.InvalidRequestException("'" + FIELD + "' must be a list of non-empty strings",
            Map.of("field", FIELD));
      }
      out.add(s);
    }
    return List.copyOf(out);
  }

  /** Whether a node with {@code carried} labels may take a sandbox that asks for {@code wanted}. */
  public static boolean carries(List<?> carried, List<String> wanted) { return carried.containsAll(wanted); }

  /**
   * No node that can take sandboxes carries every wanted label: {@code 503 backend_unavailable} (capacity
   * with those labels may join later), naming the labels and what each node carries.
   */
  public static SandboxException noNode(List<String> wanted, Map<String, List<String>> nodes) {
    String each = nodes.entrySet().stream()
        .map(e -> e.getKey() + " " + (e.getValue().isEmpty() ? "(none)" : String.join(",", e.getValue())))
        .collect(Collectors.joining("; "));
    return new SandboxException(ErrorCode.BACKEND_UNAVAILABLE, "no node " + (nodes.size() > 1 ? "of the cluster " : "")
        + "carries the label" + (wanted.size() > 1 ? "s '" : " '") + String.join("', '", wanted)
        + "' (node labels: " + (each.isEmpty() ? "no nodes" : each) + "): start a node with cluster.labels "
        + "(SANDBOX_NODE_LABELS) including " + (wanted.size() > 1 ? "them" : "it") + ", or drop " + FIELD,
        Map.of(FIELD, wanted, "nodes", nodes));
  }
}
