package io.alphora.sandbox.manager;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SandboxStatus;
import io.alphora.sandbox.backend.EnvVars;
import io.alphora.sandbox.bus.Actions;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/** The commands on one sandbox's address: lifecycle and env here, the rest forwarded to the backend. */
final class SandboxCommands {
  private static final long DISK_CACHE_NANOS = 2_000_000_000L;
  private static final long GRACE_MS = 30_000;

  private final ManagerVerticle m;

  SandboxCommands(ManagerVerticle m) { this.m = m; }

  Object handle(String action, SandboxRecord r, JsonObject b, Message<JsonObject> msg) {
    Lifecycle lc = m.lifecycle;
    switch (action == null ? "" : action) {
      case Actions.INFO -> {
        return refreshDisk(r).map(v -> m.info(r));
      }
      case Actions.START -> {
        return lc.start(r);
      }
      case Actions.STOP -> {
        return lc.stop(r);
      }
      case Actions.RESTART -> {
        return lc.restart(r);
      }
      case Actions.RESET -> {
        return lc.reset(r);
      }
      case Actions.DESTROY -> {
        return lc.destroy(r, "destroyed").map(v -> new JsonObject());
      }
      case Actions.HEALTH -> {
        if (r.status != SandboxStatus.RUNNING) {
          return new JsonObject().put("healthy", false).put("status", r.status.value());
        }
        return lc.backend(r, Actions.BACKEND_HEALTH, new JsonObject(), GRACE_MS)
            .map(o -> ((JsonObject) o).put("status", r.status.value()));
      }
      case Actions.SNAPSHOT -> {
        return m.persistence.snapshot(r, b);
      }
      case Actions.KEEPALIVE -> {
        r.touch();
        return m.info(r);
      }
      case Actions.GET_ENV, Actions.SET_ENV, Actions.GET_ENV_VAR, Actions.SET_ENV_VAR, Actions.DELETE_ENV_VAR -> {
        r.touch();
        return env(action, r, b);
      }
      case Actions.EXEC -> {
        return exec(r, b);
      }
      case Actions.INSTALL_PACKAGES, Actions.UNINSTALL_PACKAGE -> {
        requireRunning(r);
        r.touch();
        r.diskCheckedAtNanos = 0;
        return lc.backend(r, action, b, 3_600_000L);
      }
      case Actions.EXEC_STATUS, Actions.CANCEL, Actions.STDIN, Actions.USAGE, Actions.EVENTS -> {
        return lc.backend(r, action, b, r.limits.timeoutSeconds() * 1000L + GRACE_MS);
      }
      case Actions.LIST_FILES, Actions.FILE_INFO, Actions.FILE_EXISTS, Actions.READ_FILE, Actions.WRITE_FILE,
          Actions.COMMIT_FILE, Actions.READ_CHUNK, Actions.DELETE_FILE, Actions.COPY_FILE, Actions.MOVE_FILE,
          Actions.LIST_PACKAGES, Actions.GET_PACKAGE -> {
        r.touch();
        if (!action.equals(Actions.READ_CHUNK)) {
          r.diskCheckedAtNanos = 0;
        }
        return lc.backend(r, action, b, GRACE_MS * 4);
      }
      default -> throw new SandboxException.InvalidRequestException("unknown action '" + action + "'");
    }
  }

