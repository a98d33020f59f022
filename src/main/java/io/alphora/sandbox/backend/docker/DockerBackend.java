package io.alphora.sandbox.backend.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import io.alphora.sandbox.BackendType;
import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.backend.ProcStats;
import io.alphora.sandbox.backend.ProcTree;
import io.alphora.sandbox.backend.SandboxBackend;
import io.alphora.sandbox.backend.SandboxSpec;
import io.alphora.sandbox.config.DockerConfig;
import io.alphora.sandbox.runner.RunListener;
import io.alphora.sandbox.runner.RunnerChannel;
import io.alphora.sandbox.runner.RunRequest;
import io.alphora.sandbox.runner.RunnerProcess;
import io.alphora.sandbox.runner.RunnerScript;
import io.alphora.sandbox.backend.WorkspaceVolumes;
import io.alphora.sandbox.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One container per sandbox, with the runner as the container's main process, driven over the
 * container's attached stdin/stdout: a run is a fork inside the container, not a {@code docker
 * exec}. The container is kept across stop/start (its workspace is a bind mount of the same host
 * directory the file API works on or, with {@code docker.workspace: volume}, a named volume the file
 * API reaches through the daemon: {@link VolumeFiles}) and removed on destroy. Containers of the default shape come
 * from a {@link WarmPool}. Blocking: called on worker threads only.
 */
public final class DockerBackend implements SandboxBackend {
  private static final Logger LOG = LoggerFactory.getLogger(DockerBackend.class);

  private record Box(String containerId, RunnerProcess runner, ContainerCgroup cgroup, long[] hostPid) {}

