package io.alphora.sandbox.api.http;

import static io.alphora.sandbox.api.http.SandboxRoutes.h;

import io.alphora.sandbox.storage.local.LocalStorage;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET|PUT /presigned/<key>?method=&expires=&signature=}: local storage's presigned URLs. The
 * signature is the credential, so these routes live outside {@code /v1} and need no API key; a
 * changed, expired or wrong-method URL is {@code 401 unauthorized}.
 */
final class PresignedRoutes {
  private final LocalStorage storage;

  PresignedRoutes(LocalStorage storage) { this.storage = storage; }

  void mount(Router r) {
    r.get(LocalStorage.PRESIGNED_PATH + "*").handler(h(ctx -> verified(ctx, () ->
        ObjectTransfers.download(ctx, storage, key(ctx), false))));
    r.put(LocalStorage.PRESIGNED_PATH + "*").handler(h(ctx -> {
      ctx.request().pause();
      verified(ctx, () -> ObjectTransfers.upload(ctx, storage, key(ctx)));
    }));
  }

  private static String key(RoutingContext ctx) { return ObjectTransfers.key(ctx, LocalStorage.PRESIGNED_PATH); }

  private void verified(RoutingContext ctx, Runnable then) {
    String method = ctx.request().method().name();
    long expires;
    try {
      expires = Long.parseLong(ctx.request().getParam("expires", ""));
    } catch (NumberFormatException e) {
      expires = -1;
    }
    String signed = ctx.request().getParam("method", "");
    String signature = ctx.request().getParam("signature");
    // the method is part of the signature: a GET URL cannot be replayed as a PUT
    storage.verify(key(ctx), signed.equals(method) ? method : "?" + signed, expires, signature).onComplete(ar -> {
      if (ar.succeeded()) {
        then.run();
      } else {
        ObjectTransfers.refuse(ctx, ar.cause());
      }
    });
  }
}
