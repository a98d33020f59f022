package io.alphora.sandbox.mutiny;

import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.CreateOptions;
import io.alphora.sandbox.ExecEvent;
import io.alphora.sandbox.ExecRequest;
import io.alphora.sandbox.ExecutionResult;
import io.alphora.sandbox.SandboxInfo;
import io.alphora.sandbox.SandboxStatus;
import io.alphora.sandbox.TestSupport;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Mutiny API: lazy Unis, and a Multi of run events whose requests become fetches on the stream. */
class MutinySandboxTest {
  static Vertx vertx;
  static MutinySandboxManager manager;
  static MutinySandbox sandbox;
  static Path base;

  @BeforeAll
  static void start() throws Exception {
    base = Files.createTempDirectory("alphora-mutiny-");
    vertx = Vertx.vertx();
    manager = MutinySandboxManager.deploy(vertx, TestSupport.config(base, new JsonObject()))
        .await().atMost(Duration.ofSeconds(60));
    sandbox = manager.create(CreateOptions.defaults().withName("mutiny")).await().atMost(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() throws Exception {
    manager.shutdown().await().atMost(Duration.ofSeconds(60));
    TestSupport.await(vertx.close());
    io.alphora.sandbox.workspace.Workspace.deleteTree(base);
  }

  @Test
  void unisAreLazyAndCarryTheRecords() {
    SandboxInfo info = sandbox.info().await().atMost(Duration.ofSeconds(30));
    assertThat(info.status()).isEqualTo(SandboxStatus.RUNNING);
    var run = sandbox.executeCode("print(6*7)");
    // nothing ran before the subscription
    assertThat(sandbox.info().await().atMost(Duration.ofSeconds(30)).executionCount()).isEqualTo(info.executionCount());
    ExecutionResult r = run.await().atMost(Duration.ofSeconds(30));
    assertThat(r.stdout()).isEqualTo("42\n");
  }

  @Test
  void multiDeliversOnlyWhatIsRequested() throws Exception {
    AssertSubscriber<ExecEvent> sub = sandbox.execStream(ExecRequest.python("for i in range(4):\n    print(i, flush=True)"))
        .subscribe().withSubscriber(AssertSubscriber.create(0));
    Thread.sleep(1500); // the run finishes meanwhile; its events wait for demand
    assertThat(sub.getItems()).isEmpty();
    sub.request(1);
    sub.awaitItems(1, Duration.ofSeconds(10));
    Thread.sleep(300);
    assertThat(sub.getItems()).hasSize(1);
    assertThat(sub.getItems().get(0).type()).isEqualTo(ExecEvent.Type.START);
    sub.request(Long.MAX_VALUE);
    sub.awaitCompletion(Duration.ofSeconds(30));
    List<ExecEvent> all = sub.getItems();
    assertThat(all.get(all.size() - 1).isExit()).isTrue();
    assertThat(all.get(all.size() - 1).result().stdout()).isEqualTo("0\n1\n2\n3\n");
    for (int i = 0; i < all.size(); i++) {
      assertThat(all.get(i).seq()).isEqualTo(i);
    }
  }

  @Test
  void outputIsTheTextAsPrinted() {
    List<String> out = sandbox.output(ExecRequest.python("import sys\nprint('a')\nprint('b', file=sys.stderr)"))
        .collect().asList().await().atMost(Duration.ofSeconds(30));
    assertThat(String.join("", out)).contains("a\n").contains("b\n");
  }

  @Test
  void aRunThatCannotStartFailsTheMulti() {
    MutinySandbox stopped = manager.create(CreateOptions.defaults().withAutoStart(false)).await().atMost(Duration.ofSeconds(30));
    AssertSubscriber<ExecEvent> sub = stopped.execStream(ExecRequest.python("print(1)"))
        .subscribe().withSubscriber(AssertSubscriber.create(10));
    sub.awaitFailure(Duration.ofSeconds(30));
    assertThat(sub.getFailure()).hasMessageContaining("not running");
  }
}
