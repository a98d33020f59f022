package io.alphora.sandbox.storage.s3;

import io.alphora.sandbox.config.StorageConfig;
import io.alphora.sandbox.storage.Storage;
import io.alphora.sandbox.storage.StorageFactory;
import io.vertx.core.Vertx;

/**
 * {@code storage_type: minio}: the same client as S3 with the MinIO defaults the config applies
 * (an endpoint is required, path-style requests unless {@code path_style: false}).
 */
public final class MinioStorageFactory implements StorageFactory {
  @Override
  public String name() { return "minio"; }

  @Override
  public Storage create(Vertx vertx, StorageConfig config) { return new S3Storage(vertx, config); }
}
