package io.alphora.sandbox.manager;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SnapshotInfo;
import io.alphora.sandbox.bus.Json;
import io.alphora.sandbox.storage.impl.Keys;
import io.alphora.sandbox.storage.TenantStorage;
import io.alphora.sandbox.storage.snapshot.Snapshots;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Workspaces that outlive sandboxes: the {@code snapshot} command, {@code from_snapshot} on create,
 * and, with {@code manager.persist_files}, saving each workspace to {@code workspaces/<id>.tar.gz}
 * when its sandbox is stopped or idle-cleaned and restoring it when {@code get_or_create} brings
 * the id back. An explicit destroy deletes that object too: destroy means gone.
 */
final class Persistence {
  private static final Logger LOG = LoggerFactory.getLogger(Persistence.class);
  private static final long EXPORT_TIMEOUT_MS = 120_000;
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss.SSS'Z'")
      .withZone(ZoneOffset.UTC);

  private final ManagerVerticle m;
  private final Snapshots snapshots;
  private final boolean persistFiles;

  Persistence(ManagerVerticle m, Snapshots snapshots, boolean persistFiles) {
    this.m = m;
    this.snapshots = snapshots;
    this.persistFiles = persistFiles && snapshots != null;
  }

  static String persistedKey(String sandboxId) { return "workspaces/" + sandboxId + ".tar.gz"; }

  private Snapshots required() {
    if (snapshots == null) {
      throw new SandboxException(ErrorCode.BACKEND_UNAVAILABLE, "this node has no storage for snapshots",
          Map.of());
    }
    return snapshots;
  }

  /** The {@code snapshot} command: body {@code {key?}}; replies {@link SnapshotInfo} as JSON. */
  Future<JsonObject> snapshot(SandboxRecord r, JsonObject b) {
    for (String f : b.fieldNames()) {
      if (!f.equals("key")) {
        throw new SandboxException.InvalidRequestException("unknown field '" + f + "': a snapshot takes 'key'",
            Map.of("field", f));
      }
    }
    Object given = b.getValue("key");
    if (given != null && !(given instanceof String)) {
      throw new SandboxException.InvalidRequestException("'key' must be a string", Map.of("field", "key"));
    }
    String key = Keys.check(given != null ? (String) given
        : "snapshots/" + r.id + "/" + STAMP.format(java.time.Instant.now()) + ".tar.gz");
    Snapshots s = required();
    r.touch();
    // serialised with stop/destroy, so the workspace cannot vanish under the archive writer
    // a tenant's key is below its own prefix; the reply names it as the tenant sees it
    String full = TenantStorage.key(r.tenant, key);
    return m.lifecycle.serial(r, () -> fromExport(r, dir -> s.save(dir, full, Map.of("sandbox-id", r.id))))
        .map(i -> Json.toJson(new SnapshotInfo(key, i.size(), i.files(), i.skipped())));
  }

  /** {@code from_snapshot} of a create request: null, or a checked key. */
  static String fromSnapshot(JsonObject b) {
    Object v = b.getValue("from_snapshot");
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw new SandboxException.InvalidRequestException("'from_snapshot' must be a storage key (string)",
          Map.of("field", "from_snapshot"));
    }
    return Keys.check(s);
  }

  /**
   * Fills a new sandbox's workspace before the backend knows it: from {@code key} when given
   * (missing: {@code object_not_found}), else, for get_or_create with persist_files, from the
   * persisted workspace if there is one.
   */
  Future<Void> restore(SandboxRecord r, String key, boolean persisted) {
    if (key == null && !(persisted && persistFiles)) {
      return Future.succeededFuture();
    }
    Snapshots s = required();
    long max = r.limits.diskMb() * 1024L * 1024L;
    Future<String> which = key != null ? Future.succeededFuture(TenantStorage.key(r.tenant, key))
        : s.storage().exists(persistedKey(r.id)).map(there -> there ? persistedKey(r.id) : null);
    return which.compose(k -> k == null ? Future.<Void>succeededFuture()
        : m.vertx().executeBlocking(() -> Files.createDirectories(r.dir), false)
            .compose(d -> s.restore(k, r.spec().workspace(), max))
            .onSuccess(v -> LOG.info("sandbox {}: workspace restored from '{}'", r.id, k))
            // the failure is answered once the sandbox's directory is gone again
            .recover(t -> m.vertx().executeBlocking(() -> Files.deleteIfExists(r.dir), false)
                .transform(x -> Future.<Void>failedFuture(t))));
  }

  /** Saves the workspace for persist_files (a no-op without it). */
  Future<Void> persist(SandboxRecord r) {
    if (!persistFiles) {
      return Future.succeededFuture();
    }
    return fromExport(r, dir -> snapshots.save(dir, persistedKey(r.id), Map.of("sandbox-id", r.id)))
        .<Void>mapEmpty()
        .onFailure(t -> LOG.warn("sandbox {}: workspace not saved to storage: {}", r.id, t.getMessage()));
  }

  /**
   * Runs {@code save} on the directory the backend exports the workspace to (the workspace itself,
   * or a copy of files kept elsewhere, such as a Docker volume, deleted afterwards).
   */
  private <T> Future<T> fromExport(SandboxRecord r, java.util.function.Function<java.nio.file.Path, Future<T>> save) {
    return m.lifecycle.backend(r, io.alphora.sandbox.bus.Actions.WORKSPACE_EXPORT, new JsonObject(), EXPORT_TIMEOUT_MS)
        .compose(o -> {
          JsonObject e = (JsonObject) o;
          java.nio.file.Path dir = java.nio.file.Path.of(e.getString("dir"));
          Future<T> saved = save.apply(dir);
          return e.getBoolean("copy", false) ? saved.eventually(() -> m.vertx().executeBlocking(() -> {
            io.alphora.sandbox.workspace.Workspace.deleteTree(dir);
            return null;
          }, false)) : saved;
        });
  }

  /** Explicit destroy: the persisted workspace goes too (failures are only logged). */
  Future<Void> forget(SandboxRecord r) {
    if (!persistFiles) {
      return Future.succeededFuture();
    }
    return snapshots.storage().delete(persistedKey(r.id)).<Void>mapEmpty()
        .otherwise(t -> {
          LOG.warn("sandbox {}: persisted workspace '{}' not deleted: {}", r.id, persistedKey(r.id), t.getMessage());
          return null;
        });
  }
}
