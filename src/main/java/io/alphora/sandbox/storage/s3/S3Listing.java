package io.alphora.sandbox.storage.s3;

import io.alphora.sandbox.storage.StorageObject;
import io.alphora.sandbox.storage.impl.Listings;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Listing over {@code ListObjectsV2}, page by page until {@code maxKeys} entries are known. S3
 * returns keys and common prefixes merged in key order, so the first {@code maxKeys} of the pages
 * are the first {@code maxKeys} of the whole listing. Keys that no key rule allows (console
 * "folder" markers ending in '/') are skipped.
 */
final class S3Listing {
  private static final int PAGE = 1000;

  private final S3AsyncClient s3;
  private final String bucket;
  private final String prefix;

  S3Listing(S3AsyncClient s3, String bucket, String prefix) {
    this.s3 = s3;
    this.bucket = bucket;
    this.prefix = prefix;
  }

  private String full(String key) { return prefix.isEmpty() ? key : prefix + "/" + key; }

  private String user(String fullKey) { return prefix.isEmpty() ? fullKey : fullKey.substring(prefix.length() + 1); }

  Future<List<StorageObject>> list(Context ctx, String p, boolean recursive, int maxKeys) {
    Listings out = new Listings(p, recursive);
    return page(ctx, p, recursive, maxKeys, null, out).map(v -> out.result(maxKeys));
  }

  private Future<Void> page(Context ctx, String p, boolean recursive, int maxKeys, String token, Listings out) {
    return Future.fromCompletionStage(s3.listObjectsV2(r -> {
      r.bucket(bucket).prefix(full(p)).maxKeys(PAGE).continuationToken(token);
      if (!recursive) {
        r.delimiter("/");
      }
    }), ctx).compose(res -> {
      add(res, out);
      if (Boolean.TRUE.equals(res.isTruncated()) && out.count() < maxKeys) {
        return page(ctx, p, recursive, maxKeys, res.nextContinuationToken(), out);
      }
      return Future.succeededFuture();
    });
  }

  private void add(ListObjectsV2Response res, Listings out) {
    for (S3Object o : res.contents()) {
      if (o.key().endsWith("/") || (!prefix.isEmpty() && !o.key().startsWith(prefix + "/"))) {
        continue;
      }
      out.add(new StorageObject(user(o.key()), o.size() == null ? 0 : o.size(), o.lastModified(),
          S3Storage.unquote(o.eTag()), null, Map.of(), false));
    }
    for (CommonPrefix cp : res.commonPrefixes()) {
      if (prefix.isEmpty() || cp.prefix().startsWith(prefix + "/")) {
        out.addDirectory(user(cp.prefix()));
      }
    }
  }

  /** Deletes everything under {@code p}, 1000 keys per request; returns how many were deleted. */
  Future<Integer> deleteAll(Context ctx, String p) {
    return list(ctx, p, true, Integer.MAX_VALUE).compose(all -> {
      List<ObjectIdentifier> ids = new ArrayList<>();
      all.forEach(o -> ids.add(ObjectIdentifier.builder().key(full(o.key())).build()));
      Future<Integer> n = Future.succeededFuture(0);
      for (int i = 0; i < ids.size(); i += PAGE) {
        List<ObjectIdentifier> batch = ids.subList(i, Math.min(ids.size(), i + PAGE));
        n = n.compose(count -> Future.fromCompletionStage(s3.deleteObjects(r -> r.bucket(bucket)
            .delete(d -> d.objects(batch).quiet(false))), ctx).compose(res -> res.errors().isEmpty()
                ? Future.succeededFuture(count + res.deleted().size())
                : Future.failedFuture(io.alphora.sandbox.storage.impl.StorageErrors.failed("delete of '"
                    + user(res.errors().get(0).key()) + "'", res.errors().get(0).code() + ": "
                    + res.errors().get(0).message(), null))));
      }
      return n;
    });
  }
}
