package io.alphora.sandbox.backend.docker;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.Container;
import io.alphora.sandbox.CreateOptions;
import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxManager;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm pool: hands out started containers of the default shape, once each, and refills. */
class WarmPoolIT {
  @TempDir
  Path base;
  Vertx vertx;
  SandboxManager manager;

  private void deploy(int size, int maxAge) {
    vertx = Vertx.vertx();
    manager = await(SandboxManager.deploy(vertx, DockerTestSupport.config(base, size,
        new JsonObject().put("docker", new JsonObject().put("pool_max_age_seconds", maxAge)))));
  }

  @AfterEach
  void tearDown() {
    await(manager.destroyAll());
    await(manager.shutdown());
    await(vertx.close());
    assertThat(DockerTestSupport.removeAll(base)).as("containers left behind (warm ones included)").isZero();
  }

  private Set<String> warm() {
    return DockerTestSupport.containersOf(base).stream()
        .filter(c -> c.getNames()[0].contains("-pool-") && "running".equals(c.getState()))
        .map(Container::getId).collect(Collectors.toSet());
  }

  /** Warm containers the pool holds ready (its runner connected), as the backend reports them. */
  private int ready() {
    var bus = new io.alphora.sandbox.bus.BusClient(vertx, io.alphora.sandbox.bus.Addresses.defaults());
    String node = await(manager.status()).nodeId();
    JsonObject st = (JsonObject) await(bus.request(bus.addresses().backend(node, "docker"),
        io.alphora.sandbox.bus.Actions.BACKEND_STATUS, new JsonObject(), 10_000));
    return st.getInteger("warm_containers");
  }

  private Set<String> awaitWarm(int n) throws InterruptedException {
    for (int i = 0; i < 300; i++) {
      Set<String> w = warm();
      if (w.size() == n && ready() == n) {
        return w;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the pool did not reach " + n + " warm containers: " + warm());
  }

  /** The sandbox's container, by name (a warm container is renamed in the background once handed out). */
  private String containerOf(Sandbox s) throws InterruptedException {
    String name = "-" + s.id();
    for (int i = 0; i < 50; i++) {
      var found = DockerTestSupport.containersOf(base).stream().filter(c -> c.getNames()[0].endsWith(name))
          .map(Container::getId).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no container named *" + name);
  }

  @Test
  void handsOutAWarmContainerAndRefills() throws Exception {
    deploy(2, 600);
    Set<String> before = awaitWarm(2);
    Sandbox s = await(manager.create(CreateOptions.defaults()));
    String id = containerOf(s);
    assertThat(before).as("the sandbox got a warm container").contains(id);
    await(s.writeFile("in.txt", "api"));
    var r = await(s.executeCode("print(open('in.txt').read()); open('out.txt', 'w').write('code')"));
    assertThat(r.stdout()).as(r.stderr()).isEqualTo("api\n");
    assertThat(await(s.readFile("out.txt"))).as("its workspace is the sandbox's").isEqualTo("code");
    Set<String> after = awaitWarm(2);
    assertThat(after).doesNotContain(id);
  }

  @Test
  void aWarmContainersWorkspaceIsABoundedVolumeMovedToTheSandbox() throws Exception {
    deploy(1, 600);
    Set<String> warm = awaitWarm(1);
    Sandbox s = await(manager.create(CreateOptions.defaults()));
    assertThat(warm).contains(containerOf(s));
    String ws = await(s.info()).workspacePath();
    assertThat(java.nio.file.Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
        .anyMatch(l -> l.split(" ")[4].equals(ws))).as("the volume is mounted at the sandbox's workspace").isTrue();
    // disk_mb = 1024 by default: twelve files of 95 MB (each under max_file_size) do not fit
    var r = await(s.executeShell("for i in $(seq 1 12); do "
        + "dd if=/dev/zero of=f$i bs=1M count=95 2>/dev/null || { echo full at $i; break; }; done; rm -f f*"));
    assertThat(r.stdout()).as(r.stderr()).isEqualTo("full at 11\n");
    await(s.writeFile("api.txt", "api"));
    assertThat(await(s.executeCode("print(open('api.txt').read())")).stdout()).isEqualTo("api\n");
    await(s.restart());
    assertThat(await(s.executeCode("print(open('api.txt').read())")).stdout()).as("the next container binds it too")
        .isEqualTo("api\n");
  }

  @Test
  void aSandboxFromThePoolKeepsItsWorkspaceAcrossStopAndStart() throws Exception {
    deploy(1, 600);
    Set<String> warm = awaitWarm(1);
    Sandbox s = await(manager.create(CreateOptions.defaults()));
    assertThat(warm).contains(containerOf(s));
    await(s.executeCode("open('kept.txt', 'w').write('kept')"));
    await(s.stop());
    await(s.start());
    var r = await(s.executeCode("import os; print(open('kept.txt').read(), sorted(os.listdir('.')))"));
    assertThat(r.stdout()).as(r.stderr()).isEqualTo("kept ['kept.txt']\n");
    await(s.executeCode("open('after.txt', 'w').write('x')"));
    assertThat(await(s.readFile("after.txt"))).as("the container writes the sandbox's workspace").isEqualTo("x");
    await(s.restart());
    assertThat(await(s.executeCode("print(open('after.txt').read())")).stdout()).isEqualTo("x\n");
  }

  @Test
  void neverHandsOutAUsedContainer() throws Exception {
    deploy(1, 600);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      awaitWarm(1);
      Sandbox s = await(manager.create(CreateOptions.defaults()));
      assertThat(await(s.listFiles())).as("a fresh workspace").isEmpty();
      assertThat(seen.add(containerOf(s))).as("container handed out twice").isTrue();
      await(s.executeCode("open('mine.txt', 'w').write('secret')"));
      await(s.destroy());
    }
  }

  @Test
  void otherShapesGetTheirOwnContainer() throws Exception {
    deploy(1, 600);
    Set<String> warm = awaitWarm(1);
    ResourceLimits other = new ResourceLimits(300, 256, 1.0, 1024, 10, 50, 1024, false, 10_485_760L, 104_857_600L);
    Sandbox s = await(manager.create(CreateOptions.defaults().withResourceLimits(other)));
    assertThat(warm).doesNotContain(containerOf(s));
    var info = DockerTestSupport.docker().inspectContainerCmd(containerOf(s)).exec();
    assertThat(info.getHostConfig().getMemory()).isEqualTo(256L << 20);
    assertThat(awaitWarm(1)).isEqualTo(warm);
  }

  @Test
  void oldWarmContainersAreReplaced() throws Exception {
    deploy(1, 10);
    Set<String> first = awaitWarm(1);
    for (int i = 0; i < 100 && warm().containsAll(first); i++) {
      Thread.sleep(200);
    }
    Set<String> later = awaitWarm(1);
    assertThat(later).doesNotContainAnyElementsOf(first);
    assertThat(List.copyOf(DockerTestSupport.containersOf(base))).as("the old one is removed").hasSize(1);
  }
}
