package io.alphora.sandbox;

import io.alphora.sandbox.config.SandboxConfig;
import io.alphora.sandbox.impl.Embedded;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One sandbox, driven over the event bus (so it works the same whether the sandbox is hosted by this
 * JVM or, clustered, by another node). Every method returns a Future; failures are
 * {@link SandboxException}s carrying the API's error code.
 */
public interface Sandbox extends AutoCloseable {

  /**
   * The seed's {@code Sandbox.create_local(...)}: deploys a private manager on {@code vertx} with
   * {@code basePath} and creates a started local sandbox. {@link #close()} stops it and undeploys the
   * private manager; its files stay under {@code basePath} until {@link #destroy()}.
   */
  static Future<Sandbox> createLocal(Vertx vertx, Path basePath, ResourceLimits limits, SecurityPolicy policy) {
    return Embedded.createLocal(vertx, basePath, limits, policy);
  }

  /** The seed's {@code Sandbox.from_config(config)}: a private manager built from a full config. */
  static Future<Sandbox> fromConfig(Vertx vertx, SandboxConfig config) {
    return Embedded.fromConfig(vertx, config, CreateOptions.defaults());
  }

  String id();

  Future<SandboxInfo> info();

  Future<SandboxInfo> start();

  Future<SandboxInfo> stop();

  Future<SandboxInfo> restart();

  /** Fresh workspace, environment and packages, same id. */
  Future<SandboxInfo> reset();

  /** Stops the sandbox and deletes its workspace; the id is gone afterwards. */
  Future<Void> destroy();

  Future<Boolean> healthCheck();

  Future<ResourceUsage> usage();

  Future<SandboxInfo> keepalive();

  /**
   * Saves the workspace as a {@code tar.gz} object in the configured storage under a key chosen by
   * the service ({@code snapshots/<id>/<time>.tar.gz}); links and special files are left out and
   * listed in {@link SnapshotInfo#skipped()}.
   */
  default Future<SnapshotInfo> snapshot() { return snapshot(null); }

  /** {@link #snapshot()} under {@code key} (null: the service chooses), replacing any object there. */
  Future<SnapshotInfo> snapshot(String key);

  // runs

  Future<ExecutionResult> execute(ExecRequest request);

  default Future<ExecutionResult> executeCode(String code) { return execute(ExecRequest.python(code)); }

  default Future<ExecutionResult> executeCode(String code, double timeoutSeconds) {
    return execute(ExecRequest.python(code).withTimeout(timeoutSeconds));
  }

  default Future<ExecutionResult> executeFile(String path, List<String> args) {
    return execute(ExecRequest.pythonFile(path, args));
  }

  default Future<ExecutionResult> executeShell(String command) { return execute(ExecRequest.shell(command)); }

  /** A running or recently finished run ({@code status: running} while it runs). */
  Future<ExecutionResult> execution(String execId);

  /**
   * Starts a run and streams its events as they happen: {@code start}, {@code stdout}/{@code stderr}
   * pieces, {@code exit} (then the stream ends). The future completes once the run is accepted (it fails
   * like {@link #execute}: not running, invalid request, quota). The run's stdin is closed, as with
   * {@link #execute}; use {@link #execStream(ExecRequest, boolean)} to feed it. The same events are
   * published on the run's bus address; see {@link ExecStream} for flow control.
   */
  default Future<ExecStream> execStream(ExecRequest request) { return execStream(request, false); }

  /** As {@link #execStream(ExecRequest)}; {@code interactive}: the run's stdin stays open for {@link ExecStream#writeStdin}. */
  Future<ExecStream> execStream(ExecRequest request, boolean interactive);

  /** Cancels a run (its whole process tree) and returns its result. */
  Future<ExecutionResult> cancel(String execId);

  // files

  Future<String> readFile(String path);

  Future<byte[]> readFileBytes(String path);

  default Future<byte[]> downloadFile(String path) { return readFileBytes(path); }

  Future<FileInfo> writeFile(String path, String content);

  Future<FileInfo> writeFileBytes(String path, byte[] content);

  /** The seed's {@code save_file}: writes text and returns the file's info. */
  default Future<FileInfo> saveFile(String path, String content) { return writeFile(path, content); }

  /** True when something was deleted, false when nothing was there. */
  Future<Boolean> deleteFile(String path);

  Future<Boolean> fileExists(String path);

  Future<FileInfo> copyFile(String source, String dest);

  Future<FileInfo> moveFile(String source, String dest);

  Future<FileInfo> getFileInfo(String path);

  Future<List<FileInfo>> listFiles(String path, boolean recursive, String pattern);

  default Future<List<FileInfo>> listFiles() { return listFiles("", false, null); }

  // packages

  Future<ExecutionResult> installPackage(String name, String version);

  Future<ExecutionResult> installPackages(List<String> requirements, boolean upgrade);

  Future<ExecutionResult> installRequirements(String requirementsFile);

  Future<ExecutionResult> uninstallPackage(String name);

  Future<List<PackageInfo>> listPackages();

  Future<Boolean> packageInstalled(String name);

  // environment

  Future<Void> setEnvVar(String key, String value);

  Future<Void> setEnvVars(Map<String, String> vars);

  /** The variable's value, or null when it is not set (the service's own env is never consulted). */
  Future<String> getEnvVar(String key);

  Future<Map<String, String>> getEnvVars();

  /**
   * Releases what this handle holds: nothing for a handle from a {@link SandboxManager}; for
   * {@link #createLocal} / {@link #fromConfig}: stops the sandbox and undeploys the private manager.
   */
  Future<Void> release();

  /** {@link #release()} without waiting. */
  @Override
  default void close() { release(); }
}
