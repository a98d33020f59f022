package io.alphora.sandbox.storage.snapshot;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.Ids;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SnapshotInfo;
import io.alphora.sandbox.storage.PutOptions;
import io.alphora.sandbox.storage.Storage;
import io.alphora.sandbox.storage.impl.Keys;
import io.alphora.sandbox.storage.impl.PipeOutputStream;
import io.alphora.sandbox.storage.impl.ReadStreamInputStream;
import io.alphora.sandbox.workspace.Workspace;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Workspaces as {@code tar.gz} objects. Saving streams the archive from a worker thread straight
 * into {@link Storage#put(String, io.vertx.core.streams.ReadStream, PutOptions)} (never whole in
 * memory or on disk); restoring streams the object into a worker that unpacks it into a staging
 * directory beside the target and renames it into place only when every entry was accepted.
 */
public final class Snapshots {
  /** Content type of snapshot objects. */
  public static final String CONTENT_TYPE = "application/gzip";
  private static final long STALL_SECONDS = 120;

  private final Vertx vertx;
  private final Storage storage;
  private final WorkerExecutor workers;

  public Snapshots(Vertx vertx, Storage storage) {
    this.vertx = vertx;
    this.storage = storage;
    // its own pool: a long snapshot must not hold a thread the backends need
    this.workers = vertx.createSharedWorkerExecutor("alphora-snapshots", 4, 1, TimeUnit.HOURS);
  }

  public Storage storage() { return storage; }

  /** Saves {@code workspaceDir} as {@code key} (replacing an object there). */
  public Future<SnapshotInfo> save(Path workspaceDir, String key, Map<String, String> metadata) {
    String k;
    try {
      k = Keys.check(key);
    } catch (SandboxException e) {
      return Future.failedFuture(e);
    }
    Context ctx = vertx.getOrCreateContext();
    PipeOutputStream pipe = new PipeOutputStream(ctx);
    Future<TarGzWriter.Result> written = workers.executeBlocking(() -> {
      try {
        TarGzWriter.Result r = TarGzWriter.write(workspaceDir, pipe);
        pipe.close();
        return r;
      } catch (Throwable t) {
        pipe.fail(t);
        throw t;
      }
    }, false);
    return storage.put(k, pipe.readStream(), new PutOptions(CONTENT_TYPE, metadata))
        .onFailure(t -> pipe.readStream().cancel())
        .transform(stored -> written.transform(w -> {
          if (w.failed() && (stored.succeeded() || w.cause() instanceof SandboxException)) {
            return Future.failedFuture(w.cause()); // the workspace's problem explains the failure best
          }
          if (stored.failed()) {
            return Future.failedFuture(stored.cause());
          }
          return Future.succeededFuture(new SnapshotInfo(k, stored.result().size(), w.result().files(),
              w.result().skipped()));
        }));
  }

  /**
   * Unpacks snapshot {@code key} into {@code workspaceDir}, which must not exist or be empty.
   * {@code object_not_found} for a missing key, {@code invalid_request} for a hostile archive,
   * {@code payload_too_large} beyond {@code maxBytes}; on any failure nothing is left behind.
   */
  public Future<Void> restore(String key, Path workspaceDir, long maxBytes) {
    Context ctx = vertx.getOrCreateContext();
    return storage.open(key).compose(stream -> {
      ReadStreamInputStream in = new ReadStreamInputStream(ctx, stream, STALL_SECONDS);
      Path staging = workspaceDir.resolveSibling(".restore-" + Ids.random(12));
      return workers.<Void>executeBlocking(() -> {
        try (in) {
          TarGzExtractor.extract(in, staging, maxBytes, TarGzWriter.MAX_ENTRIES);
          replaceEmpty(workspaceDir);
          Files.move(staging, workspaceDir, StandardCopyOption.ATOMIC_MOVE);
          return null;
        } catch (Exception t) {
          Workspace.deleteTree(staging);
          if (t instanceof IOException io && io.getCause() instanceof SandboxException store) {
            throw store; // the store failed mid-way: its own error (e.g. backend_unavailable)
          }
          if (t instanceof IOException io) {
            throw new SandboxException(ErrorCode.STORAGE_ERROR, "reading snapshot '" + key + "' failed: "
                + io.getMessage(), Map.of("key", key), io);
          }
          throw t;
        }
      }, false);
    });
  }

  /** An empty workspace directory is removed so the staged one can take its name. */
  private static void replaceEmpty(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.list(dir)) {
      if (s.findAny().isPresent()) {
        throw new SandboxException(ErrorCode.INTERNAL_ERROR, "cannot restore a snapshot into '" + dir
            + "': the workspace is not empty");
      }
    }
    Files.delete(dir);
  }

  public Future<Void> close() { return workers.close(); }
}
