package io.alphora.sandbox;

import java.util.Map;

/** Resource usage summed over the running sandboxes (the seed's {@code get_total_resource_usage()}). */
public record TotalUsage(
    int sandboxCount, int runningCount, double totalMemoryMb, double totalCpuPercent,
    Map<String, ResourceUsage> sandboxes) {
}
