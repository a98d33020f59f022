package io.alphora.sandbox.manager;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SandboxStatus;
import io.alphora.sandbox.backend.BackendVerticle;
import io.alphora.sandbox.bus.Actions;
import io.alphora.sandbox.bus.BusErrors;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

/** Start, stop, restart, reset and destroy of one sandbox, serialised per sandbox. */
final class Lifecycle {
  private static final long START_TIMEOUT_MS = 60_000;

  private final ManagerVerticle m;

  Lifecycle(ManagerVerticle m) { this.m = m; }

  /** Runs {@code op} after every earlier lifecycle operation of the same sandbox has finished. */
  <T> Future<T> serial(SandboxRecord r, Supplier<Future<T>> op) {
    Future<T> next = r.lifecycle.transform(ignored -> op.get());
    r.lifecycle = next;
    return next;
  }

  Future<Object> backend(SandboxRecord r, String action, JsonObject body, long timeoutMs) {
    DeliveryOptions o = new DeliveryOptions().addHeader(Actions.HEADER, action)
        .addHeader(BackendVerticle.SANDBOX_HEADER, r.id).setSendTimeout(timeoutMs);
    // a run's stdin keeps its order: one worker context takes it (the others would race)
    String node = m.settings.nodeId();
    String type = r.backendType.value();
    String address = Actions.STDIN.equals(action) ? m.addresses.backendOrdered(node, type) : m.addresses.backend(node, type);
    return m.vertx().eventBus().<Object>request(address, body, o)
        .map(msg -> msg.body())
        .recover(t -> {
          if (t instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
            return Future.failedFuture(new SandboxException(ErrorCode.BACKEND_UNAVAILABLE, "the "
                + r.backendType.value() + " backend is not available on this node", Map.of("backend",
                r.backendType.value())));
          }
          return Future.failedFuture(BusErrors.toSandboxException(t));
        });
  }

  /** Tells the backend about a sandbox without starting it. */
  Future<Void> register(SandboxRecord r) {
    JsonObject spec = BackendVerticle.specJson(r.spec()).put("run", false);
    return backend(r, Actions.BACKEND_START, spec, START_TIMEOUT_MS).mapEmpty();
  }

  Future<JsonObject> start(SandboxRecord r) {
    return serial(r, () -> {
      if (r.status == SandboxStatus.RUNNING) {
        return Future.failedFuture(new SandboxException.SandboxStateException(ErrorCode.SANDBOX_ALREADY_RUNNING,
            "sandbox '" + r.id + "' is already running", Map.of("sandbox_id", r.id)));
      }
      return doStart(r).map(v -> m.info(r));
    });
  }

  private Future<Void> doStart(SandboxRecord r) {
    if (m.draining) {
      return Future.failedFuture(draining());
    }
    r.status = SandboxStatus.STARTING;
    r.statusMessage = null;
    return backend(r, Actions.BACKEND_START, BackendVerticle.specJson(r.spec()), START_TIMEOUT_MS)
        .compose(reply -> {
          r.isolation = ((JsonObject) reply).getString("isolation");
          r.status = SandboxStatus.RUNNING;
          r.startedAt = Instant.now();
          r.touch();
          m.publish("started", r);
          return m.save(r);
        }, t -> {
          r.status = SandboxStatus.ERROR;
          r.statusMessage = "start failed: " + t.getMessage();
          m.publish("error", r);
          return m.save(r).transform(v -> Future.failedFuture(t));
        });
  }

  Future<JsonObject> stop(SandboxRecord r) {
    return serial(r, () -> doStop(r, true).map(v -> m.info(r)));
  }

  private Future<Void> doStop(SandboxRecord r) { return doStop(r, false); }

  /** {@code persist}: save the workspace for persist_files (an explicit stop, or shutdown). */
  private Future<Void> doStop(SandboxRecord r, boolean persist) {
    if (r.status != SandboxStatus.RUNNING && r.status != SandboxStatus.STARTING
        && r.status != SandboxStatus.ERROR) {
      return Future.succeededFuture();
    }
    r.status = SandboxStatus.STOPPING;
    return backend(r, Actions.BACKEND_STOP, new JsonObject(), START_TIMEOUT_MS)
        .transform(ar -> {
          r.status = SandboxStatus.STOPPED;
          r.stoppedAt = Instant.now();
          r.activeRuns = 0;
          r.statusMessage = ar.failed() ? "stop reported: " + ar.cause().getMessage() : null;
          m.publish("stopped", r);
          return (persist ? m.persistence.persist(r) : Future.<Void>succeededFuture()).transform(saved -> {
            if (saved.failed()) { // keep the files: they exist nowhere else
              r.statusMessage = "workspace not saved to storage (" + saved.cause().getMessage() + ")"
                  + (m.settings.autoCleanup() ? "; not wiped by auto_cleanup" : "");
            }
            Future<Void> wipe = m.settings.autoCleanup() && saved.succeeded()
                ? backend(r, Actions.BACKEND_WIPE, new JsonObject(), START_TIMEOUT_MS).mapEmpty()
                : Future.succeededFuture();
            return wipe.compose(v -> m.save(r));
          });
        });
  }

  Future<JsonObject> restart(SandboxRecord r) {
    return serial(r, () -> doStop(r).compose(v -> doStart(r)).map(v -> m.info(r)));
  }

  /** Fresh workspace, env vars and packages, same id; running again if it was running. */
  Future<JsonObject> reset(SandboxRecord r) {
    return serial(r, () -> {
      boolean wasRunning = r.status == SandboxStatus.RUNNING;
      return doStop(r)
          .compose(v -> backend(r, Actions.BACKEND_WIPE, new JsonObject(), START_TIMEOUT_MS))
          .compose(v -> {
            r.env.clear();
            r.executionCount = 0;
            r.diskCheckedAtNanos = 0;
            return wasRunning ? doStart(r) : m.save(r);
          })
          .map(v -> m.info(r));
    });
  }

  Future<Void> destroy(SandboxRecord r, String event) {
    return serial(r, () -> {
      if (!r.live()) {
        return Future.succeededFuture();
      }
      // idle cleanup keeps the files for persist_files (a failed save keeps the sandbox: the next
      // sweep tries again); an explicit destroy deletes the saved copy as well
      return doStop(r)
          .compose(v -> event.equals("idle_cleaned") ? m.persistence.persist(r) : m.persistence.forget(r))
          .compose(v -> backend(r, Actions.BACKEND_DESTROY, new JsonObject(), START_TIMEOUT_MS))
          .compose(v -> m.unregisterConsumer(r.id))
          .map(v -> {
            r.status = SandboxStatus.DESTROYED;
            m.sandboxes.remove(r.id);
            m.publish(event, r);
            return null;
          });
    });
  }

  /** The runner died on its own: the sandbox reports {@code error} until restarted. */
  void runnerDied(SandboxRecord r, String message) {
    if (r.status == SandboxStatus.RUNNING) {
      r.status = SandboxStatus.ERROR;
      r.statusMessage = message;
      m.publish("error", r);
      m.save(r);
    }
  }

  static SandboxException draining() {
    return new SandboxException(ErrorCode.BACKEND_UNAVAILABLE, "the service is shutting down", Map.of());
  }
}
