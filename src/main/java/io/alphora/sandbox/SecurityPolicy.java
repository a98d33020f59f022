package io.alphora.sandbox;

import java.util.List;
import java.util.Locale;

/** The security policy with the seed's names and defaults. Presets: {@link #strict()}, {@link #permissive()}. */
public record SecurityPolicy(
    boolean allowShell, boolean allowNetwork, boolean allowFileWrite, boolean allowSubprocess,
    List<String> blockedImports, List<String> allowedImports, List<String> blockedPaths,
    List<String> allowedPaths, int maxFileSizeMb, int maxFilesCount, boolean auditEnabled,
    boolean readOnlyMode) {

  static final List<String> DEFAULT_BLOCKED_IMPORTS =
      List.of("os.system", "subprocess", "shutil.rmtree", "ctypes", "multiprocessing");
  static final List<String> DEFAULT_BLOCKED_PATHS = List.of("/etc", "/usr", "/bin", "/sbin", "/root");

  public SecurityPolicy {
    blockedImports = blockedImports == null ? List.of() : List.copyOf(blockedImports);
    allowedImports = allowedImports == null ? List.of() : List.copyOf(allowedImports);
    blockedPaths = blockedPaths == null ? List.of() : List.copyOf(blockedPaths);
    allowedPaths = allowedPaths == null ? List.of() : List.copyOf(allowedPaths);
    if (maxFileSizeMb <= 0) {
      throw new SandboxException.InvalidRequestException(
          "security_policy.max_file_size_mb must be positive, got " + maxFileSizeMb);
    }
    if (maxFilesCount <= 0) {
      throw new SandboxException.InvalidRequestException(
          "security_policy.max_files_count must be positive, got " + maxFilesCount);
    }
  }

  public static SecurityPolicy standard() {
    return new SecurityPolicy(true, false, true, false, DEFAULT_BLOCKED_IMPORTS, List.of(),
        DEFAULT_BLOCKED_PATHS, List.of(), 100, 1000, true, false);
  }

  public static SecurityPolicy strict() {
    return new SecurityPolicy(false, false, true, false,
        List.of("os", "subprocess", "shutil", "ctypes", "multiprocessing", "socket"), List.of(),
        DEFAULT_BLOCKED_PATHS, List.of(), 100, 1000, true, false);
  }

  public static SecurityPolicy permissive() {
    return new SecurityPolicy(true, true, true, true, List.of(), List.of(), DEFAULT_BLOCKED_PATHS,
        List.of(), 100, 1000, true, false);
  }

  /** {@code standard}, {@code strict} or {@code permissive}. */
  public static SecurityPolicy preset(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "standard", "default" -> standard();
      case "strict" -> strict();
      case "permissive" -> permissive();
      default -> throw new SandboxException.InvalidRequestException("unknown security_policy preset '" + name
          + "': use standard, strict or permissive");
    };
  }
}
