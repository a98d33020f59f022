package io.alphora.sandbox.backend;

import io.alphora.sandbox.BackendType;
import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.SecurityPolicy;
import java.nio.file.Path;

/**
 * What a backend needs to know to host one sandbox. All host paths live under
 * {@code <base>/sandboxes/<id>/}: {@code workspace/} (the user's files) and {@code site-packages/}
 * (pip installs, never the service's Python).
 */
public record SandboxSpec(
    String sandboxId, BackendType backendType, String image, Path dir, ResourceLimits limits,
    SecurityPolicy policy) {

  public Path workspace() { return dir.resolve("workspace"); }

  public Path siteDir() { return dir.resolve("site-packages"); }

  public static Path dirFor(Path basePath, String sandboxId) {
    return basePath.resolve("sandboxes").resolve(sandboxId);
  }
}
