package io.alphora.sandbox.storage;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.streams.ReadStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * One tenant's view of the store: every key is below {@code tenants/<tenant>/}, and keys are shown
 * to the tenant without that prefix, so tenants neither see nor reach each other's objects (a
 * snapshot key named by one tenant is another object than the same key named by another). Without
 * API keys there are no tenants and the store is used as is.
 */
public final class TenantStorage implements Storage {
  private final Storage store;
  private final String prefix;

  private TenantStorage(Storage store, String tenant) {
    this.store = store;
    this.prefix = prefix(tenant);
  }

  /** {@code store} as {@code tenant} sees it; the store itself for no tenant. */
  public static Storage of(Storage store, String tenant) {
    return tenant == null ? store : new TenantStorage(store, tenant);
  }

  /** The store key of a tenant's key (unchanged for no tenant). */
  public static String key(String tenant, String key) { return tenant == null ? key : prefix(tenant) + key; }

  private static String prefix(String tenant) {
    return "tenants/" + URLEncoder.encode(tenant, StandardCharsets.UTF_8) + "/";
  }

  /** The shared store below this view. */
  public Storage store() { return store; }

  /** The store key of one of this tenant's keys. */
  public String full(String key) { return prefix + key; }

  private StorageObject shown(StorageObject o) {
    String k = o.key().startsWith(prefix) ? o.key().substring(prefix.length()) : o.key();
    return new StorageObject(k, o.size(), o.lastModified(), o.etag(), o.contentType(), o.metadata(), o.isDirectory());
  }

  @Override public String type() { return store.type(); }

  @Override
  public Future<StorageObject> put(String key, Buffer data, PutOptions options) {
    return store.put(full(key), data, options).map(this::shown);
  }

  @Override
  public Future<StorageObject> put(String key, ReadStream<Buffer> data, PutOptions options) {
    return store.put(full(key), data, options).map(this::shown);
  }

  @Override public Future<Buffer> get(String key) { return store.get(full(key)); }

  @Override public Future<ReadStream<Buffer>> open(String key) { return store.open(full(key)); }

  @Override public Future<Boolean> delete(String key) { return store.delete(full(key)); }

  @Override public Future<Boolean> exists(String key) { return store.exists(full(key)); }

  @Override
  public Future<List<StorageObject>> list(String p, boolean recursive, int maxKeys) {
    return store.list(full(p == null ? "" : p), recursive, maxKeys).map(l -> l.stream().map(this::shown).toList());
  }

  @Override
  public Future<StorageObject> copy(String source, String destination) {
    return store.copy(full(source), full(destination)).map(this::shown);
  }

  @Override
  public Future<StorageObject> move(String source, String destination) {
    return store.move(full(source), full(destination)).map(this::shown);
  }

  @Override public Future<StorageObject> info(String key) { return store.info(full(key)).map(this::shown); }

  @Override public Future<Integer> deletePrefix(String p) { return store.deletePrefix(full(p)); }

  @Override public Future<Long> size(String p) { return store.size(full(p)); }

  @Override public Future<Void> healthCheck() { return store.healthCheck(); }

  @Override
  public Future<PresignedUrl> presign(String key, HttpMethod method, Duration expiresIn) {
    return store.presign(full(key), method, expiresIn);
  }

  @Override public Future<StorageInfo> describe() { return store.describe(); }

  /** A view owns nothing: the shared store stays open. */
  @Override public Future<Void> close() { return Future.succeededFuture(); }
}
