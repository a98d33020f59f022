package io.alphora.sandbox.backend.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.Ulimit;
import com.github.dockerjava.api.model.Volume;
import io.alphora.sandbox.config.DockerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a sandbox container is made: the hardening every container gets (non-root user, no
 * capabilities, no-new-privileges, read-only root, tmpfs /tmp, memory without extra swap, CPU
 * quota, pids limit, ulimits, no network unless allowed, capped log, docker-init as PID 1) and the
 * only host paths it sees: its workspace, its site directory, the runner script and, if set, the
 * wheel directory. Labels say which service instance owns it.
 */
final class Containers {
  static final String LABEL_MANAGED = "io.alphora.sandbox.managed";
  static final String LABEL_NODE = "io.alphora.sandbox.node";
  static final String LABEL_BASE = "io.alphora.sandbox.base";
  static final String LABEL_SHAPE = "io.alphora.sandbox.shape";
  static final String SITE = "/opt/site-packages";
  static final String WHEELS = "/opt/wheels";
  static final String RUNNER = "/opt/alphora/runner.py";
  static final String LABEL_SANDBOX = "io.alphora.sandbox.sandbox_id";
  /** On the volumes of a warm container (volume workspaces): made for the pool, not for a sandbox. */
  static final String LABEL_POOL = "io.alphora.sandbox.pool";
  static final String VOLUME_WORKSPACE = "workspace";
  static final String VOLUME_SITE = "site";
  /** Where pip installs on a volume workspace: a directory of the sandbox user's in the site volume. */
  static final String SITE_ON_VOLUME = SITE + "/lib";
  /** Runs the runner source given as the next argument, under the runner's usual file name. */
  static final String RUNNER_LOADER = "import sys\n"
      + "src = sys.argv.pop(1)\n"
      + "g = {'__name__': '__main__', '__file__': '" + RUNNER + "', '__builtins__': __builtins__}\n"
      + "exec(compile(src, g['__file__'], 'exec'), g)\n";

  private final DockerConfig cfg;
  private final String nodeId;
  private final Path basePath;
  private final Path wheels;

  Containers(DockerConfig cfg, String nodeId, Path basePath, Path wheels) {
    this.cfg = cfg;
    this.nodeId = nodeId;
    this.basePath = basePath;
    this.wheels = wheels;
  }

  String workspaceMount() { return cfg.workingDir(); }

  /**
   * Labels that find this service's containers and no other's on the same daemon. The base path,
   * not the node id, is the owner: the node id may be random per start, the sandboxes (and their
   * containers) belong to the base path they live under.
   */
  Map<String, String> ownerLabels() {
    Map<String, String> l = new LinkedHashMap<>();
    l.put(LABEL_MANAGED, "true");
    l.put(LABEL_BASE, basePath.toString());
    return l;
  }

