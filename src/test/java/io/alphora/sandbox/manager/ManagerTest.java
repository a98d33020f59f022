package io.alphora.sandbox.manager;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alphora.sandbox.CreateOptions;
import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.ExecutionResult;
import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SandboxInfo;
import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.SandboxStatus;
import io.alphora.sandbox.SecurityPolicy;
import io.alphora.sandbox.TestSupport;
import io.alphora.sandbox.bus.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manager through the Java embedding API: limits, lookups, idle sweep, events, createLocal. */
class ManagerTest {
  @TempDir
  Path base;
  Vertx vertx;

  @BeforeEach
  void setUp() { vertx = Vertx.vertx(); }

  @AfterEach
  void tearDown() { await(vertx.close()); }

  private SandboxManager deploy(JsonObject extra) {
    return await(SandboxManager.deploy(vertx, TestSupport.config(base, extra)));
  }

  @Test
  void maxSandboxesIsEnforcedAndCountsOnlyLiveOnes() {
    SandboxManager m = deploy(new JsonObject().put("manager", new JsonObject().put("max_sandboxes", 2)));
    Sandbox a = await(m.create(CreateOptions.defaults().withAutoStart(false)));
    await(m.create(CreateOptions.defaults().withAutoStart(false)));
    assertThatThrownBy(() -> await(m.create(CreateOptions.defaults())))
        .isInstanceOf(SandboxException.class)
        .satisfies(e -> assertThat(((SandboxException) e).code()).isEqualTo(ErrorCode.SANDBOX_LIMIT_REACHED))
        .hasMessageContaining("maximum sandbox limit (2)");
    await(a.destroy());
    assertThat(await(m.create(CreateOptions.defaults().withAutoStart(false))).id()).isNotNull();
    await(m.shutdown());
  }

  @Test
  void lookupsAndGetOrCreate() {
    SandboxManager m = deploy(null);
    Sandbox s = await(m.create(CreateOptions.defaults().withName("worker-1")));
    assertThat(await(m.getByName("worker-1")).id()).isEqualTo(s.id());
    assertThat(await(m.get(s.id())).id()).isEqualTo(s.id());
    assertThatThrownBy(() -> await(m.get("sbx_nope"))).hasMessageContaining("sbx_nope");
    assertThatThrownBy(() -> await(m.getByName("nobody"))).isInstanceOf(SandboxException.SandboxNotFoundException.class);
    Sandbox g1 = await(m.getOrCreate("session-42", CreateOptions.defaults()));
    Sandbox g2 = await(m.getOrCreate("session-42", CreateOptions.defaults()));
    assertThat(g1.id()).isEqualTo("session-42").isEqualTo(g2.id());
    assertThat(await(m.list())).hasSize(2);
    assertThat(await(m.list(SandboxStatus.STOPPED, null))).isEmpty();
    assertThat(await(m.status()).sandboxCount()).isEqualTo(2);
    assertThat(await(m.healthCheckAll())).containsEntry(s.id(), true);
    assertThat(await(m.totalUsage()).runningCount()).isEqualTo(2);
    assertThat(await(m.stopAll())).hasSize(2).containsValue(true);
    assertThat(await(m.cleanupStopped())).isEqualTo(2);
    assertThat(await(m.list())).isEmpty();
    await(m.shutdown());
  }

