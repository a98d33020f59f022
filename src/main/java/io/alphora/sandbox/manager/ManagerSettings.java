package io.alphora.sandbox.manager;

import io.alphora.sandbox.BackendType;
import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.SecurityPolicy;
import java.nio.file.Path;

/** What the manager needs from the configuration. */
public record ManagerSettings(
    Path basePath, String nodeId, int maxSandboxes, long idleTimeoutSeconds, long idleSweepSeconds,
    BackendType defaultBackend, String defaultImage, ResourceLimits defaultLimits,
    SecurityPolicy defaultPolicy, boolean autoCleanup, long shutdownTimeoutSeconds, int tenantMaxSandboxes,
    int tenantMaxConcurrentRuns, java.util.List<String> nodeLabels) {

  public ManagerSettings {
    nodeLabels = java.util.List.copyOf(nodeLabels);
  }
}
