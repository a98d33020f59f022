package io.alphora.sandbox.storage;

import java.time.Instant;

/**
 * An absolute URL that allows one method ({@code GET} or {@code PUT}) on one key until
 * {@code expiresAt}, without other credentials. S3/MinIO: the store's own SigV4 URL; local storage:
 * a URL served by this service's HTTP API ({@code /presigned/<key>?…}), signed with the node's key.
 *
 * @param url the absolute URL
 * @param method GET or PUT
 * @param expiresAt when the URL stops working
 */
public record PresignedUrl(String url, String method, Instant expiresAt) {}
