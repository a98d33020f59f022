package io.alphora.sandbox.storage;

import io.alphora.sandbox.config.StorageConfig;
import io.vertx.core.Vertx;

/**
 * A storage plug-in, found through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.alphora.sandbox.storage.StorageFactory}). Built in: {@code local},
 * {@code s3} and {@code minio}.
 */
public interface StorageFactory {

  /** The {@code storage.storage_type} value this factory serves. */
  String name();

  /**
   * A storage for {@code config}. Must not block and must not fail because the store is
   * unreachable: connecting (and creating the bucket) happens on first use, and failures then are
   * {@code backend_unavailable}.
   */
  Storage create(Vertx vertx, StorageConfig config);
}
