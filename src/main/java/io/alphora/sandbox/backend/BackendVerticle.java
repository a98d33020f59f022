package io.alphora.sandbox.backend;

import io.alphora.sandbox.BackendType;
import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.ExecRequest;
import io.alphora.sandbox.ExecutionResult;
import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.ResourceUsage;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SecurityPolicy;
import io.alphora.sandbox.bus.Actions;
import io.alphora.sandbox.bus.BusErrors;
import io.alphora.sandbox.bus.Json;
import io.alphora.sandbox.workspace.Usage;
import io.alphora.sandbox.workspace.Workspace;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The bus face of a node's backend: deployed as a worker verticle (several instances share one
 * {@link BackendNode}), so blocking process and file work never touches an event loop. Only the
 * node's manager talks to it, on a node-local address; the sandbox id travels in a header. The first
 * instance to start serves the ordered address instead, alone: what must be handled in the order
 * sent (a run's stdin) goes there, on one worker context that no slow operation holds up.
 */
public final class BackendVerticle extends VerticleBase {
  public static final String SANDBOX_HEADER = "sandbox_id";

  private final BackendNode node;
  private final FileActions files;
  private MessageConsumer<JsonObject> consumer;

  public BackendVerticle(BackendNode node) {
    this.node = node;
    this.files = new FileActions(node);
  }

  @Override
  public Future<?> start() {
    String type = node.backend.type().value();
    // the first instance serves the ordered address alone: its messages never wait behind slow work
    String address = node.attach() ? node.addresses.backendOrdered(nodeId(), type)
        : node.addresses.backend(nodeId(), type);
    consumer = vertx.eventBus().localConsumer(address, this::handle);
    return consumer.completion();
  }

  /**
   * The last instance to stop closes the backend and unmounts the workspace volumes, also when
   * Vert.x is closed without a shutdown of the manager: nothing of the sandboxes outlives it.
   */
  @Override
  public Future<?> stop() {
    return vertx.executeBlocking(() -> {
      node.detach();
      return null;
    }, false);
  }

  private String nodeId() { return config().getString("node_id"); }

  private void handle(Message<JsonObject> msg) {
    String action = msg.headers().get(Actions.HEADER);
    String id = msg.headers().get(SANDBOX_HEADER);
    JsonObject body = msg.body() == null ? new JsonObject() : msg.body();
    try {
      Object direct = dispatch(action, id, body, msg);
      if (direct instanceof Future<?> f) {
        f.onComplete(ar -> {
          if (ar.succeeded()) {
            msg.reply(ar.result());
          } else {
            BusErrors.fail(msg, ar.cause());
          }
        });
      } else if (direct != NO_REPLY) {
        msg.reply(direct);
      }
    } catch (Throwable t) {
      BusErrors.fail(msg, t);
    }
  }

  private static final Object NO_REPLY = new Object();

  private Object dispatch(String action, String id, JsonObject b, Message<JsonObject> msg) throws Exception {
    switch (action) {
      case Actions.BACKEND_START -> {
        SandboxSpec spec = specFrom(id, b);
        node.register(spec);
        if (b.getBoolean("run", true)) {
          node.backend.start(spec);
        }
        return new JsonObject().put("isolation", node.backend.isolation());
      }
      case Actions.BACKEND_STOP -> {
        node.backend.stop(id);
        return new JsonObject();
      }
      case Actions.BACKEND_DESTROY -> {
        SandboxSpec spec = node.spec(id);
        node.backend.destroy(spec);
        node.unregister(id);
        node.volumes.destroy(spec);
        Workspace.deleteTree(spec.dir());
        return new JsonObject();
      }
      case Actions.BACKEND_WIPE -> {
        SandboxSpec spec = node.spec(id);
        node.backend.wipe(spec);
        node.volumes.wipe(spec);
        Workspace.deleteTree(spec.siteDir());
        java.nio.file.Files.createDirectories(spec.siteDir());
        node.register(spec);
        return new JsonObject();
      }
      case Actions.BACKEND_STATUS -> {
        return new JsonObject(new java.util.LinkedHashMap<>(node.backend.status()));
      }
      case Actions.BACKEND_HEALTH -> {
        return new JsonObject().put("healthy", node.backend.isRunning(id));
      }
      case Actions.WORKSPACE_EXPORT -> {
        SandboxSpec spec = node.spec(id);
        java.nio.file.Path dir = node.backend.exportWorkspace(spec);
        return new JsonObject().put("dir", dir.toString()).put("copy", !dir.equals(spec.workspace()));
      }
      case Actions.DISK_USAGE -> {
        Usage u = node.files(id).usage();
        return new JsonObject().put("bytes", u.bytes()).put("files", u.files());
      }
      case Actions.EXEC -> {
        return exec(id, b);
      }
      case Actions.EXEC_STATUS -> {
        return Json.toJson(node.execution(id, FileActions.required(b, "exec_id")).snapshot());
      }
      case Actions.CANCEL -> {
        Execution ex = node.execution(id, FileActions.required(b, "exec_id"));
        // also after the main process exited: a background run's leftovers die on cancel
        ex.requestCancel();
        node.backend.cancel(id, ex.execId);
        return ex.future().map(Json::toJson);
      }
      case Actions.EVENTS -> {
        return node.execution(id, FileActions.required(b, "exec_id")).replay(b.getLong("from_seq", 0L));
      }
      case Actions.STDIN -> {
        Execution ex = node.execution(id, FileActions.required(b, "exec_id"));
        ex.stdin(b.getString("data", ""), b.getBoolean("eof", false));
        return new JsonObject();
      }
      case Actions.READ_CHUNK -> {
        return files.chunk(id, b);
      }
      case Actions.USAGE -> {
        return Json.toJson(usage(id));
      }
      case Actions.LIST_PACKAGES -> {
        JsonArray out = new JsonArray();
        Packages.list(node.siteFiles(id), node.siteLocation(id)).forEach(p -> out.add(Json.toJson(p)));
        return new JsonObject().put("packages", out);
      }
      case Actions.GET_PACKAGE -> {
        String name = FileActions.required(b, "name");
        return Json.toJson(Packages.find(node.siteFiles(id), node.siteLocation(id), name).orElseThrow(() -> Packages.notFound(name)));
      }
      case Actions.INSTALL_PACKAGES -> {
        return install(id, b);
      }
      case Actions.UNINSTALL_PACKAGE -> {
        return uninstall(id, FileActions.required(b, "name"));
      }
      default -> {
        return files.handle(action, id, b);
      }
    }
  }

  private Object exec(String id, JsonObject b) {
    ExecRequest req = Json.fromJson(b.getJsonObject("request"), ExecRequest.class, "execution request");
    Map<String, String> env = stringMap(b.getJsonObject("env"));
    Execution ex = node.exec(id, b.getString("exec_id"), req, env, b.getString("request_id"),
        b.getBoolean("stdin_open", false), b.getBoolean("stream", false));
    if (!b.getBoolean("wait", true)) {
      return new JsonObject().put("exec_id", ex.execId).put("status", "running");
    }
    return ex.future().map(r -> ex.resultJson());
  }

  private Future<JsonObject> install(String id, JsonObject b) {
    SandboxSpec spec = node.spec(id);
    List<String> reqs = new ArrayList<>();
    if (b.getValue("requirements_file") != null) {
      String rel = FileActions.required(b, "requirements_file");
      reqs.addAll(Packages.requirementsFile(rel, node.files(id).readText(rel, 1024 * 1024)));
    } else if (b.getValue("package") != null) {
      reqs.add(Packages.requirement(FileActions.required(b, "package"), b.getString("version")));
    } else {
      JsonArray pk = b.getJsonArray("packages");
      if (pk == null || pk.isEmpty()) {
        throw new SandboxException.InvalidRequestException(
            "give 'packages' (a non-empty list), 'package' (+ 'version') or 'requirements_file'");
      }
      for (Object o : pk) {
        reqs.add(Packages.requirement(o instanceof String s ? s : String.valueOf(o)));
      }
    }
    List<String> argv = new ArrayList<>(List.of(node.python.toString(), "-m", "pip", "install", "--target",
        node.backend.inSandboxPath(spec, spec.siteDir()), "--no-input", "--disable-pip-version-check",
        "--no-warn-script-location", "--progress-bar", "off", "--no-cache-dir"));
    if (b.getBoolean("upgrade", false)) {
      argv.add("--upgrade");
    }
    PipSettings pip = node.pip;
    if (pip.noIndex()) {
      argv.add("--no-index");
    } else if (pip.indexUrl() != null) {
      argv.addAll(List.of("--index-url", pip.indexUrl()));
    }
    if (pip.findLinks() != null) {
      argv.addAll(List.of("--find-links", node.backend.inSandboxPath(spec, Path.of(pip.findLinks()))));
    }
    argv.addAll(reqs);
    Map<String, String> env = Map.of("PIP_CONFIG_FILE", "/dev/null", "PIP_ROOT_USER_ACTION", "ignore");
    return node.execArgv(id, argv, env, pip.timeoutSeconds()).future().compose(r -> {
      if (r.success()) {
        return vertx.executeBlocking(() -> {
          Packages.dropStaleMetadata(node.siteFiles(id));
          return Json.toJson(r);
        });
      }
      return Future.failedFuture(new SandboxException.PackageException(ErrorCode.PACKAGE_INSTALL_FAILED,
          "pip could not install " + String.join(" ", reqs) + ": " + lastLine(r),
          Map.of("stdout", r.stdout(), "stderr", r.stderr(), "return_code", r.returnCode(),
              "packages", reqs)));
    });
  }

  private static String lastLine(ExecutionResult r) {
    String text = (r.stderr().isBlank() ? (r.error() == null ? r.stdout() : r.error()) : r.stderr()).strip();
    return text.isEmpty() ? "exit code " + r.returnCode() : text.substring(text.lastIndexOf('\n') + 1);
  }

  private JsonObject uninstall(String id, String name) {
    long t0 = System.nanoTime();
    var removed = Packages.uninstall(node.siteFiles(id), node.siteLocation(id), name);
    String out = "Successfully uninstalled " + removed.name() + "-" + removed.version() + "\n";
    return Json.toJson(new ExecutionResult(null, true, io.alphora.sandbox.ExecutionStatus.SUCCESS, out, "", 0,
        (System.nanoTime() - t0) / 1e9, null, null, false, null, null));
  }

  private final Map<String, double[]> cpuSamples = new java.util.concurrent.ConcurrentHashMap<>();

  private ResourceUsage usage(String id) throws InterruptedException {
    SandboxSpec spec = node.spec(id);
    ProcStats s = node.backend.stats(id);
    double now = System.nanoTime() / 1e9;
    double[] prev = cpuSamples.get(id);
    if (prev == null && s.processes() >= 0 && node.backend.isRunning(id)) {
      Thread.sleep(100); // a first call has no earlier sample: measure over a short window
      prev = new double[] {now, s.cpuSeconds()};
      s = node.backend.stats(id);
      now = System.nanoTime() / 1e9;
    }
    double cpuPercent = prev == null || now <= prev[0] ? 0 : Math.max(0, (s.cpuSeconds() - prev[1]) / (now - prev[0]) * 100);
    cpuSamples.put(id, new double[] {now, s.cpuSeconds()});
    Usage disk = node.files(id).usage();
    ResourceLimits l = spec.limits();
    double memMb = s.rssBytes() / 1048576.0;
    double diskMb = disk.bytes() / 1048576.0;
    return new ResourceUsage(round(memMb), l.memoryMb(), round(memMb / l.memoryMb() * 100), round(cpuPercent),
        round(s.cpuSeconds()), round(diskMb), l.diskMb(), round(diskMb / l.diskMb() * 100), s.processes(),
        s.threads(), Instant.now());
  }

  private static double round(double v) { return Math.round(v * 100) / 100.0; }

  static Map<String, String> stringMap(JsonObject o) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    if (o != null) {
      o.forEach(e -> m.put(e.getKey(), e.getValue() == null ? null : String.valueOf(e.getValue())));
    }
    return m;
  }

  /** The spec as the manager sends it: {@code {backend_type, image, dir, resource_limits, security_policy}}. */
  public static JsonObject specJson(SandboxSpec spec) {
    return new JsonObject().put("backend_type", spec.backendType().value()).put("image", spec.image())
        .put("dir", spec.dir().toString()).put("resource_limits", Json.toJson(spec.limits()))
        .put("security_policy", Json.toJson(spec.policy()));
  }

  static SandboxSpec specFrom(String id, JsonObject b) {
    return new SandboxSpec(id, BackendType.from(b.getString("backend_type")), b.getString("image"),
        Path.of(b.getString("dir")),
        Json.fromJson(b.getJsonObject("resource_limits"), ResourceLimits.class, "resource_limits"),
        Json.fromJson(b.getJsonObject("security_policy"), SecurityPolicy.class, "security_policy"));
  }
}
