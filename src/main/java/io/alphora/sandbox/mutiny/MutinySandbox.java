package io.alphora.sandbox.mutiny;

import io.alphora.sandbox.ExecEvent;
import io.alphora.sandbox.ExecRequest;
import io.alphora.sandbox.ExecStream;
import io.alphora.sandbox.ExecutionResult;
import io.alphora.sandbox.FileInfo;
import io.alphora.sandbox.PackageInfo;
import io.alphora.sandbox.ResourceUsage;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxInfo;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.Map;

/**
 * {@link Sandbox} with Mutiny types: every method returns a lazy {@link Uni} (nothing happens until it
 * is subscribed), and {@link #execStream} a {@link Multi} of the run's events whose demand flows back
 * to the event stream (see {@link ExecStream} for what happens when a subscriber falls far behind).
 * The rest of the API is on {@link #delegate()}.
 */
public final class MutinySandbox {
  private final Sandbox sandbox;

  private MutinySandbox(Sandbox sandbox) { this.sandbox = sandbox; }

  public static MutinySandbox of(Sandbox sandbox) { return new MutinySandbox(sandbox); }

  public Sandbox delegate() { return sandbox; }

  public String id() { return sandbox.id(); }

  public Uni<SandboxInfo> info() { return MutinyAdapters.uni(sandbox::info); }

  public Uni<SandboxInfo> start() { return MutinyAdapters.uni(sandbox::start); }

  public Uni<SandboxInfo> stop() { return MutinyAdapters.uni(sandbox::stop); }

  public Uni<SandboxInfo> restart() { return MutinyAdapters.uni(sandbox::restart); }

  public Uni<SandboxInfo> reset() { return MutinyAdapters.uni(sandbox::reset); }

  public Uni<Void> destroy() { return MutinyAdapters.uni(sandbox::destroy); }

  public Uni<Boolean> healthCheck() { return MutinyAdapters.uni(sandbox::healthCheck); }

  public Uni<ResourceUsage> usage() { return MutinyAdapters.uni(sandbox::usage); }

  public Uni<ExecutionResult> execute(ExecRequest request) { return MutinyAdapters.uni(() -> sandbox.execute(request)); }

  public Uni<ExecutionResult> executeCode(String code) { return execute(ExecRequest.python(code)); }

  public Uni<ExecutionResult> executeShell(String command) { return execute(ExecRequest.shell(command)); }

  public Uni<ExecutionResult> execution(String execId) { return MutinyAdapters.uni(() -> sandbox.execution(execId)); }

  public Uni<ExecutionResult> cancel(String execId) { return MutinyAdapters.uni(() -> sandbox.cancel(execId)); }

  /**
   * The run's events, starting the run when subscribed: {@code start}, output pieces, {@code exit}, then
   * completion. Requests map to {@code fetch(n)} on the {@link ExecStream}; cancelling stops the delivery,
   * not the run (use {@link #cancel(String)} with the {@code exec_id} from the {@code start} event).
   */
  public Multi<ExecEvent> execStream(ExecRequest request) {
    return MutinyAdapters.multi(() -> sandbox.execStream(request));
  }

  /** Only the output text of a run, stdout and stderr interleaved as printed. */
  public Multi<String> output(ExecRequest request) {
    return execStream(request).filter(ExecEvent::isOutput).map(ExecEvent::data);
  }

  public Uni<String> readFile(String path) { return MutinyAdapters.uni(() -> sandbox.readFile(path)); }

  public Uni<FileInfo> writeFile(String path, String content) {
    return MutinyAdapters.uni(() -> sandbox.writeFile(path, content));
  }

  public Uni<Boolean> deleteFile(String path) { return MutinyAdapters.uni(() -> sandbox.deleteFile(path)); }

  public Uni<List<FileInfo>> listFiles(String path, boolean recursive, String pattern) {
    return MutinyAdapters.uni(() -> sandbox.listFiles(path, recursive, pattern));
  }

  public Uni<ExecutionResult> installPackages(List<String> requirements, boolean upgrade) {
    return MutinyAdapters.uni(() -> sandbox.installPackages(requirements, upgrade));
  }

  public Uni<List<PackageInfo>> listPackages() { return MutinyAdapters.uni(sandbox::listPackages); }

  public Uni<Void> setEnvVar(String key, String value) { return MutinyAdapters.uni(() -> sandbox.setEnvVar(key, value)); }

  public Uni<Map<String, String>> getEnvVars() { return MutinyAdapters.uni(sandbox::getEnvVars); }
}
