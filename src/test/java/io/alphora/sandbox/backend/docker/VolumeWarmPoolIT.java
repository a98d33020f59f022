package io.alphora.sandbox.backend.docker;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.InspectVolumeResponse;
import com.github.dockerjava.api.model.Container;
import io.alphora.sandbox.CreateOptions;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.SandboxStatus;
import io.alphora.sandbox.FileInfo;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm pool with workspace volumes ({@code docker.workspace: volume}, on the shared local
 * daemon): a warm container comes with volumes of its own, which become the sandbox's for good —
 * files, stop/start, a container lost behind its back, a service restart, destroy — and nothing of
 * the pool outlives the service.
 */
class VolumeWarmPoolIT {
  @TempDir
  Path base;
  Vertx vertx;
  SandboxManager manager;
  private final WarmPoolWatch pool = new WarmPoolWatch(() -> vertx, () -> manager, () -> base);

  private void deploy(int size) { deploy(size, 600); }

  private void deploy(int size, int maxAge) {
    vertx = Vertx.vertx();
    manager = await(SandboxManager.deploy(vertx, DockerTestSupport.config(base, size, new JsonObject()
        .put("docker", new JsonObject().put("workspace", "volume").put("orphans", "adopt")
            .put("pool_max_age_seconds", maxAge)))));
  }

  private void shutdown() {
    await(manager.shutdown());
    await(vertx.close());
  }

  @AfterEach
  void tearDown() {
    await(manager.destroyAll());
    shutdown();
    assertThat(DockerTestSupport.removeAll(base)).as("containers left behind (warm ones included)").isZero();
    List<String> left = volumes().stream().map(InspectVolumeResponse::getName).toList();
    left.forEach(v -> DockerTestSupport.docker().removeVolumeCmd(v).exec());
    assertThat(left).as("volumes left behind (warm ones included)").isEmpty();
  }

  private List<InspectVolumeResponse> volumes() {
    var vs = DockerTestSupport.docker().listVolumesCmd()
        .withFilter("label", List.of(Containers.LABEL_BASE + "=" + base)).exec().getVolumes();
    return vs == null ? List.of() : vs;
  }

  private Set<String> poolVolumes() {
    return volumes().stream().filter(v -> v.getLabels().containsKey(Containers.LABEL_POOL))
        .map(InspectVolumeResponse::getName).collect(Collectors.toSet());
  }

  /** The named volumes the container mounts, by mount point. */
  private static Map<String, String> mounts(String cid) {
    return DockerTestSupport.docker().inspectContainerCmd(cid).exec().getMounts().stream()
        .collect(Collectors.toMap(m -> m.getDestination().getPath(), m -> m.getName()));
  }

  private static String run(Sandbox s, String code) {
    var r = await(s.executeCode(code));
    assertThat(r.success()).as(r.stderr() + r.error()).isTrue();
    return r.stdout();
  }