  @Test
  void idleSandboxesAreSweptAndEventsPublished() throws Exception {
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    await(vertx.eventBus().<JsonObject>consumer(Addresses.defaults().events(), msg -> events.add(msg.body()))
        .completion());
    SandboxManager m = deploy(new JsonObject().put("manager", new JsonObject().put("idle_sweep_seconds", 1)));
    Sandbox idle = await(m.create(CreateOptions.defaults().withIdleTimeoutSeconds(1)));
    Sandbox busy = await(m.create(CreateOptions.defaults().withIdleTimeoutSeconds(1)));
    Sandbox keep = await(m.create(CreateOptions.defaults().withIdleTimeoutSeconds(0)));
    ExecutionResult r = await(busy.executeCode("import time; time.sleep(3); print('done')"));
    assertThat(r.stdout()).as("a running execution is activity").isEqualTo("done\n");
    List<String> ids = List.of();
    for (int i = 0; i < 100; i++) { // the sweep runs every second; allow a slow machine 10 s
      ids = await(m.list()).stream().map(SandboxInfo::sandboxId).toList();
      if (!ids.contains(idle.id()) && !ids.contains(busy.id())) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(ids).contains(keep.id()).doesNotContain(idle.id(), busy.id());
    assertThat(events).anySatisfy(e -> {
      assertThat(e.getString("event")).isEqualTo("idle_cleaned");
      assertThat(e.getString("sandbox_id")).isEqualTo(idle.id());
    });
    assertThat(events).extracting(e -> e.getString("event")).contains("created", "started");
    await(m.shutdown());
  }

  @Test
  void cleanupIdleUsesLastActivity() throws Exception {
    SandboxManager m = deploy(null);
    Sandbox used = await(m.create(CreateOptions.defaults()));
    Sandbox unused = await(m.create(CreateOptions.defaults()));
    Thread.sleep(1200);
    await(used.writeFile("touch.txt", "x"));
    assertThat(await(m.cleanupIdle(1))).isEqualTo(1);
    assertThat(await(m.list()).stream().map(SandboxInfo::sandboxId)).containsExactly(used.id());
    assertThatThrownBy(() -> await(unused.info())).isInstanceOf(SandboxException.SandboxNotFoundException.class);
    await(m.shutdown());
  }

  @Test
  void createLocalLikeTheSeed() {
    Sandbox s = await(Sandbox.createLocal(vertx, base, ResourceLimits.minimal(), SecurityPolicy.standard()));
    assertThat(await(s.executeCode("print(6*7)")).stdout()).isEqualTo("42\n");
    assertThat(await(s.info()).resourceLimits().memoryMb()).isEqualTo(128);
    await(s.setEnvVar("K", "v"));
    assertThat(await(s.getEnvVar("K"))).isEqualTo("v");
    assertThat(await(s.getEnvVar("HOME"))).isNull();
    await(s.release());
    assertThat(vertx.deploymentIDs()).as("release undeploys the private manager").isEmpty();
  }

  @Test
  void runnerDeathIsReportedAndRestartRecovers() throws Exception {
    SandboxManager m = deploy(null);
    Sandbox s = await(m.create(CreateOptions.defaults()));
    ExecutionResult r = await(s.executeCode("import os, signal; os.kill(os.getppid(), 0); print(os.getpid())"));
    assertThat(r.success()).isTrue();
    // the runner (bubblewrap) is the child of this JVM in the sandbox's cgroup
    long runnerPid = ProcessHandle.current().children().filter(p -> {
      try {
        return Files.readString(Path.of("/proc", String.valueOf(p.pid()), "cgroup")).contains(s.id());
      } catch (java.io.IOException gone) {
        return false;
      }
    }).findFirst().orElseThrow().pid();
    ProcessHandle.of(runnerPid).orElseThrow().destroyForcibly();
    SandboxInfo info = null;
    for (int i = 0; i < 50; i++) {
      info = await(s.info());
      if (info.status() == SandboxStatus.ERROR) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(info.status()).isEqualTo(SandboxStatus.ERROR);
    assertThat(info.statusMessage()).contains("exited unexpectedly");
    assertThatThrownBy(() -> await(s.executeCode("print(1)")))
        .satisfies(e -> assertThat(((SandboxException) e).code()).isEqualTo(ErrorCode.SANDBOX_NOT_RUNNING));
    assertThat(await(s.restart()).status()).isEqualTo(SandboxStatus.RUNNING);
    assertThat(await(s.executeCode("print('back')")).stdout()).isEqualTo("back\n");
    await(m.shutdown());
  }
}
