package io.alphora.sandbox.backend.docker;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm pool: hands out started containers of the default shape, once each, and refills. */
class WarmPoolIT {
  @TempDir
  Path base;
  Vertx vertx;
  SandboxManager manager;
  private final WarmPoolWatch pool = new WarmPoolWatch(() -> vertx, () -> manager, () -> base);

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

  @Test
  void handsOutAWarmContainerAndRefills() throws Exception {
    deploy(2, 600);
    Set<String> before = pool.awaitWarm(2);
    Sandbox s = await(manager.create(CreateOptions.defaults()));
    String id = pool.containerOf(s);
    assertThat(before).as("the sandbox got a warm container").contains(id);
    await(s.writeFile("in.txt", "api"));
    var r = await(s.executeCode("print(open('in.txt').read()); open('out.txt', 'w').write('code')"));
    assertThat(r.stdout()).as(r.stderr()).isEqualTo("api\n");
    assertThat(await(s.readFile("out.txt"))).as("its workspace is the sandbox's").isEqualTo("code");
    Set<String> after = pool.awaitWarm(2);
    assertThat(after).doesNotContain(id);
  }

  @Test
  void aWarmContainersWorkspaceIsABoundedVolumeMovedToTheSandbox() throws Exception {
    deploy(1, 600);
    Set<String> warm = pool.awaitWarm(1);
    Sandbox s = await(manager.create(CreateOptions.defaults()));
    assertThat(warm).contains(pool.containerOf(s));
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
    Set<String> warm = pool.awaitWarm(1);
    Sandbox s = await(manager.create(CreateOptions.defaults()));
    assertThat(warm).contains(pool.containerOf(s));
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
      pool.awaitWarm(1);
      Sandbox s = await(manager.create(CreateOptions.defaults()));
      assertThat(await(s.listFiles())).as("a fresh workspace").isEmpty();
      assertThat(seen.add(pool.containerOf(s))).as("container handed out twice").isTrue();
      await(s.executeCode("open('mine.txt', 'w').write('secret')"));
      await(s.destroy());
    }
  }

  @Test
  void otherShapesGetTheirOwnContainer() throws Exception {
    deploy(1, 600);
    Set<String> warm = pool.awaitWarm(1);
    ResourceLimits other = new ResourceLimits(300, 256, 1.0, 1024, 10, 50, 1024, false, 10_485_760L, 104_857_600L);
    Sandbox s = await(manager.create(CreateOptions.defaults().withResourceLimits(other)));
    assertThat(warm).doesNotContain(pool.containerOf(s));
    var info = DockerTestSupport.docker().inspectContainerCmd(pool.containerOf(s)).exec();
    assertThat(info.getHostConfig().getMemory()).isEqualTo(256L << 20);
    assertThat(pool.awaitWarm(1)).isEqualTo(warm);
  }

  @Test
  void oldWarmContainersAreReplaced() throws Exception {
    deploy(1, 10);
    Set<String> first = pool.awaitWarm(1);
    for (int i = 0; i < 100 && pool.warm().containsAll(first); i++) {
      Thread.sleep(200);
    }
    Set<String> later = pool.awaitWarm(1);
    assertThat(later).doesNotContainAnyElementsOf(first);
    assertThat(List.copyOf(DockerTestSupport.containersOf(base))).as("the old one is removed").hasSize(1);
  }
}
