package io.alphora.sandbox.manager;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.file.FileSystem;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandboxes of a node on disk: one {@code sandbox.json} per sandbox directory, written to a
 * temporary file and renamed over the old one, so a crash at any moment leaves either the old or the
 * new file, never a torn one.
 */
final class Registry {
  private static final Logger LOG = LoggerFactory.getLogger(Registry.class);
  static final String FILE = "sandbox.json";

  private final Vertx vertx;
  private final Path root;

  Registry(Vertx vertx, Path basePath) {
    this.vertx = vertx;
    this.root = basePath.resolve("sandboxes");
  }

  Path root() { return root; }

  /** Every readable record under the base path (blocking; run at start-up on a worker). */
  List<SandboxRecord> loadAll() throws IOException {
    List<SandboxRecord> out = new ArrayList<>();
    Files.createDirectories(root);
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
      for (Path dir : ds) {
        Path f = dir.resolve(FILE);
        Files.deleteIfExists(dir.resolve(FILE + ".tmp"));
        if (!Files.isRegularFile(f)) {
          continue;
        }
        try {
          SandboxRecord r = SandboxRecord.fromJson(new JsonObject(Files.readString(f)));
          r.dir = dir; // the base path may have moved since the record was written
          out.add(r);
        } catch (RuntimeException e) {
          LOG.warn("ignoring unreadable sandbox record {}: {}", f, e.getMessage());
        }
      }
    }
    return out;
  }

  Future<Void> save(SandboxRecord r) {
    FileSystem fs = vertx.fileSystem();
    Path f = r.dir.resolve(FILE);
    String tmp = f + ".tmp";
    return fs.mkdirs(r.dir.toString())
        .compose(v -> fs.writeFile(tmp, Buffer.buffer(r.toJson().encodePrettily())))
        .compose(v -> fs.move(tmp, f.toString(),
            new CopyOptions().setAtomicMove(true).setReplaceExisting(true)));
  }
}
