package io.alphora.sandbox.storage;

/**
 * What the configured store is: never credentials, and an endpoint without any user-info part.
 *
 * @param type {@code local}, {@code s3} or {@code minio}
 * @param bucket the bucket (S3/MinIO), else null
 * @param endpoint the endpoint URL (S3/MinIO with an endpoint override), else null
 * @param region the region (S3/MinIO), else null
 * @param root the directory (local), else null
 * @param prefix the configured key prefix every key is stored under ("" for none)
 * @param healthy whether the store answered a health check just now
 * @param error why it is not healthy (null when healthy)
 */
public record StorageInfo(
    String type, String bucket, String endpoint, String region, String root, String prefix, boolean healthy,
    String error) {

  /** The same description with the outcome of a health check. */
  public StorageInfo withHealth(boolean ok, String why) {
    return new StorageInfo(type, bucket, endpoint, region, root, prefix, ok, ok ? null : why);
  }
}
