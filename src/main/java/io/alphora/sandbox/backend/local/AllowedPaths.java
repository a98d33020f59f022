package io.alphora.sandbox.backend.local;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SecurityPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code security_policy.allowed_paths} on the local backend: host paths shown read-only inside, at
 * the same path. A client cannot pick any host path: each must be an operator-listed
 * {@code local.allowed_host_paths} entry or below one, exist without a symbolic link anywhere in it
 * (a link could point out of the listed tree), lie under none of the sandbox's {@code blocked_paths},
 * and not cover the paths the sandbox's own mounts use.
 */
final class AllowedPaths {
  /** Paths the sandbox's own mounts use: an allowed path may be neither one of them, below one, nor above one. */
  private static final List<String> RESERVED = List.of(Bwrap.WORKSPACE, Bwrap.SITE, Bwrap.WHEELS, "/opt/alphora",
      "/tmp", "/proc", "/dev", "/etc", "/usr", "/bin", "/sbin", "/lib", "/lib64");

  private AllowedPaths() {}

  static void check(SecurityPolicy policy, List<Path> operatorList) {
    for (String p : policy.allowedPaths()) {
      Path path = Path.of(p);
      if (!p.startsWith("/") || !path.normalize().toString().equals(p)) {
        throw refuse(p, "must be a normalized absolute path");
      }
      if (operatorList.stream().noneMatch(path::startsWith)) {
        throw refuse(p, "is not below any of the service's local.allowed_host_paths " + operatorList
            .stream().map(Path::toString).toList() + " (an operator setting: SANDBOX_LOCAL_ALLOWED_HOST_PATHS)");
      }
      for (String b : policy.blockedPaths()) {
        if (path.startsWith(b) || Path.of(b).startsWith(path)) {
          throw refuse(p, "overlaps blocked path '" + b + "'");
        }
      }
      for (String r : RESERVED) {
        // below /tmp is fine (mounted over the private /tmp); /tmp itself is not
        if ((path.startsWith(r) && !r.equals("/tmp")) || Path.of(r).startsWith(path)) {
          throw refuse(p, "overlaps '" + r + "', which the sandbox's own mounts use");
        }
      }
      try {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS) || !path.toRealPath().equals(path)) {
          throw refuse(p, "does not exist or goes through a symbolic link");
        }
      } catch (IOException e) {
        throw refuse(p, "cannot be resolved: " + e.getMessage());
      }
    }
  }

  private static SandboxException refuse(String p, String why) {
    return new SandboxException(ErrorCode.SECURITY_VIOLATION, "security_policy.allowed_paths entry '" + p + "' "
        + why, Map.of("field", "allowed_paths", "path", p));
  }
}
