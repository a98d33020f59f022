package io.alphora.sandbox.manager;

import io.alphora.sandbox.bus.BusErrors;
import io.alphora.sandbox.bus.Json;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail: one JSON line per operation ({@code <base>/audit.jsonl}: time, tenant, sandbox,
 * action, outcome, error code) for sandboxes whose policy has {@code audit_enabled}, and for manager
 * operations; each record is also published on {@code <prefix>.audit}. Appends go through one
 * Vert.x AsyncFile, so the event loop never blocks and lines are never interleaved.
 */
final class AuditLog {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

  private final Vertx vertx;
  private final String address;
  private AsyncFile file;

  private AuditLog(Vertx vertx, String address) {
    this.vertx = vertx;
    this.address = address;
  }

  static Future<AuditLog> open(Vertx vertx, Path basePath, String address) {
    AuditLog log = new AuditLog(vertx, address);
    return vertx.fileSystem().open(basePath.resolve("audit.jsonl").toString(),
            new OpenOptions().setAppend(true).setCreate(true).setWrite(true))
        .map(f -> {
          log.file = f;
          f.exceptionHandler(t -> LOG.error("audit log write failed: {}", t.getMessage()));
          return log;
        });
  }

  /** Records one finished operation; {@code failure} is null when it succeeded. */
  void record(String tenant, String sandboxId, String action, Throwable failure) {
    JsonObject line = new JsonObject().put("ts", Json.formatTime(Instant.now())).put("tenant", tenant)
        .put("sandbox_id", sandboxId).put("action", action).put("outcome", failure == null ? "ok" : "error");
    if (failure != null) {
      line.put("error_code", BusErrors.toSandboxException(failure).code().code());
    }
    file.write(Buffer.buffer(line.encode() + "\n"));
    vertx.eventBus().publish(address, line);
  }

  Future<Void> close() { return file == null ? Future.succeededFuture() : file.close(); }
}
