package io.alphora.sandbox.isolation;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.CreateOptions;
import io.alphora.sandbox.ExecutionResult;
import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxInfo;
import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.SecurityPolicy;
import io.alphora.sandbox.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What code inside a bubblewrap-confined sandbox can and cannot see or do. */
class BwrapIsolationTest {
  @TempDir
  Path base;
  Vertx vertx;
  SandboxManager manager;
  Sandbox sandbox;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    manager = await(SandboxManager.deploy(vertx, TestSupport.config(base, TestSupport.bwrap())));
    sandbox = await(manager.create(CreateOptions.defaults()));
  }

  @AfterEach
  void tearDown() {
    await(manager.shutdown());
    await(vertx.close());
  }

  private String run(String code) {
    ExecutionResult r = await(sandbox.executeCode(code));
    assertThat(r.status().value()).as(r.stderr()).isIn("success", "failed");
    return r.stdout() + r.stderr();
  }

  @Test
  void sandboxInfoSaysBwrapAndCodeRunsUnprivileged() {
    SandboxInfo info = await(sandbox.info());
    assertThat(info.isolation()).isEqualTo("bwrap");
    String out = run("import os\nprint(os.getuid(), os.getcwd())\n"
        + "print([l for l in open('/proc/self/status') if l.startswith(('CapEff','NoNewPrivs'))])");
    assertThat(out).startsWith("65534 /workspace\n").contains("CapEff:\\t0000000000000000");
  }

  @Test
  void theHostFilesystemIsNotVisible() throws Exception {
    Path secret = Files.createTempFile("alphora-host-secret-", ".txt");
    Files.writeString(secret, "host secret");
    String out = run(String.join("\n",
        "import os",
        "print(sorted(os.listdir('/')))",
        "for p in ['/etc/hostname', '/etc/shadow', '/root', '" + secret + "', '" + base + "', '/home']:",
        "    print(p, os.path.exists(p))"));
    assertThat(out).contains("'workspace'").doesNotContain("'root'").doesNotContain("'home'");
    assertThat(out).contains("/etc/hostname False").contains("/etc/shadow False").contains("/root False")
        .contains(secret + " False").contains(base + " False");
    Files.delete(secret);
  }

  @Test
  void anotherSandboxsWorkspaceIsNotReachable() {
    Sandbox other = await(manager.create(CreateOptions.defaults()));
    await(other.writeFile("private.txt", "theirs"));
    String otherWorkspace = await(other.info()).workspacePath();
    String out = run("import os\nprint(os.path.exists('" + otherWorkspace + "'))\n"
        + "print([os.path.join(d, f) for top in ('/workspace', '/tmp', '/opt') for d, _, fs in os.walk(top) "
        + "for f in fs if f == 'private.txt'])");
    assertThat(out).isEqualTo("False\n[]\n");
  }

  @Test
  void noNetworkWhenDisabled() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      String out = run(String.join("\n",
          "import socket",
          "for host, port in [('127.0.0.1', " + listener.getLocalPort() + "), ('169.254.169.254', 80), ('1.1.1.1', 53)]:",
          "    try:",
          "        socket.create_connection((host, port), timeout=2); print(host, 'CONNECTED')",
          "    except OSError as e: print(host, 'blocked', type(e).__name__)",
          "try:",
          "    socket.getaddrinfo('example.com', 80); print('dns RESOLVED')",
          "except OSError as e: print('dns blocked')",
          "import os; print(sorted(os.listdir('/sys/class/net')) if os.path.exists('/sys/class/net') else 'no sysfs')"));
      assertThat(out).doesNotContain("CONNECTED").doesNotContain("RESOLVED").contains("dns blocked");
    }
  }

  @Test
  void networkWhenTheSandboxMayUseIt() throws Exception {
    ResourceLimits net = new ResourceLimits(30, 512, 1.0, 1024, 10, 50, 1024, true, 10_485_760L, 104_857_600L);
    Sandbox open = await(manager.create(CreateOptions.defaults().withResourceLimits(net)
        .withSecurityPolicy(SecurityPolicy.permissive())));
    try (ServerSocket listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      ExecutionResult r = await(open.executeCode("import socket\nsocket.create_connection(('127.0.0.1', "
          + listener.getLocalPort() + "), timeout=2)\nprint('CONNECTED')"));
      assertThat(r.stdout()).isEqualTo("CONNECTED\n");
    }
  }

  @Test
  void theServiceProcessIsNeitherVisibleNorKillable() {
    long jvm = ProcessHandle.current().pid();
    String out = run(String.join("\n",
        "import os, signal",
        "pids = [p for p in os.listdir('/proc') if p.isdigit()]",
        "print('few', len(pids) < 20)",
        "try:",
        "    print(open('/proc/" + jvm + "/environ').read()[:50])",
        "except OSError as e: print('environ', type(e).__name__)",
        "try:",
        "    os.kill(" + jvm + ", signal.SIGKILL); print('KILLED?')",
        "except OSError as e: print('kill', type(e).__name__)"));
    assertThat(out).contains("few True").contains("environ FileNotFoundError").contains("kill ProcessLookupError")
        .doesNotContain("KILLED?");
    assertThat(ProcessHandle.current().isAlive()).isTrue();
  }

  @Test
  void noHostPathIsVisibleInAnyProcesssCommandLineOrMountTable() {
    // the one exception, documented in docs/security.md: the site directory's bind mount names its
    // host path in mountinfo (a bind mount always does); everything else is copied in or a file system
    // of its own
    String out = run(String.join("\n",
        "import os",
        "seen = []",
        "for p in [p for p in os.listdir('/proc') if p.isdigit()] + ['self']:",
        "    for f in ('cmdline', 'environ', 'mountinfo'):",
        "        try: seen.append(open('/proc/%s/%s' % (p, f), 'rb').read().decode('utf-8', 'replace'))",
        "        except OSError: pass",
        "print('\\n'.join(l for l in '\\n'.join(seen).splitlines() if ' /opt/site-packages ' not in l))"));
    assertThat(out).contains("/opt/alphora/runner.py").contains("/etc/passwd").doesNotContain(base.toString())
        .doesNotContain("bwrap.args");
  }

  @Test
  void runsCannotReachTheRunnersChannelToTheService() {
    String out = run(String.join("\n",
        "import os",
        "me = os.readlink('/proc/self')  # this run's own descriptors are its own business",
        "for p in sorted(p for p in os.listdir('/proc') if p.isdigit() and p != me):",
        "    try: comm = open('/proc/%s/comm' % p).read().strip()",
        "    except OSError: continue",
        "    for fd in ('0', '1'):",
        "        try:",
        "            f = os.open('/proc/%s/fd/%s' % (p, fd), os.O_WRONLY)",
        "            print('OPENED', p, comm, fd); os.close(f)",
        "        except OSError as e: print('refused', p, comm, fd, type(e).__name__)"));
    assertThat(out).as(out).doesNotContain("OPENED").contains("refused");
  }

  @Test
  void packagesInstallOfflineInsideTheSandbox() throws Exception {
    Path wheels = base.resolve("wheels");
    io.alphora.sandbox.Wheels.build(wheels, "tinypkg", "3.0");
    await(manager.shutdown());
    manager = await(SandboxManager.deploy(vertx, TestSupport.config(base, TestSupport.bwrap()
        .put("pip", new JsonObject().put("index_url", "").put("find_links", wheels.toString())))));
    Sandbox s = await(manager.create(CreateOptions.defaults()));
    ExecutionResult install = await(s.installPackage("tinypkg", "3.0"));
    assertThat(install.success()).as(install.stderr()).isTrue();
    ExecutionResult use = await(s.executeCode("import tinypkg; print(tinypkg.VALUE, tinypkg.__file__)"));
    assertThat(use.stdout()).isEqualTo("3.0 /opt/site-packages/tinypkg/__init__.py\n");
    assertThat(await(s.listPackages())).extracting(p -> p.name()).containsExactly("tinypkg");
  }

  @Test
  void tmpIsPrivateAndBoundedByDiskMb() {
    ResourceLimits tiny = new ResourceLimits(30, 512, 1.0, 8, 10, 50, 1024, false, 10_485_760L, 104_857_600L);
    Sandbox s = await(manager.create(CreateOptions.defaults().withResourceLimits(tiny)));
    ExecutionResult r = await(s.executeCode("import os\nopen('/tmp/mine', 'w').write('x')\n"
        + "try:\n    open('/tmp/fill', 'wb').write(b'x' * (20 << 20)); print('FILLED')\n"
        + "except OSError as e: print('full', e.errno)"));
    assertThat(r.stdout()).isEqualTo("full 28\n");
    assertThat(run("import os; print(os.path.exists('/tmp/mine'))")).as("another sandbox's /tmp").isEqualTo("False\n");
  }

  @Test
  void readOnlyModeMakesTheWorkspaceReadOnlyInside() {
    SecurityPolicy ro = new SecurityPolicy(true, false, true, false, List.of(), List.of(), List.of(), List.of(),
        100, 1000, true, true);
    Sandbox s = await(manager.create(CreateOptions.defaults().withSecurityPolicy(ro)));
    ExecutionResult r = await(s.executeCode("open('x.txt', 'w').write('x')"));
    assertThat(r.success()).isFalse();
    assertThat(r.stderr()).contains("Read-only file system");
  }
}