  @Test
  void aWarmContainersVolumesBecomeTheSandboxsForGood() throws Exception {
    deploy(1);
    Set<String> warm = pool.awaitWarm(1);
    Set<String> warmVolumes = poolVolumes();
    assertThat(warmVolumes).as("the warm container's own workspace and site volumes").hasSize(2);
    Sandbox s = await(manager.create(CreateOptions.defaults()));
    String cid = pool.containerOf(s);
    assertThat(warm).as("the sandbox got the warm container").contains(cid);
    Map<String, String> mounted = mounts(cid);
    assertThat(warmVolumes).containsExactlyInAnyOrder(mounted.get("/workspace"), mounted.get("/opt/site-packages"));

    // files through the volume (archive API, helper) and the code see the same files
    await(s.writeFile("in.txt", "api"));
    assertThat(run(s, "print(open('in.txt').read()); open('out.txt', 'w').write('code')")).isEqualTo("api\n");
    assertThat(await(s.readFile("out.txt"))).isEqualTo("code");
    assertThat(await(s.listFiles())).extracting(FileInfo::name).containsExactlyInAnyOrder("in.txt", "out.txt");
    Set<String> refilled = pool.awaitWarm(1);
    assertThat(refilled).doesNotContain(cid);
    assertThat(poolVolumes()).as("the refill has volumes of its own").hasSize(4)
        .containsAll(warmVolumes);

    await(s.stop());
    assertThat(await(s.readFile("in.txt"))).as("stopped: a one-off container on the same volume").isEqualTo("api");
    await(s.start());
    assertThat(pool.containerOf(s)).isEqualTo(cid);
    assertThat(run(s, "print(open('out.txt').read())")).isEqualTo("code\n");

    // a container removed behind the sandbox's back: the next one mounts its volumes, not a warm one's
    DockerTestSupport.docker().removeContainerCmd(cid).withForce(true).exec();
    for (int i = 0; i < 100 && await(s.info()).status() != SandboxStatus.ERROR; i++) {
      Thread.sleep(50);
    }
    await(s.restart());
    String replaced = pool.containerOf(s);
    assertThat(refilled).doesNotContain(replaced);
    assertThat(mounts(replaced)).isEqualTo(mounted);
    assertThat(run(s, "print(open('in.txt').read())")).isEqualTo("api\n");

    // a service restart keeps the sandbox's (pool-labelled) volumes and removes a killed instance's warm ones
    String sid = s.id();
    shutdown();
    assertThat(DockerTestSupport.containersOf(base)).extracting(Container::getId)
        .as("warm containers go with the service").containsExactly(replaced);
    assertThat(volumes()).extracting(InspectVolumeResponse::getName).as("warm volumes go with the service")
        .containsExactlyInAnyOrderElementsOf(mounted.values());
    Map<String, String> labels = new java.util.HashMap<>(Map.of(Containers.LABEL_MANAGED, "true",
        Containers.LABEL_BASE, base.toString(), Containers.LABEL_POOL, "true"));
    String stray = DockerTestSupport.docker().createVolumeCmd().withName("alphora-stray-pool-" + base.getFileName())
        .withLabels(labels).exec().getName();
    deploy(1);
    Sandbox again = await(manager.get(sid));
    assertThat(await(again.readFile("in.txt"))).as("adopted, files kept while stopped").isEqualTo("api");
    await(again.start());
    assertThat(pool.containerOf(again)).as("re-adopted").isEqualTo(replaced);
    assertThat(run(again, "print(open('in.txt').read(), open('out.txt').read())")).isEqualTo("api code\n");
    assertThat(volumes()).extracting(InspectVolumeResponse::getName).as("the sweep removed the stray pool volume")
        .doesNotContain(stray).containsAll(mounted.values());

    await(again.destroy());
    assertThat(DockerTestSupport.containersOf(base)).extracting(Container::getId).doesNotContain(replaced);
    assertThat(volumes()).extracting(InspectVolumeResponse::getName).as("its volumes go with it")
        .doesNotContainAnyElementsOf(mounted.values());
  }

  @Test
  void neverHandsOutAUsedContainerOrVolume() throws Exception {
    deploy(1);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      Set<String> warm = pool.awaitWarm(1);
      Sandbox s = await(manager.create(CreateOptions.defaults()));
      String cid = pool.containerOf(s);
      assertThat(warm).contains(cid);
      assertThat(await(s.listFiles())).as("a fresh workspace").isEmpty();
      assertThat(run(s, "import os; print(os.listdir('.'))")).isEqualTo("[]\n");
      assertThat(seen.add(cid)).as("container handed out twice").isTrue();
      assertThat(seen.addAll(mounts(cid).values())).as("volume handed out twice").isTrue();
      Set<String> used = Set.copyOf(mounts(cid).values());
      run(s, "open('mine.txt', 'w').write('secret')");
      await(s.reset());
      assertThat(await(s.listFiles())).as("reset: empty volumes").isEmpty();
      assertThat(volumes()).extracting(InspectVolumeResponse::getName).as("reset removed the old volumes")
          .doesNotContainAnyElementsOf(used);
      await(s.destroy());
    }
    assertThat(volumes()).extracting(InspectVolumeResponse::getName).as("destroyed sandboxes' volumes are gone")
        .doesNotContainAnyElementsOf(seen);
  }

  @Test
  void anOldWarmContainerGoesWithItsVolumes() throws Exception {
    deploy(1, 10);
    Set<String> first = pool.awaitWarm(1);
    Set<String> firstVolumes = poolVolumes();
    for (int i = 0; i < 100 && pool.warm().containsAll(first); i++) {
      Thread.sleep(200);
    }
    assertThat(pool.awaitWarm(1)).doesNotContainAnyElementsOf(first);
    assertThat(DockerTestSupport.containersOf(base)).as("the old one is removed").hasSize(1);
    assertThat(poolVolumes()).as("and its volumes").hasSize(2).doesNotContainAnyElementsOf(firstVolumes);
  }
}
