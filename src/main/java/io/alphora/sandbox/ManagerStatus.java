package io.alphora.sandbox;

import java.util.Map;

/**
 * The manager's view of this node (the seed's {@code get_status()}); clustered, the counts and the
 * sandboxes are the whole cluster's. {@code labels}: this node's {@code cluster.labels}.
 */
public record ManagerStatus(
    String nodeId, String basePath, BackendType defaultBackend, int maxSandboxes, int sandboxCount,
    int runningCount, boolean draining, java.util.List<String> labels, Map<String, Summary> sandboxes) {

  /** One sandbox in the status listing. */
  public record Summary(String name, SandboxStatus status, BackendType backend) {}
}
