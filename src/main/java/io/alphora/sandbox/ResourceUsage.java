package io.alphora.sandbox;

import java.time.Instant;

/** What a sandbox's own processes and workspace use right now (never the service's figures). */
public record ResourceUsage(
    double memoryMb, double memoryLimitMb, double memoryPercent, double cpuPercent, double cpuTime,
    double diskUsedMb, double diskLimitMb, double diskPercent, int numProcesses, int numThreads,
    Instant timestamp) {
}
