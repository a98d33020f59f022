package io.alphora.sandbox.storage.s3;

import io.alphora.sandbox.config.StorageConfig;
import io.alphora.sandbox.storage.Storage;
import io.alphora.sandbox.storage.StorageFactory;
import io.vertx.core.Vertx;

/** {@code storage_type: s3}: AWS S3, or any S3 endpoint given in {@code endpoint}. */
public final class S3StorageFactory implements StorageFactory {
  @Override
  public String name() { return "s3"; }

  @Override
  public Storage create(Vertx vertx, StorageConfig config) { return new S3Storage(vertx, config); }
}
