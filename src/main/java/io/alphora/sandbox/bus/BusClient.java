package io.alphora.sandbox.bus;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * Sends commands to the manager and to sandboxes over the event bus and turns failures back into
 * {@link io.alphora.sandbox.SandboxException}s. Every front end (REST, Java facade) goes through it.
 */
public final class BusClient {
  /** Default reply timeout of commands that do not run user code. */
  public static final long DEFAULT_TIMEOUT_MS = 60_000;

  private final Vertx vertx;
  private final EventBus bus;
  private final Addresses addresses;
  private final String tenant;

  public BusClient(Vertx vertx, Addresses addresses) { this(vertx, addresses, null); }

  private BusClient(Vertx vertx, Addresses addresses, String tenant) {
    this.vertx = vertx;
    this.bus = vertx.eventBus();
    this.addresses = addresses;
    this.tenant = tenant;
  }

  /** The same client acting for a tenant (the tenant header travels with each request). */
  public BusClient forTenant(String t) { return new BusClient(vertx, addresses, t); }

  public Vertx vertx() { return vertx; }

  public Addresses addresses() { return addresses; }

  public EventBus eventBus() { return bus; }

  public Future<Object> manager(String action, JsonObject body) {
    return request(addresses.manager(), action, body, DEFAULT_TIMEOUT_MS);
  }

  public Future<Object> sandbox(String sandboxId, String action, JsonObject body) {
    return sandbox(sandboxId, action, body, DEFAULT_TIMEOUT_MS);
  }

  /** A command on one sandbox; "no handler" on its address means the sandbox does not exist here. */
  public Future<Object> sandbox(String sandboxId, String action, JsonObject body, long timeoutMs) {
    Future<Object> sent = request(addresses.sandbox(sandboxId), action, body, timeoutMs);
    if (vertx.isClustered()) {
      sent = LostWatch.of(vertx, addresses).guard(sandboxId, sent);
    }
    return sent.recover(t -> {
      if (t instanceof SandboxException se && se.code() == ErrorCode.SANDBOX_NOT_FOUND
          && !(se instanceof SandboxException.SandboxNotFoundException)) {
        return vertx.isClustered() ? lostOr(sandboxId, SandboxException.SandboxNotFoundException.forId(sandboxId))
            : Future.failedFuture(SandboxException.SandboxNotFoundException.forId(sandboxId));
      }
      if (vertx.isClustered() && t instanceof SandboxException se && se.code() == ErrorCode.BACKEND_UNAVAILABLE) {
        return lostOr(sandboxId, t); // the owner may have died with the request in flight
      }
      return Future.failedFuture(t);
    });
  }

  /**
   * Clustered: nobody answered on the sandbox's address. The cluster index knows whether its node
   * left ({@code 410 sandbox_lost}); otherwise the original failure stands.
   */
  private Future<Object> lostOr(String sandboxId, Throwable original) {
    return manager(Actions.GET, new JsonObject().put("sandbox_id", sandboxId)).transform(ar -> {
      if (ar.failed() && ar.cause() instanceof SandboxException se && se.code() == ErrorCode.SANDBOX_LOST) {
        return Future.failedFuture(se);
      }
      return Future.failedFuture(original);
    });
  }

  public Future<Object> request(String address, String action, JsonObject body, long timeoutMs) {
    DeliveryOptions opts = new DeliveryOptions().addHeader(Actions.HEADER, action).setSendTimeout(timeoutMs);
    if (tenant != null) {
      opts.addHeader(Actions.TENANT_HEADER, tenant);
    }
    return bus.<Object>request(address, body == null ? new JsonObject() : body, opts)
        .map(m -> m.body())
        .recover(t -> Future.failedFuture(BusErrors.toSandboxException(t)));
  }

  public Future<JsonObject> managerJson(String action, JsonObject body) {
    return manager(action, body).map(JsonObject.class::cast);
  }

  public Future<JsonObject> sandboxJson(String sandboxId, String action, JsonObject body) {
    return sandbox(sandboxId, action, body).map(JsonObject.class::cast);
  }
}