  private final DockerConfig cfg;
  private final WorkspaceVolumes volumes;
  private final DockerClient docker;
  private final Containers containers;
  private final ContainerOps ops;
  private final DeathListener deaths;
  private final Path basePath;
  private final Path runnerDir;
  private final Path wheels;
  private final Map<String, Box> boxes = new ConcurrentHashMap<>();
  private final WarmPool pool;
  /** What makes the pool's containers on volumes: it knows a warm container's volumes. */
  private final VolumePoolMaker volumePool;
  private volatile Path script;
  /** The runner connects to a unix socket (local daemon) rather than being attached to. */
  private final boolean socket;
  /** Workspaces are named volumes reached through the daemon only ({@code docker.workspace: volume}). */
  private final boolean onVolumes;
  /** The sandboxes' named volumes, when {@link #onVolumes}. */
  private final SandboxVolumes sandboxVolumes;
  private final java.util.concurrent.ExecutorService background = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "alphora-docker-background");
    t.setDaemon(true);
    return t;
  });
  private final java.util.concurrent.atomic.AtomicBoolean poolStarted = new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * @param defaultShape what the warm pool prepares: the default image, limits and policy
   * @param runnerDir where the runner script is extracted (bind-mounted read-only into containers)
   */
  public DockerBackend(DockerConfig cfg, String nodeId, Path basePath, Path runnerDir, Path wheels,
      io.alphora.sandbox.ResourceLimits defaultLimits, io.alphora.sandbox.SecurityPolicy defaultPolicy,
      DeathListener deaths, WorkspaceVolumes volumes) {
    this.cfg = cfg;
    this.volumes = volumes;
    this.docker = DockerClients.create(cfg);
    this.basePath = basePath;
    this.runnerDir = runnerDir;
    this.wheels = wheels == null ? null : wheels.toAbsolutePath().normalize();
    this.containers = new Containers(cfg, nodeId, basePath, this.wheels);
    this.ops = new ContainerOps(docker, containers, cfg);
    this.deaths = deaths;
    this.onVolumes = cfg.volumeWorkspace();
    this.sandboxVolumes = onVolumes ? new SandboxVolumes(docker, cfg, containers, ops) : null;
    // the socket lives in the sandbox's host directory: never with volumes, whose daemon may be elsewhere
    this.socket = !onVolumes && (cfg.runnerChannel().equals("socket") || (cfg.runnerChannel().equals("auto")
        && DockerClients.host(cfg).startsWith("unix://")));
    // a typical generated id (sbx_ + 24): sandboxes with ids too long for a socket path get attach
    Shape poolShape = Shape.of(cfg.image(), defaultLimits, defaultPolicy, cfg.pidsLimit(),
        socket && SocketLink.fits(SandboxSpec.dirFor(basePath, "sbx_" + "x".repeat(24)).resolve("ctl")));
    this.volumePool = onVolumes ? new VolumePoolMaker(ops, sandboxVolumes, poolShape, basePath) : null;
    WarmPool.Maker maker = onVolumes ? volumePool
        : new PoolMaker(ops, poolShape, basePath, this::script, volumes, defaultLimits, defaultPolicy);
    this.pool = cfg.poolSize() > 0 ? new WarmPool(poolShape, cfg.poolSize(), cfg.poolMaxAgeSeconds(), maker) : null;
  }

  /**
   * Deals with the containers an earlier instance left (see {@code docker.orphans}) and starts
   * filling the warm pool. Blocking; a daemon that is not there yet is only logged.
   */
  public void init(boolean warmNow) {
    volumes.dropUnder(Orphans.poolDir(basePath)); // warm workspaces of an instance killed with -9
    Orphans.sweep(docker, containers, basePath, cfg.orphans().equals("adopt"));
    if (onVolumes) {
      Orphans.sweepVolumes(docker, containers, basePath, cfg.orphans().equals("adopt"));
    }
    if (warmNow && available()) {
      startPool();
    }
  }

  /**
   * The pool fills once Docker is in use: at start-up when docker is the default backend (and the
   * daemon answers), else after the first Docker sandbox started.
   */
  private void startPool() {
    if (pool != null && poolStarted.compareAndSet(false, true)) {
      pool.start();
    }
  }

  @Override
  public BackendType type() { return BackendType.DOCKER; }

  @Override
  public String isolation() { return "container"; }

  /** Whether the daemon answers right now. */
  public boolean available() { return DockerClients.ping(docker); }

  @Override
  public Map<String, Object> status() {
    Map<String, Object> s = ops.status();
    s.put("warm_containers", warmContainers());
    return s;
  }

  /** Warm containers ready to be handed out. */
  public int warmContainers() { return pool == null ? 0 : pool.available(); }

  /**
   * A new sandbox that a warm container may serve gets its volume from that container at start
   * ({@link WorkspaceVolumes#handOver}): making one now would only be thrown away. Anything else gets
   * its volume now; a sandbox not served from the pool gets it at start at the latest.
   */
  @Override
  public void prepareWorkspace(SandboxSpec spec, WorkspaceVolumes v) throws IOException {
    if (onVolumes) {   // the host directory stays empty: the files live in the Docker volume
      Files.createDirectories(spec.workspace());
      return;
    }
    if (pool != null && v.enabled() && !v.hasVolume(spec)
        && (!Files.exists(spec.workspace()) || isEmpty(spec.workspace()))) {
      Files.createDirectories(spec.workspace());
      return;
    }
    v.prepare(spec);
  }

  @Override
  public void start(SandboxSpec spec) throws Exception {
    Files.createDirectories(spec.workspace());
    Files.createDirectories(spec.siteDir());
    Box old = boxes.remove(spec.sandboxId());
    if (old != null) {
      old.runner().close();
    }
    Shape shape = Shape.of(spec, cfg.image(), cfg.pidsLimit(), socket && SocketLink.fits(ctlDir(spec)));
    // on volumes, the host directories stay empty whatever the files: a sandbox that has had a
    // container or volumes must get them back, never a warm container's fresh ones
    boolean fresh = !onVolumes || (ContainerFile.read(spec) == null && VolumeRecord.read(spec) == null);
    try {
      String cid = recorded(spec, shape);
      if (cid != null) {
        prepareHostWorkspace(spec);
        if (!startExisting(spec, cid, shape)) {
          cid = null;
        }
      }
      if (cid == null && !(fresh && fromPool(spec, shape))) {
        prepareHostWorkspace(spec);
        createNew(spec, shape);
      }
      startPool();
    } catch (SandboxException e) {
      throw e;
    } catch (NotFoundException e) {
      if (e.getMessage() != null && e.getMessage().contains("image")) {
        throw new SandboxException(ErrorCode.DOCKER_ERROR, "Docker image '" + shape.image() + "' not found: build it with "
            + "scripts/build-runtime-image (offline) or docker build -f docker/runtime/Dockerfile, or set "
            + "SANDBOX_DOCKER_IMAGE", Map.of("image", shape.image()));
      }
      throw dockerError("start", spec.sandboxId(), e);
    } catch (RuntimeException | IOException e) {
      if (!available()) {
        throw DockerClients.unavailable(cfg, e);
      }
      throw dockerError("start", spec.sandboxId(), e);
    }
  }

  private void prepareHostWorkspace(SandboxSpec spec) throws IOException {
    if (!onVolumes) {
      volumes.prepare(spec);
    }
  }

  private static SandboxException dockerError(String what, String id, Exception e) {
    return new SandboxException(ErrorCode.DOCKER_ERROR, "could not " + what + " the container of sandbox '" + id + "': "
        + DockerClients.rootMessage(e), Map.of("sandbox_id", id));
  }

  /** The sandbox's recorded container if it still fits; one that does not (reset, other shape) is removed. */
  private String recorded(SandboxSpec spec, Shape shape) {
    ContainerFile.Recorded r = ContainerFile.read(spec);
    if (r == null) {
      return null;
    }
    if (ContainerFile.matches(r, spec, shape)) {
      return r.containerId();
    }
    ops.remove(r.containerId());
    ContainerFile.delete(spec);
    return null;
  }

  /** Restarts the sandbox's own container; false when it is gone (the caller makes a new one). */
  private boolean startExisting(SandboxSpec spec, String cid, Shape shape) throws IOException {
    InspectContainerResponse c;
    try {
      c = docker.inspectContainerCmd(cid).exec();
    } catch (NotFoundException e) {
      LOG.info("sandbox {}: its container {} is gone; making a new one", spec.sandboxId(), AttachChannel.short12(cid));
      return false;
    }
    if (onVolumes ? !sandboxVolumes.mounts(c, spec) : !bindsWorkspace(c, spec)) {
      // a warm container binds its pool directories by path, and Docker re-resolves binds at every
      // start: once handed out it cannot be started again over the right workspace, so replace it
      LOG.debug("sandbox {}: container {} was a warm one; making its own", spec.sandboxId(), AttachChannel.short12(cid));
      ops.remove(cid);
      ContainerFile.delete(spec);
      return false;
    }
    if (Boolean.TRUE.equals(c.getState().getRunning())) {
      // adopted from an earlier instance, or left running: its runner's stream is lost, start it afresh
      ops.stop(cid);
    }
    ops.own(spec.workspace(), spec.siteDir());
    adopt(spec, cid, ops.startAndConnect(cid, shape.socket() ? ctlDir(spec) : null));
    return true;
  }

  private boolean bindsWorkspace(InspectContainerResponse c, SandboxSpec spec) {
    com.github.dockerjava.api.model.Bind[] binds = c.getHostConfig() == null ? null : c.getHostConfig().getBinds();
    if (binds == null) {
      return false;
    }
    for (com.github.dockerjava.api.model.Bind b : binds) {
      if (b.getVolume().getPath().equals(containers.workspaceMount())) {
        return b.getPath().equals(spec.workspace().toString());
      }
    }
    return false;
  }

  private static Path ctlDir(SandboxSpec spec) { return spec.dir().resolve("ctl"); }

  private boolean fromPool(SandboxSpec spec, Shape shape) throws IOException {
    if (pool == null || !shape.equals(pool.shape) || !isEmpty(spec.workspace()) || !isEmpty(spec.siteDir())) {
      return false;
    }
    WarmPool.Warm w = pool.take();
    if (w == null) {
      return false;
    }
    if (onVolumes) {   // its volumes become the sandbox's: nothing moves, the sandbox records their names
      try {
        sandboxVolumes.takeOver(spec, volumePool.names(w));
      } catch (IOException e) {
        volumePool.discard(w);
        throw e;
      }
    } else {
      handOverDirectories(spec, shape, w);
    }
    // the name only helps people reading `docker ps` (the sandbox records the id): off the critical path
    background.execute(() -> ops.rename(w.containerId(), spec.sandboxId()));
    ContainerFile.write(spec, w.containerId(), shape);
    register(spec, w.containerId(), w.runner());
    LOG.debug("sandbox {}: warm container {}", spec.sandboxId(), AttachChannel.short12(w.containerId()));
    return true;
  }

  private void handOverDirectories(SandboxSpec spec, Shape shape, WarmPool.Warm w) throws IOException {
    try {
      // the container's binds follow the directories (same inodes) to their new place
      volumes.handOver(w.dir(), spec);
      Files.delete(spec.siteDir());
      Files.move(w.dir().resolve("site-packages"), spec.siteDir(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      if (shape.socket()) {   // where the runner connects again after a stop/start
        Workspace.deleteTree(ctlDir(spec));
        Files.move(w.dir().resolve("ctl"), ctlDir(spec), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      Workspace.deleteTree(w.dir());
    } catch (IOException e) {
      volumes.dropUnder(w.dir());
      ops.discard(w.containerId(), w.runner(), w.dir());
      Files.createDirectories(spec.workspace());
      Files.createDirectories(spec.siteDir());
      throw e;
    }
  }

  private void createNew(SandboxSpec spec, Shape shape) throws IOException {
    ops.own(spec.workspace(), spec.siteDir());
    String name = containers.name(spec.sandboxId());
    String cid;
    try {
      cid = create(spec, shape, name);
    } catch (ConflictException e) {
      // a container of this name that the sandbox no longer records (an interrupted start): replace it
      ops.remove(name);
      cid = create(spec, shape, name);
    }
    ContainerFile.write(spec, cid, shape);
    try {
      adopt(spec, cid, ops.startAndConnect(cid, shape.socket() ? ctlDir(spec) : null));
    } catch (IOException | RuntimeException e) {
      ops.remove(cid);
      ContainerFile.delete(spec);
      throw e;
    }
  }

  private String create(SandboxSpec spec, Shape shape, String name) throws IOException {
    return onVolumes ? sandboxVolumes.create(spec, shape, name)
        : containers.create(docker, shape, name, spec.workspace(), spec.siteDir(), script(), ctlDir(spec));
  }

  @Override
  public void wipe(SandboxSpec spec) {
    if (onVolumes) {
      sandboxVolumes.wipe(spec);
    }
  }

  @Override
  public Path exportWorkspace(SandboxSpec spec) throws IOException {
    return onVolumes ? sandboxVolumes.export(spec) : spec.workspace();
  }

  private void adopt(SandboxSpec spec, String cid, RunnerChannel ch) throws IOException {
    RunnerProcess runner = RunnerProcess.connect(ch, "in container " + AttachChannel.short12(cid));
    register(spec, cid, runner);
  }

  private void register(SandboxSpec spec, String cid, RunnerProcess runner) {
    // on volumes the daemon may be on another host: its cgroups are read by the runner, inside
    Box box = new Box(cid, runner, onVolumes ? ContainerCgroup.none() : ContainerCgroup.find(cid), new long[] {0});
    boxes.put(spec.sandboxId(), box);
    runner.onDeath(() -> {
      if (boxes.remove(spec.sandboxId(), box)) {
        deaths.runnerDied(spec.sandboxId(), ops.deathMessage(cid));
      }
    });
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  private synchronized Path script() throws IOException {
    if (script == null) {
      script = RunnerScript.extract(runnerDir);
    }
    return script;
  }

  @Override
  public void stop(String sandboxId) {
    Box box = boxes.remove(sandboxId);
    if (box != null) {
      box.runner().close();   // the runner exits, and with it the container
      ops.stop(box.containerId());
    }
  }

  @Override
  public void destroy(SandboxSpec spec) {
    stop(spec.sandboxId());
    String cid = ContainerFile.id(spec);
    if (cid != null) {
      ops.remove(cid);
    }
    ops.remove(containers.name(spec.sandboxId()));
    if (onVolumes) {
      sandboxVolumes.remove(spec);
    }
    ContainerFile.delete(spec);
  }

  @Override
  public io.alphora.sandbox.workspace.WorkspaceFiles files(SandboxSpec spec, Workspace host) {
    return onVolumes ? sandboxVolumes.workspace(spec, this::isRunning) : host;
  }

  @Override
  public io.alphora.sandbox.workspace.WorkspaceFiles siteFiles(SandboxSpec spec) {
    return onVolumes ? sandboxVolumes.site(spec, this::isRunning) : SandboxBackend.super.siteFiles(spec);
  }

  @Override
  public boolean isRunning(String sandboxId) {
    Box b = boxes.get(sandboxId);
    return b != null && b.runner().isAlive();
  }

  private Box box(String sandboxId) {
    Box b = boxes.get(sandboxId);
    if (b == null || !b.runner().isAlive()) {
      throw SandboxException.SandboxStateException.notRunning(sandboxId);
    }
    return b;
  }

  @Override
  public void exec(String sandboxId, RunRequest request, RunListener listener) {
    Box b = box(sandboxId);
    RunListener l = b.cgroup().visible() ? new ContainerLimitWatch(b.cgroup(), listener) : listener;
    b.runner().exec(inContainer(request), l);
  }

  /** Host interpreter paths (pip runs) mean the container's own {@code python3}. */
  private static RunRequest inContainer(RunRequest r) {
    if (r.kind() != RunRequest.Kind.ARGV || !r.argv().get(0).startsWith("/") || !r.argv().get(0).contains("python")) {
      return r;
    }
    List<String> argv = new ArrayList<>(r.argv());
    argv.set(0, "python3");
    return new RunRequest(r.id(), r.kind(), r.code(), r.file(), r.args(), argv, r.cwd(), r.env(), r.stdin(),
        r.stdinOpen(), r.timeoutSeconds(), r.maxOutput(), r.background(), r.rlimits());
  }

  @Override
  public void stdin(String sandboxId, String execId, String data, boolean eof) {
    box(sandboxId).runner().stdin(execId, data, eof);
  }

  @Override
  public void cancel(String sandboxId, String execId) {
    Box b = boxes.get(sandboxId);
    if (b != null) {
      b.runner().cancel(execId);
    }
  }

  @Override
  public ProcStats stats(String sandboxId) {
    Box b = boxes.get(sandboxId);
    if (b == null || onVolumes) {   // a daemon on another host: its pids mean nothing in this /proc
      return ProcStats.NONE;
    }
    if (b.hostPid()[0] == 0) {   // looked up once, when first asked
      b.hostPid()[0] = ops.runnerHostPid(b.containerId());
    }
    return b.hostPid()[0] < 0 ? ProcStats.NONE : ProcTree.measure(b.hostPid()[0], RunnerProcess.HELPER_PROCESS_NAMES);
  }

  @Override
  public String inSandboxPath(SandboxSpec spec, Path hostPath) {
    Path h = hostPath.toAbsolutePath().normalize();
    if (h.startsWith(spec.workspace())) {
      return join(containers.workspaceMount(), spec.workspace().relativize(h));
    }
    if (h.startsWith(spec.siteDir())) {
      return join(onVolumes ? Containers.SITE_ON_VOLUME : Containers.SITE, spec.siteDir().relativize(h));
    }
    if (wheels != null && h.startsWith(wheels) && !onVolumes) {
      return join(Containers.WHEELS, wheels.relativize(h));
    }
    if (onVolumes && wheels != null && h.startsWith(wheels)) {
      throw new SandboxException(ErrorCode.PACKAGE_INSTALL_FAILED, "pip.find_links (" + wheels + ") is a directory of "
          + "this host, which containers on workspace volumes do not see: let the sandbox reach a package index "
          + "(network) or use docker.workspace: bind with a local daemon", Map.of("find_links", wheels.toString()));
    }
    throw new IllegalArgumentException(hostPath + " is not visible inside the container");
  }

  private static String join(String root, Path rel) {
    String r = rel.toString();
    return r.isEmpty() ? root : root + "/" + r;
  }

  /** Stops every runner (containers are kept for their sandboxes) and removes the warm containers. */
  @Override
  public void close() {
    if (pool != null) {
      pool.close();
    }
    new ArrayList<>(boxes.keySet()).forEach(this::stop);
    ops.removeLeftovers();
    if (onVolumes) {
      sandboxVolumes.removeLeftovers();
    }
    background.shutdown();
    try {
      background.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      docker.close();
    } catch (IOException ignored) {
      // nothing left to release
    }
  }
}