  private Future<Object> exec(SandboxRecord r, JsonObject b) {
    requireRunning(r);
    if (m.draining) {
      throw Lifecycle.draining();
    }
    int maxRuns = m.settings.tenantMaxConcurrentRuns();
    if (r.tenant != null && maxRuns > 0) {
      int inFlight = m.sandboxes.values().stream().filter(x -> r.tenant.equals(x.tenant))
          .mapToInt(x -> x.activeRuns).sum();
      if (inFlight >= maxRuns) {
        throw new SandboxException(ErrorCode.RATE_LIMITED, "tenant '" + r.tenant + "' already has " + inFlight
            + " runs in flight (auth.tenant_max_concurrent_runs = " + maxRuns + "): retry when one finishes",
            Map.of("tenant_max_concurrent_runs", maxRuns));
      }
    }
    JsonObject req = b.getJsonObject("request");
    if (req == null) {
      throw new SandboxException.InvalidRequestException("'request' (the execution body) is required");
    }
    r.touch();
    r.activeRuns++;
    JsonObject fwd = b.copy().put("env", new JsonObject(new LinkedHashMap<>(r.env)));
    long timeoutMs = (long) (r.limits.timeoutSeconds() * 1000L) + GRACE_MS;
    // the backend sends run_finished (before its reply) when the run ends, also for wait:false runs
    return m.lifecycle.backend(r, Actions.EXEC, fwd, timeoutMs)
        .onFailure(t -> r.activeRuns = Math.max(0, r.activeRuns - 1)); // refused, so no run_finished comes
  }

  private Object env(String action, SandboxRecord r, JsonObject b) {
    switch (action) {
      case Actions.GET_ENV -> {
        return envJson(r);
      }
      case Actions.SET_ENV -> {
        JsonObject env = b.getJsonObject("env");
        if (env == null) {
          throw new SandboxException.InvalidRequestException("'env' (an object of string values) is required",
              Map.of("field", "env"));
        }
        Map<String, String> add = new LinkedHashMap<>();
        env.forEach(e -> add.put(EnvVars.checkKey(e.getKey()), EnvVars.checkValue(e.getKey(),
            e.getValue() instanceof String s ? s : null)));
        r.env.putAll(add);
        return m.save(r).map(v -> envJson(r));
      }
      case Actions.GET_ENV_VAR -> {
        String key = EnvVars.checkKey(b.getString("key"));
        String v = r.env.get(key);
        if (v == null) {
          throw envNotFound(r, key);
        }
        return new JsonObject().put("key", key).put("value", v);
      }
      case Actions.SET_ENV_VAR -> {
        String key = EnvVars.checkKey(b.getString("key"));
        Object value = b.getValue("value");
        r.env.put(key, EnvVars.checkValue(key, value instanceof String s ? s : null));
        return m.save(r).map(v -> new JsonObject().put("key", key).put("value", r.env.get(key)));
      }
      default -> {
        String key = EnvVars.checkKey(b.getString("key"));
        if (r.env.remove(key) == null) {
          throw envNotFound(r, key);
        }
        return m.save(r).map(v -> new JsonObject());
      }
    }
  }

  private static JsonObject envJson(SandboxRecord r) {
    return new JsonObject().put("env", new JsonObject(new LinkedHashMap<>(r.env)));
  }

  private static SandboxException envNotFound(SandboxRecord r, String key) {
    return new SandboxException(ErrorCode.ENV_NOT_FOUND, "environment variable '" + key
        + "' is not set in sandbox '" + r.id + "'", Map.of("key", key));
  }

  static void requireRunning(SandboxRecord r) {
    if (r.status != SandboxStatus.RUNNING) {
      throw ManagerVerticle.notRunning(r);
    }
  }

  /** file_count / total_size_mb, measured at most every 2 s. */
  Future<Void> refreshDisk(SandboxRecord r) {
    if (System.nanoTime() - r.diskCheckedAtNanos < DISK_CACHE_NANOS && r.diskCheckedAtNanos != 0) {
      return Future.succeededFuture();
    }
    return m.lifecycle.backend(r, Actions.DISK_USAGE, new JsonObject(), GRACE_MS).map(o -> {
      JsonObject u = (JsonObject) o;
      r.fileCount = u.getLong("files");
      r.totalSizeMb = Math.round(u.getLong("bytes") / 1048576.0 * 1000) / 1000.0;
      r.diskCheckedAtNanos = System.nanoTime();
      return (Void) null;
    }).otherwiseEmpty();
  }
}
