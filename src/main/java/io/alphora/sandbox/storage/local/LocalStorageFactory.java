package io.alphora.sandbox.storage.local;

import io.alphora.sandbox.config.StorageConfig;
import io.alphora.sandbox.storage.Storage;
import io.alphora.sandbox.storage.StorageFactory;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/** {@code storage_type: local}: files under {@code local_path} (default {@code <base_path>/storage}). */
public final class LocalStorageFactory implements StorageFactory {
  @Override
  public String name() { return "local"; }

  @Override
  public Storage create(Vertx vertx, StorageConfig config) {
    return new LocalStorage(vertx, Path.of(config.localPath()), io.alphora.sandbox.storage.impl.Keys.storePrefix(config.prefix()));
  }
}
