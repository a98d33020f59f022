package io.alphora.sandbox.backend.docker;

import io.alphora.sandbox.backend.SandboxSpec;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code <sandbox dir>/docker-volumes.json}: the named volumes a sandbox's files live in
 * ({@code docker.workspace: volume}). A sandbox served from the warm pool keeps the volumes its warm
 * container was made with, whose names (and labels, which Docker never changes) are the pool's: this
 * record, not the sandbox id, says which volumes are the sandbox's. It is written before the volumes
 * may exist and outlives the service, so the start-up sweep keeps what a sandbox records.
 */
final class VolumeRecord {
  private static final String NAME = "docker-volumes.json";

  private VolumeRecord() {}

  /** The workspace volume and the site volume. */
  record Names(String workspace, String site) {
    List<String> all() { return List.of(workspace, site); }
  }

  /** The recorded names, or null when the sandbox records none (made before records, or never started). */
  static Names read(SandboxSpec spec) { return read(spec.dir()); }

  private static Names read(Path sandboxDir) {
    try {
      JsonObject o = new JsonObject(Files.readString(sandboxDir.resolve(NAME), StandardCharsets.UTF_8));
      String ws = o.getString("workspace");
      String site = o.getString("site");
      return ws == null || site == null ? null : new Names(ws, site);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static void write(SandboxSpec spec, Names names) throws IOException {
    JsonObject o = new JsonObject().put("workspace", names.workspace()).put("site", names.site());
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

  /** Volume names recorded by the sandboxes under {@code <base>/sandboxes}. */
  static Set<String> recordedUnder(Path basePath) {
    Set<String> names = new HashSet<>();
    Path root = basePath.resolve("sandboxes");
    if (!Files.isDirectory(root)) {
      return names;
    }
    try (var dirs = Files.list(root)) {
      dirs.map(VolumeRecord::read).filter(java.util.Objects::nonNull).forEach(n -> names.addAll(n.all()));
    } catch (IOException ignored) {
      // nothing recorded
    }
    return names;
  }
}
