package io.alphora.sandbox;

import java.util.Locale;

/**
 * Resource limits with the seed's names, units and defaults. Presets: {@link #minimal()},
 * {@link #standard()}, {@link #highPerformance()}.
 */
public record ResourceLimits(
    int timeoutSeconds, int memoryMb, double cpuCores, int diskMb, int maxProcesses, int maxThreads,
    int maxOpenFiles, boolean networkEnabled, long maxOutputSize, long maxFileSize) {

  public ResourceLimits {
    positive("timeout_seconds", timeoutSeconds);
    positive("memory_mb", memoryMb);
    if (!(cpuCores > 0) || cpuCores > 1024) {
      throw invalid("cpu_cores", cpuCores);
    }
    positive("disk_mb", diskMb);
    positive("max_processes", maxProcesses);
    positive("max_threads", maxThreads);
    positive("max_open_files", maxOpenFiles);
    positive("max_output_size", maxOutputSize);
    positive("max_file_size", maxFileSize);
  }

  public static ResourceLimits standard() {
    return new ResourceLimits(300, 512, 1.0, 1024, 10, 50, 1024, false, 10_485_760L, 104_857_600L);
  }

  public static ResourceLimits minimal() {
    return new ResourceLimits(30, 128, 0.5, 256, 5, 50, 1024, false, 10_485_760L, 104_857_600L);
  }

  public static ResourceLimits highPerformance() {
    return new ResourceLimits(600, 4096, 4.0, 10240, 50, 200, 1024, true, 10_485_760L, 104_857_600L);
  }

  /** {@code minimal}, {@code standard} or {@code high_performance}. */
  public static ResourceLimits preset(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT).replace('-', '_')) {
      case "minimal" -> minimal();
      case "standard", "default" -> standard();
      case "high_performance" -> highPerformance();
      default -> throw new SandboxException.InvalidRequestException("unknown resource_limits preset '" + name
          + "': use minimal, standard or high_performance");
    };
  }

  public ResourceLimits withTimeoutSeconds(int t) {
    return new ResourceLimits(t, memoryMb, cpuCores, diskMb, maxProcesses, maxThreads, maxOpenFiles,
        networkEnabled, maxOutputSize, maxFileSize);
  }

  private static void positive(String field, long v) {
    if (v <= 0) {
      throw invalid(field, v);
    }
  }

  private static SandboxException invalid(String field, Object v) {
    return new SandboxException.InvalidRequestException(
        "resource_limits." + field + " must be a positive number, got " + v,
        java.util.Map.of("field", "resource_limits." + field));
  }
}
