package io.alphora.sandbox.backend.docker;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.model.Container;
import io.alphora.sandbox.CreateOptions;
import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SandboxInfo;
import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.SandboxStatus;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Docker sandbox's container through stop/start, restart, reset, destroy, a service restart
 * (adopt or remove), and a container that dies or disappears under it.
 */
class DockerLifecycleIT {
  @TempDir
  Path base;
  Vertx vertx;
  SandboxManager manager;

  @BeforeEach
  void setUp() { deploy("adopt"); }

  private void deploy(String orphans) {
    vertx = Vertx.vertx();
    manager = await(SandboxManager.deploy(vertx, DockerTestSupport.config(base, 0,
        new JsonObject().put("docker", new JsonObject().put("orphans", orphans)))));
  }

  private void shutdown() {
    await(manager.shutdown());
    await(vertx.close());
  }

  @AfterEach
  void tearDown() {
    await(manager.destroyAll());
    shutdown();
    assertThat(DockerTestSupport.removeAll(base)).as("containers left behind").isZero();
  }

  private String onlyContainer() {
    List<Container> cs = DockerTestSupport.containersOf(base);
    assertThat(cs).hasSize(1);
    return cs.get(0).getId();
  }

  private static String state(String id) {
    return DockerTestSupport.docker().inspectContainerCmd(id).exec().getState().getStatus();
  }

  private static String run(Sandbox s, String code) {
    var r = await(s.executeCode(code));
    assertThat(r.success()).as(r.stderr() + r.error()).isTrue();
    return r.stdout();
  }

  @Test
  void stopAndStartKeepContainerAndWorkspace() {
    Sandbox s = await(manager.create(CreateOptions.defaults()));
    run(s, "open('kept.txt', 'w').write('by code')");
    String id = onlyContainer();
    assertThat(state(id)).isEqualTo("running");
    assertThat(await(s.stop()).status()).isEqualTo(SandboxStatus.STOPPED);
    assertThat(state(id)).isEqualTo("exited");
    assertThat(await(s.readFile("kept.txt"))).as("files work on a stopped sandbox").isEqualTo("by code");
    assertThat(await(s.start()).status()).isEqualTo(SandboxStatus.RUNNING);
    assertThat(onlyContainer()).as("the same container").isEqualTo(id);
    assertThat(run(s, "print(open('kept.txt').read())")).isEqualTo("by code\n");
  }

  @Test
  void restartAndReset() {
    Sandbox s = await(manager.create(CreateOptions.defaults()));
    String id = onlyContainer();
    await(s.writeFile("f.txt", "x"));
    await(s.setEnvVar("FOO", "bar"));
    assertThat(await(s.restart()).status()).isEqualTo(SandboxStatus.RUNNING);
    assertThat(onlyContainer()).as("restart: no name conflict, same container").isEqualTo(id);
    assertThat(run(s, "import os; print(os.environ.get('FOO'), open('f.txt').read())")).isEqualTo("bar x\n");
    SandboxInfo reset = await(s.reset());
    assertThat(reset.status()).isEqualTo(SandboxStatus.RUNNING);
    assertThat(await(s.fileExists("f.txt"))).isFalse();
    assertThat(run(s, "import os; print(os.environ.get('FOO')); open('new.txt', 'w').write('1')")).isEqualTo("None\n");
    assertThat(await(s.readFile("new.txt"))).as("the new workspace is the container's").isEqualTo("1");
    assertThat(DockerTestSupport.containersOf(base)).as("reset replaced the container").hasSize(1);
  }

  @Test
  void destroyRemovesContainerAndWorkspace() {
    Sandbox s = await(manager.create(CreateOptions.defaults()));
    String ws = await(s.info()).workspacePath();
    onlyContainer();
    await(s.destroy());
    assertThat(DockerTestSupport.containersOf(base)).isEmpty();
    assertThat(Files.exists(Path.of(ws))).isFalse();
  }

  @Test
  void aServiceRestartAdoptsItsContainersAndRemovesStrays() {
    Sandbox s = await(manager.create(CreateOptions.defaults()));
    String sid = s.id();
    run(s, "open('kept.txt', 'w').write('before')");
    String id = onlyContainer();
    String node = nodeId();
    shutdown();
    assertThat(state(id)).as("kept for its sandbox").isEqualTo("exited");
    // a container of this service that no sandbox records (a crash between create and record)
    String stray = DockerTestSupport.docker().createContainerCmd(DockerTestSupport.IMAGE)
        .withLabels(Map.of(Containers.LABEL_MANAGED, "true", Containers.LABEL_NODE, node,
            Containers.LABEL_BASE, base.toString()))
        .withCmd("sleep", "60").exec().getId();
    deploy("adopt");
    assertThat(DockerTestSupport.containersOf(base)).extracting(Container::getId).containsExactly(id);
    Sandbox again = await(manager.get(sid));
    assertThat(await(again.info()).status()).isEqualTo(SandboxStatus.STOPPED);
    await(again.start());
    assertThat(onlyContainer()).as("re-adopted").isEqualTo(id);
    assertThat(run(again, "print(open('kept.txt').read())")).isEqualTo("before\n");
    assertThat(stray).isNotEqualTo(id);

    shutdown();
    deploy("remove");
    assertThat(DockerTestSupport.containersOf(base)).as("orphans: remove").isEmpty();
    Sandbox third = await(manager.get(sid));
    await(third.start());
    assertThat(onlyContainer()).as("a new container").isNotEqualTo(id);
    assertThat(run(third, "print(open('kept.txt').read())")).isEqualTo("before\n");
  }

  private String nodeId() { return await(manager.status()).nodeId(); }

  @Test
  void aContainerThatDiesPutsTheSandboxInErrorAndRestartRecovers() throws Exception {
    Sandbox s = await(manager.create(CreateOptions.defaults()));
    String id = onlyContainer();
    DockerTestSupport.docker().killContainerCmd(id).exec();
    SandboxInfo info = awaitStatus(s, SandboxStatus.ERROR);
    assertThat(info.statusMessage()).contains("container").contains("restart the sandbox");
    assertThatThrownBy(() -> await(s.executeCode("print(1)"))).isInstanceOf(SandboxException.class)
        .satisfies(e -> assertThat(((SandboxException) e).code()).isEqualTo(ErrorCode.SANDBOX_NOT_RUNNING));
    assertThat(await(s.restart()).status()).isEqualTo(SandboxStatus.RUNNING);
    assertThat(run(s, "print('back')")).isEqualTo("back\n");
    assertThat(onlyContainer()).isEqualTo(id);

    // removed behind our back (or lost with the daemon's state): restart makes a new one
    DockerTestSupport.docker().removeContainerCmd(id).withForce(true).exec();
    awaitStatus(s, SandboxStatus.ERROR);
    await(s.restart());
    assertThat(run(s, "print('new')")).isEqualTo("new\n");
    assertThat(onlyContainer()).isNotEqualTo(id);
  }

  private static SandboxInfo awaitStatus(Sandbox s, SandboxStatus want) throws InterruptedException {
    SandboxInfo info = null;
    for (int i = 0; i < 100; i++) {
      info = await(s.info());
      if (info.status() == want) {
        return info;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("status stayed " + info.status() + ", wanted " + want);
  }
}
