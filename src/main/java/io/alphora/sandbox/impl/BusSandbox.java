package io.alphora.sandbox.impl;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.ExecRequest;
import io.alphora.sandbox.ExecutionResult;
import io.alphora.sandbox.FileInfo;
import io.alphora.sandbox.PackageInfo;
import io.alphora.sandbox.ResourceUsage;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SandboxInfo;
import io.alphora.sandbox.bus.Actions;
import io.alphora.sandbox.bus.BusClient;
import io.alphora.sandbox.bus.Json;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** {@link Sandbox} over the event bus: each method is one command on {@code <prefix>.<id>}. */
public class BusSandbox implements Sandbox {
  /** Reply timeout for runs: generous, the sandbox's own timeout ends them first. */
  private static final long RUN_TIMEOUT_MS = 3_700_000L;

  private final BusClient bus;
  private final String id;

  public BusSandbox(BusClient bus, String id) {
    this.bus = bus;
    this.id = id;
  }

  @Override
  public String id() { return id; }

  private Future<JsonObject> call(String action, JsonObject body) { return bus.sandboxJson(id, action, body); }

  private Future<JsonObject> call(String action) { return call(action, new JsonObject()); }

  private static SandboxInfo info(JsonObject j) { return Json.fromJson(j, SandboxInfo.class, "reply"); }

  private static ExecutionResult result(Object j) {
    return Json.fromJson((JsonObject) j, ExecutionResult.class, "reply");
  }

  private static FileInfo file(JsonObject j) { return Json.fromJson(j, FileInfo.class, "reply"); }

  @Override
  public Future<SandboxInfo> info() { return call(Actions.INFO).map(BusSandbox::info); }

  @Override
  public Future<SandboxInfo> start() { return call(Actions.START).map(BusSandbox::info); }

  @Override
  public Future<SandboxInfo> stop() { return call(Actions.STOP).map(BusSandbox::info); }

  @Override
  public Future<SandboxInfo> restart() { return call(Actions.RESTART).map(BusSandbox::info); }

  @Override
  public Future<SandboxInfo> reset() { return call(Actions.RESET).map(BusSandbox::info); }

  @Override
  public Future<Void> destroy() { return call(Actions.DESTROY).mapEmpty(); }

  @Override
  public Future<Boolean> healthCheck() { return call(Actions.HEALTH).map(j -> j.getBoolean("healthy")); }

  @Override
  public Future<ResourceUsage> usage() {
    return call(Actions.USAGE).map(j -> Json.fromJson(j, ResourceUsage.class, "reply"));
  }

  @Override
  public Future<io.alphora.sandbox.SnapshotInfo> snapshot(String key) {
    JsonObject b = key == null ? new JsonObject() : new JsonObject().put("key", key);
    return bus.sandbox(id, Actions.SNAPSHOT, b, RUN_TIMEOUT_MS)
        .map(j -> Json.fromJson((JsonObject) j, io.alphora.sandbox.SnapshotInfo.class, "reply"));
  }

  @Override
  public Future<SandboxInfo> keepalive() { return call(Actions.KEEPALIVE).map(BusSandbox::info); }

  @Override
  public Future<ExecutionResult> execute(ExecRequest request) {
    JsonObject body = new JsonObject().put("request", Json.toJson(request));
    return bus.sandbox(id, Actions.EXEC, body, RUN_TIMEOUT_MS).map(BusSandbox::result);
  }

  @Override
  public Future<io.alphora.sandbox.ExecStream> execStream(ExecRequest request, boolean interactive) {
    return BusExecStream.start(bus, bus.vertx(), id, io.alphora.sandbox.Ids.exec(), Json.toJson(request),
        interactive);
  }

  @Override
  public Future<ExecutionResult> execution(String execId) {
    return call(Actions.EXEC_STATUS, new JsonObject().put("exec_id", execId)).map(BusSandbox::result);
  }

  @Override
  public Future<ExecutionResult> cancel(String execId) {
    return call(Actions.CANCEL, new JsonObject().put("exec_id", execId)).map(BusSandbox::result);
  }

  @Override
  public Future<String> readFile(String path) {
    return call(Actions.READ_FILE, new JsonObject().put("path", path)).map(j -> j.getString("content"));
  }

  @Override
  public Future<byte[]> readFileBytes(String path) {
    return call(Actions.READ_FILE, new JsonObject().put("path", path).put("encoding", "base64"))
        .map(j -> Base64.getDecoder().decode(j.getString("content")));
  }

  @Override
  public Future<FileInfo> writeFile(String path, String content) {
    return write(new JsonObject().put("path", path).put("content", content));
  }

  @Override
  public Future<FileInfo> writeFileBytes(String path, byte[] content) {
    return write(new JsonObject().put("path", path).put("encoding", "base64")
        .put("content", Base64.getEncoder().encodeToString(content)));
  }

  private Future<FileInfo> write(JsonObject body) {
    return call(Actions.WRITE_FILE, body).map(j -> file(j.getJsonObject("file")));
  }

