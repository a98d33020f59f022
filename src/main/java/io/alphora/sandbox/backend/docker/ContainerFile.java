package io.alphora.sandbox.backend.docker;

import io.alphora.sandbox.backend.SandboxSpec;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * {@code <sandbox dir>/docker-container.json}: which container a sandbox owns, for what shape, over
 * which workspace directory (its inode). It outlives the service, so a restarted service finds (re-
 * adopts) the container; a container whose shape or workspace no longer matches (a reset replaces
 * the workspace directory) is not reused.
 */
final class ContainerFile {
  private static final String NAME = "docker-container.json";

  private ContainerFile() {}

  record Recorded(String containerId, String shape, String workspaceKey) {}

  static Recorded read(SandboxSpec spec) {
    Path f = spec.dir().resolve(NAME);
    try {
      JsonObject o = new JsonObject(Files.readString(f, StandardCharsets.UTF_8));
      return new Recorded(o.getString("container_id"), o.getString("shape"), o.getString("workspace_key"));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The recorded container id, if any. */
  static String id(SandboxSpec spec) {
    Recorded r = read(spec);
    return r == null ? null : r.containerId();
  }

  /** Whether {@code r} was made for this shape over the current workspace directory. */
  static boolean matches(Recorded r, SandboxSpec spec, Shape shape) {
    return Containers.shapeLabel(shape).equals(r.shape()) && workspaceKey(spec).equals(r.workspaceKey());
  }

  static void write(SandboxSpec spec, String containerId, Shape shape) throws IOException {
    JsonObject o = new JsonObject().put("container_id", containerId).put("shape", Containers.shapeLabel(shape))
        .put("workspace_key", workspaceKey(spec));
    Path tmp = spec.dir().resolve(NAME + ".tmp");
    Files.writeString(tmp, o.encode(), StandardCharsets.UTF_8);
    Files.move(tmp, spec.dir().resolve(NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  static void delete(SandboxSpec spec) {
    try {
      Files.deleteIfExists(spec.dir().resolve(NAME));
    } catch (IOException ignored) {
      // the sandbox directory goes with it
    }
  }

  private static String workspaceKey(SandboxSpec spec) {
    try {
      Object k = Files.readAttributes(spec.workspace(), BasicFileAttributes.class).fileKey();
      return String.valueOf(k);
    } catch (IOException e) {
      return "missing";
    }
  }

  /** Container ids recorded by the sandboxes under {@code <base>/sandboxes}. */
  static java.util.Set<String> recordedUnder(Path basePath) {
    java.util.Set<String> ids = new java.util.HashSet<>();
    Path root = basePath.resolve("sandboxes");
    if (!Files.isDirectory(root)) {
      return ids;
    }
    try (var dirs = Files.list(root)) {
      dirs.forEach(d -> {
        try {
          JsonObject o = new JsonObject(Files.readString(d.resolve(NAME), StandardCharsets.UTF_8));
          ids.add(o.getString("container_id"));
        } catch (IOException | RuntimeException ignored) {
          // no container recorded
        }
      });
    } catch (IOException ignored) {
      // nothing to adopt
    }
    return ids;
  }
}
