package io.alphora.sandbox;

import java.time.Instant;
import java.util.Map;

/** A snapshot of one sandbox's state, as {@code GET /v1/sandboxes/{id}} returns it. */
public record SandboxInfo(
    String sandboxId, String name, SandboxStatus status, BackendType backendType, String image,
    String workspacePath, Instant createdAt, Instant startedAt, Instant stoppedAt,
    Instant lastActivityAt, ResourceLimits resourceLimits, SecurityPolicy securityPolicy,
    long executionCount, long fileCount, double totalSizeMb, Map<String, String> metadata,
    String nodeId, Long idleTimeoutSeconds, String isolation, String statusMessage) {
}