  @Override
  public Future<Boolean> deleteFile(String path) {
    return call(Actions.DELETE_FILE, new JsonObject().put("path", path)).map(j -> j.getBoolean("deleted"));
  }

  @Override
  public Future<Boolean> fileExists(String path) {
    return call(Actions.FILE_EXISTS, new JsonObject().put("path", path)).map(j -> j.getBoolean("exists"));
  }

  @Override
  public Future<FileInfo> copyFile(String source, String dest) {
    return call(Actions.COPY_FILE, new JsonObject().put("source", source).put("dest", dest)).map(BusSandbox::file);
  }

  @Override
  public Future<FileInfo> moveFile(String source, String dest) {
    return call(Actions.MOVE_FILE, new JsonObject().put("source", source).put("dest", dest)).map(BusSandbox::file);
  }

  @Override
  public Future<FileInfo> getFileInfo(String path) {
    return call(Actions.FILE_INFO, new JsonObject().put("path", path)).map(BusSandbox::file);
  }

  @Override
  public Future<List<FileInfo>> listFiles(String path, boolean recursive, String pattern) {
    JsonObject q = new JsonObject().put("path", path == null ? "" : path).put("recursive", recursive);
    if (pattern != null) {
      q.put("pattern", pattern);
    }
    return call(Actions.LIST_FILES, q).map(j -> list(j.getJsonArray("files"), BusSandbox::file));
  }

  private static <T> List<T> list(JsonArray a, java.util.function.Function<JsonObject, T> f) {
    List<T> out = new ArrayList<>();
    a.forEach(o -> out.add(f.apply((JsonObject) o)));
    return out;
  }

  @Override
  public Future<ExecutionResult> installPackage(String name, String version) {
    JsonObject b = new JsonObject().put("package", name);
    if (version != null) {
      b.put("version", version);
    }
    return install(b);
  }

  @Override
  public Future<ExecutionResult> installPackages(List<String> requirements, boolean upgrade) {
    return install(new JsonObject().put("packages", new JsonArray(new ArrayList<>(requirements))).put("upgrade", upgrade));
  }

  @Override
  public Future<ExecutionResult> installRequirements(String requirementsFile) {
    return install(new JsonObject().put("requirements_file", requirementsFile));
  }

  private Future<ExecutionResult> install(JsonObject b) {
    return bus.sandbox(id, Actions.INSTALL_PACKAGES, b, RUN_TIMEOUT_MS).map(BusSandbox::result);
  }

  @Override
  public Future<ExecutionResult> uninstallPackage(String name) {
    return call(Actions.UNINSTALL_PACKAGE, new JsonObject().put("name", name)).map(BusSandbox::result);
  }

  @Override
  public Future<List<PackageInfo>> listPackages() {
    return call(Actions.LIST_PACKAGES).map(j -> list(j.getJsonArray("packages"),
        o -> Json.fromJson(o, PackageInfo.class, "reply")));
  }

  @Override
  public Future<Boolean> packageInstalled(String name) {
    return call(Actions.GET_PACKAGE, new JsonObject().put("name", name)).map(j -> true)
        .recover(t -> t instanceof SandboxException se && se.code() == ErrorCode.PACKAGE_NOT_FOUND
            ? Future.succeededFuture(false) : Future.failedFuture(t));
  }

  @Override
  public Future<Void> setEnvVar(String key, String value) {
    return call(Actions.SET_ENV_VAR, new JsonObject().put("key", key).put("value", value)).mapEmpty();
  }

  @Override
  public Future<Void> setEnvVars(Map<String, String> vars) {
    return call(Actions.SET_ENV, new JsonObject().put("env", new JsonObject(new LinkedHashMap<>(vars)))).mapEmpty();
  }

  @Override
  public Future<String> getEnvVar(String key) {
    return call(Actions.GET_ENV_VAR, new JsonObject().put("key", key)).map(j -> j.getString("value"))
        .recover(t -> t instanceof SandboxException se && se.code() == ErrorCode.ENV_NOT_FOUND
            ? Future.succeededFuture(null) : Future.failedFuture(t));
  }

  @Override
  public Future<Map<String, String>> getEnvVars() {
    return call(Actions.GET_ENV).map(j -> {
      Map<String, String> out = new LinkedHashMap<>();
      j.getJsonObject("env").forEach(e -> out.put(e.getKey(), String.valueOf(e.getValue())));
      return out;
    });
  }

  @Override
  public Future<Void> release() { return Future.succeededFuture(); }

  /** A sandbox whose close also releases a private manager (createLocal / fromConfig). */
  static final class Owned extends BusSandbox {
    private final Supplier<Future<Void>> release;

    Owned(BusClient bus, String id, Supplier<Future<Void>> release) {
      super(bus, id);
      this.release = release;
    }

    @Override
    public Future<Void> release() { return stop().<Void>mapEmpty().eventually(release::get); }
  }
}
