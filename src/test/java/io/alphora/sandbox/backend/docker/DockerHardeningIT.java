package io.alphora.sandbox.backend.docker;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.HostConfig;
import io.alphora.sandbox.CreateOptions;
import io.alphora.sandbox.ExecutionResult;
import io.alphora.sandbox.LimitScenarios;
import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.SecurityPolicy;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container of a Docker sandbox, checked from inside (what the code can see and do) and from
 * the daemon's side (how the container was made). Limits end runs with the same error_type as on
 * the local backend, read from the container's cgroup.
 */
class DockerHardeningIT {
  @TempDir
  Path base;
  Vertx vertx;
  SandboxManager manager;
  Sandbox sandbox;

  static final ResourceLimits SMALL = new ResourceLimits(20, 128, 0.25, 64, 5, 10, 256, false, 1_000_000, 10_000_000);

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    manager = await(SandboxManager.deploy(vertx, DockerTestSupport.config(base, 0, null)));
    // permissive: the code may fork; the container, not the import policy, is what is tested here
    sandbox = await(manager.create(CreateOptions.defaults().withResourceLimits(SMALL)
        .withSecurityPolicy(SecurityPolicy.permissive())));
  }

  @AfterEach
  void tearDown() {
    await(manager.destroyAll());
    await(manager.shutdown());
    await(vertx.close());
    assertThat(DockerTestSupport.removeAll(base)).as("containers left behind").isZero();
  }

  @Test
  void workspaceIsBoundedByDiskMb() {
    // disk_mb = 64: the workspace is the sandbox's own volume, bind-mounted into the container
    ExecutionResult r = await(sandbox.executeShell("for i in $(seq 1 40); do "
        + "dd if=/dev/zero of=f$i bs=1M count=5 2>/dev/null || { echo full at $i; break; }; done"));
    assertThat(r.stdout()).as(r.stderr()).isEqualTo("full at 13\n");
    assertThat(await(sandbox.executeShell("rm f1 && echo x > ok && cat ok")).stdout()).isEqualTo("x\n");
  }

  @Test
  void fromInside() {
    ExecutionResult r = await(sandbox.executeCode(String.join("\n",
        "import os, json, socket",
        "st = dict(l.split(':', 1) for l in open('/proc/self/status').read().splitlines())",
        "def write(p):",
        "    try:",
        "        open(p, 'w').write('x'); return 'ok'",
        "    except OSError as e:",
        "        return e.errno",
        "def connect():",
        "    try:",
        "        socket.create_connection(('1.1.1.1', 53), timeout=2); return 'connected'",
        "    except OSError as e:",
        "        return e.errno",
        "print(json.dumps({'uid': os.getuid(), 'gid': os.getgid(), 'cap_eff': st['CapEff'].strip(),",
        "  'cap_bnd': st['CapBnd'].strip(), 'no_new_privs': st['NoNewPrivs'].strip(),",
        "  'etc': write('/etc/x'), 'usr': write('/usr/x'), 'root': write('/x'), 'tmp': write('/tmp/x'),",
        "  'workspace': write('/workspace/x'), 'net': sorted(os.listdir('/sys/class/net')), 'connect': connect(),",
        "  'docker_sock': os.path.exists('/var/run/docker.sock') or os.path.exists('/run/docker.sock'),",
        "  'cwd': os.getcwd(), 'nofile': __import__('resource').getrlimit(__import__('resource').RLIMIT_NOFILE)}))")));
    assertThat(r.success()).as(r.stderr()).isTrue();
    JsonObject in = new JsonObject(r.stdout());
    assertThat(in.getInteger("uid")).isEqualTo(65534);
    assertThat(in.getInteger("gid")).isEqualTo(65534);
    assertThat(in.getString("cap_eff")).isEqualTo("0000000000000000");
    assertThat(in.getString("cap_bnd")).isEqualTo("0000000000000000");
    assertThat(in.getString("no_new_privs")).isEqualTo("1");
    int erofs = 30;
    assertThat(in.getInteger("etc")).as("read-only root").isEqualTo(erofs);
    assertThat(in.getInteger("usr")).isEqualTo(erofs);
    assertThat(in.getInteger("root")).isEqualTo(erofs);
    assertThat(in.getString("tmp")).isEqualTo("ok");
    assertThat(in.getString("workspace")).isEqualTo("ok");
    assertThat(in.getJsonArray("net").getList()).containsExactly("lo");
    assertThat(in.getValue("connect")).as("no network").isNotEqualTo("connected");
    assertThat(in.getBoolean("docker_sock")).isFalse();
    assertThat(in.getString("cwd")).isEqualTo("/workspace");
    assertThat(in.getJsonArray("nofile").getList()).containsExactly(256, 256);
    assertThat(await(sandbox.readFile("x"))).as("the workspace is the host directory").isEqualTo("x");
  }

  @Test
  void howTheContainerIsMade() {
    InspectContainerResponse c = DockerTestSupport.docker().inspectContainerCmd(
        DockerTestSupport.containersOf(base).get(0).getId()).exec();
    HostConfig h = c.getHostConfig();
    assertThat(h.getReadonlyRootfs()).isTrue();
    assertThat(h.getPrivileged()).isFalse();
    assertThat(List.of(h.getCapDrop())).extracting(Enum::name).containsExactly("ALL");
    assertThat(h.getSecurityOpts()).contains("no-new-privileges:true");
    assertThat(h.getNetworkMode()).isEqualTo("none");
    assertThat(h.getMemory()).isEqualTo(128L << 20);
    assertThat(h.getMemorySwap()).as("no swap beyond memory").isEqualTo(128L << 20);
    assertThat(h.getCpuQuota()).isEqualTo(25_000L);
    assertThat(h.getPidsLimit()).isEqualTo(5 + 10 + Shape.RUNNER_TASKS);
    assertThat(h.getTmpFs()).containsEntry("/tmp", "rw,nosuid,nodev,size=64m");
    assertThat(h.getLogConfig().getConfig()).containsEntry("max-size", "1m");
    assertThat(h.getInit()).isTrue();
    assertThat(c.getConfig().getUser()).isEqualTo("65534:65534");
    assertThat(h.getBinds()).extracting(b -> b.getPath()).doesNotContain("/var/run/docker.sock", "/")
        .allSatisfy(p -> assertThat(Path.of(p).startsWith(base) || p.endsWith("/runner.py")).as(p).isTrue());
  }

  @Test
  void memoryLimitFromTheContainersCgroup() {
    LimitScenarios.memoryBomb(sandbox);
  }

  @Test
  void pidsLimit() {
    LimitScenarios.threadExplosion(sandbox);
  }

  @Test
  void forkBombEndsAndLeavesNothing() {
    LimitScenarios.forkBomb(sandbox, 4);
  }

  @Test
  void filesWrittenByTheApiAreTheSandboxUsers() {
    await(sandbox.writeFile("api/dir/notes.txt", "from api\n"));
    ExecutionResult r = await(sandbox.executeCode(
        "open('api/dir/notes.txt', 'a').write('from code\\n')\nopen('api/dir/new.txt', 'w').write('new')"));
    assertThat(r.success()).as(r.stderr()).isTrue();
    assertThat(await(sandbox.readFile("api/dir/notes.txt"))).isEqualTo("from api\nfrom code\n");
  }

  @Test
  void tmpIsBoundedByDiskMb() {
    // files of 8 MB (under max_file_size) until /tmp (64 MB) is full
    ExecutionResult r = await(sandbox.executeCode("try:\n    for i in range(20): open('/tmp/f%d' % i, 'wb').write(b'x' * (8 << 20))\n"
        + "    print('FILLED')\nexcept OSError as e: print('full', e.errno)"));
    assertThat(r.stdout()).as(r.stderr()).isEqualTo("full 28\n");
  }

  @Test
  void packagesInstallOfflineInsideTheContainer() throws Exception {
    Path wheels = base.resolve("wheels");
    io.alphora.sandbox.Wheels.build(wheels, "tinypkg", "3.0");
    Vertx own = Vertx.vertx();   // its own bus: two managers on one bus would share the manager address
    SandboxManager m = await(SandboxManager.deploy(own, DockerTestSupport.config(base.resolve("pip"), 0,
        new JsonObject().put("pip", new JsonObject().put("index_url", "").put("find_links", wheels.toString())))));
    try {
      Sandbox s = await(m.create(CreateOptions.defaults()));
      ExecutionResult ls = await(s.executeShell("ls -la /opt/wheels"));
      assertThat(ls.stdout()).as(ls.stderr()).contains("tinypkg-3.0-py3-none-any.whl");
      ExecutionResult install = await(s.installPackage("tinypkg", "3.0"));
      assertThat(install.success()).as(install.stderr()).isTrue();
      ExecutionResult use = await(s.executeCode("import tinypkg; print(tinypkg.VALUE, tinypkg.__file__)"));
      assertThat(use.stdout()).as(use.stderr()).isEqualTo("3.0 /opt/site-packages/tinypkg/__init__.py\n");
      assertThat(await(s.listPackages())).extracting(p -> p.name()).containsExactly("tinypkg");
    } finally {
      await(m.destroyAll());
      await(m.shutdown());
      await(own.close());
      assertThat(DockerTestSupport.removeAll(base.resolve("pip"))).isZero();
    }
  }

  @Test
  void readOnlyWorkspace() {
    SecurityPolicy ro = new SecurityPolicy(true, false, true, true, List.of(), List.of(), List.of(), List.of(),
        100, 1000, false, true);
    Sandbox s = await(manager.create(CreateOptions.defaults().withSecurityPolicy(ro)));
    ExecutionResult r = await(s.executeCode("open('x', 'w')"));
    assertThat(r.success()).isFalse();
    assertThat(r.stderr()).contains("Read-only file system");
  }
}