  /** A stable digest of the shape (the same across JVMs and versions), kept as a label and in the sandbox. */
  static String shapeLabel(Shape s) {
    String text = String.join("|", s.image(), String.valueOf(s.memoryMb()), String.valueOf(s.cpuCores()),
        String.valueOf(s.diskMb()), String.valueOf(s.pids()), String.valueOf(s.openFiles()),
        String.valueOf(s.network()), String.valueOf(s.readOnlyWorkspace()), String.valueOf(s.socket()));
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A Docker-safe container name: {@code alphora-<node>-<suffix>}. */
  String name(String suffix) {
    return ("alphora-" + nodeId + "-" + suffix).replaceAll("[^a-zA-Z0-9_.-]", "_");
  }

  /**
   * Creates (does not start) a container of {@code shape} over the given host directories; with a
   * socket shape, {@code ctlDir} is where the runner connects ({@link SocketLink}).
   */
  String create(DockerClient docker, Shape shape, String name, Path workspace, Path site, Path runnerScript,
      Path ctlDir) {
    Map<String, String> labels = ownerLabels();
    labels.put(LABEL_NODE, nodeId);
    labels.put(LABEL_SHAPE, shapeLabel(shape));
    return containerCmd(docker, shape, name, labels, false)
        .withHostConfig(hostConfig(shape, binds(shape, workspace, site, runnerScript, shape.socket() ? ctlDir : null),
            List.of()))
        .withCmd(shape.socket() ? List.of("python3", "-I", "-c", SocketLink.SHIM) : List.of("python3", "-I", "-u", RUNNER))
        .exec().getId();
  }

  /**
   * Creates (does not start) a container of {@code shape} for a daemon that need not see this host:
   * no host path at all. {@code /workspace} and the site directory are the named volumes {@code
   * volumes} (made here if missing, labelled with {@code sandboxId}, or as the pool's when null), and
   * the runner is the jar's copy passed on the command line (a few tens of KB, well under the
   * kernel's 128 KB per argument), so it is always the service's version.
   */
  String createOnVolumes(DockerClient docker, Shape shape, String name, String sandboxId, VolumeRecord.Names volumes,
      String runnerSource) {
    Map<String, String> labels = ownerLabels();
    labels.put(LABEL_NODE, nodeId);
    labels.put(LABEL_SHAPE, shapeLabel(shape));
    Map<String, String> vl = ownerLabels();
    vl.put(sandboxId == null ? LABEL_POOL : LABEL_SANDBOX, sandboxId == null ? "true" : sandboxId);
    List<Mount> mounts = new ArrayList<>();
    for (String volume : volumes.all()) {
      boolean ws = volume.equals(volumes.workspace());
      docker.createVolumeCmd().withName(volume).withLabels(vl).exec();   // an existing one is kept as it is
      mounts.add(new Mount().withType(MountType.VOLUME).withSource(volume).withTarget(ws ? cfg.workingDir() : SITE)
          .withReadOnly(ws && shape.readOnlyWorkspace()));
    }
    List<Bind> extra = new ArrayList<>();
    addConfiguredBinds(extra);
    String cid = containerCmd(docker, shape, name, labels, true).withHostConfig(hostConfig(shape, extra, mounts))
        .withCmd(List.of("python3", "-I", "-u", "-c", RUNNER_LOADER, runnerSource))
        .exec().getId();
    // a fresh volume copies its mount point's owner from the image: /workspace is the sandbox user's,
    // /opt/site-packages root's; pip installs into a directory of the sandbox user's inside it
    try {
      docker.copyArchiveToContainerCmd(cid).withRemotePath(SITE)
          .withTarInputStream(new java.io.ByteArrayInputStream(VolumeArchives.directory("lib", numericUser()))).exec();
    } catch (RuntimeException e) {
      docker.removeContainerCmd(cid).withForce(true).exec();
      throw e;
    }
    return cid;
  }

  /**
   * The named volumes of {@code key} (a sandbox id, or {@code pool-<token>} for a warm container):
   * found from the base path and key, whatever the node id. A sandbox's own are those its {@link
   * VolumeRecord} names; these, for one without a record.
   */
  VolumeRecord.Names volumeNames(String key) {
    return new VolumeRecord.Names(volumeName(key, VOLUME_WORKSPACE), volumeName(key, VOLUME_SITE));
  }

  private String volumeName(String key, String what) {
    return ("alphora-" + baseDigest() + "-" + key + "-" + what).replaceAll("[^a-zA-Z0-9_.-]", "_");
  }

  private String baseDigest() {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256")
          .digest(basePath.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d, 0, 4);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * @param runnerCounters the runner reads the limit counters of its container's cgroup itself (the
   *     service cannot: a daemon that need not share this host); otherwise the service reads them on the host
   */
  private com.github.dockerjava.api.command.CreateContainerCmd containerCmd(DockerClient docker, Shape shape,
      String name, Map<String, String> labels, boolean runnerCounters) {
    // the container is its own small PID namespace: the runner may scan it to report exits early
    List<String> env = new ArrayList<>(List.of("PATH=/usr/local/bin:/usr/bin:/bin",
        "HOME=" + cfg.workingDir(), "LANG=C.UTF-8", "ALPHORA_RUNNER_PGROUP_QUICK=1"));
    if (runnerCounters) {
      env.add("ALPHORA_CGROUP_DIR=/sys/fs/cgroup");
    }
    cfg.environment().forEach((k, v) -> env.add(k + "=" + v));
    return docker.createContainerCmd(shape.image()).withName(name).withLabels(labels)
        .withUser(cfg.user()).withWorkingDir(cfg.workingDir())
        .withEnv(env).withHostName("sandbox")
        // stdin (attach) or the socket closes when our connection does: a dead service takes its runners along
        .withStdinOpen(!shape.socket()).withStdInOnce(!shape.socket()).withAttachStdin(!shape.socket())
        .withAttachStdout(!shape.socket()).withAttachStderr(!shape.socket()).withTty(false)
        .withNetworkDisabled(!shape.network());
  }

  private List<Bind> binds(Shape s, Path workspace, Path site, Path runnerScript, Path ctlDir) {
    List<Bind> binds = new ArrayList<>();
    binds.add(new Bind(workspace.toString(), new Volume(cfg.workingDir()),
        s.readOnlyWorkspace() ? com.github.dockerjava.api.model.AccessMode.ro : com.github.dockerjava.api.model.AccessMode.rw));
    binds.add(new Bind(site.toString(), new Volume(SITE), com.github.dockerjava.api.model.AccessMode.rw));
    binds.add(new Bind(runnerScript.toString(), new Volume(RUNNER), com.github.dockerjava.api.model.AccessMode.ro));
    if (ctlDir != null) {
      binds.add(new Bind(ctlDir.toString(), new Volume(SocketLink.MOUNT), com.github.dockerjava.api.model.AccessMode.ro));
    }
    if (wheels != null && java.nio.file.Files.isDirectory(wheels)) {
      binds.add(new Bind(wheels.toString(), new Volume(WHEELS), com.github.dockerjava.api.model.AccessMode.ro));
    }
    addConfiguredBinds(binds);
    return binds;
  }

  /** {@code docker.volumes}: the operator's own binds (paths on the daemon's host). */
  private void addConfiguredBinds(List<Bind> binds) {
    cfg.volumes().forEach((host, spec) -> {
      int colon = spec.lastIndexOf(':');
      binds.add(new Bind(host, new Volume(spec.substring(0, colon)),
          com.github.dockerjava.api.model.AccessMode.fromBoolean(!spec.endsWith(":ro"))));
    });
  }

  private HostConfig hostConfig(Shape s, List<Bind> binds, List<Mount> mounts) {
    long mem = s.memoryMb() << 20;
    return HostConfig.newHostConfig()
        .withMemory(mem).withMemorySwap(mem)   // swap = memory: no swap beyond the limit
        .withCpuPeriod((long) cfg.cpuPeriod()).withCpuQuota(Math.max(1000L, Math.round(s.cpuCores() * cfg.cpuPeriod())))
        .withPidsLimit(s.pids())
        .withNetworkMode(s.network() ? "bridge" : cfg.networkMode())
        .withCapDrop(cfg.capDrop().stream().map(c -> Capability.valueOf(c.toUpperCase())).toArray(Capability[]::new))
        .withCapAdd(cfg.capAdd().stream().map(c -> Capability.valueOf(c.toUpperCase())).toArray(Capability[]::new))
        .withSecurityOpts(cfg.securityOpt())
        .withPrivileged(false)
        .withReadonlyRootfs(cfg.readOnlyRoot())
        // /tmp is memory (counted by the memory limit), bounded by the disk budget
        .withTmpFs(Map.of("/tmp", "rw,nosuid,nodev,size=" + s.diskMb() + "m"))
        .withBinds(binds)
        .withMounts(mounts.isEmpty() ? null : mounts)
        .withInit(true)
        .withUlimits(List.of(new Ulimit("nofile", s.openFiles(), s.openFiles()), new Ulimit("core", 0L, 0L)))
        .withLogConfig(new LogConfig(LogConfig.LoggingType.JSON_FILE,
            Map.of("max-size", cfg.logMaxSize(), "max-file", "1")));
  }

  /** The last lines of a container's log (the runner's own stderr), for error messages. */
  static String logTail(DockerClient docker, String containerId) {
    StringBuilder sb = new StringBuilder();
    try {
      docker.logContainerCmd(containerId).withStdOut(true).withStdErr(true).withTail(20)
          .exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<com.github.dockerjava.api.model.Frame>() {
            @Override
            public void onNext(com.github.dockerjava.api.model.Frame f) {
              sb.append(new String(f.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
            }
          }).awaitCompletion(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (RuntimeException | InterruptedException e) {
      sb.append("(unavailable: ").append(e.getMessage()).append(')');
    }
    String s = sb.toString().strip();
    return s.isEmpty() ? "(empty)" : s.length() > 2000 ? s.substring(s.length() - 2000) : s;
  }

  /** The numeric uid and gid of {@code docker.user}, or null when it is a name. */
  int[] numericUser() {
    String[] p = cfg.user().split(":");
    try {
      int uid = Integer.parseInt(p[0]);
      return new int[] {uid, p.length > 1 ? Integer.parseInt(p[1]) : uid};
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
