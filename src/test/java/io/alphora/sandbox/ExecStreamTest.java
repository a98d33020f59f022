package io.alphora.sandbox;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link Sandbox#execStream}: live events as a Vert.x ReadStream, with pause/fetch and a bounded buffer. */
class ExecStreamTest {
  static Vertx vertx;
  static SandboxManager manager;
  static Sandbox sandbox;
  static Path base;

  @BeforeAll
  static void start() throws Exception {
    base = Files.createTempDirectory("alphora-stream-");
    vertx = Vertx.vertx();
    manager = await(SandboxManager.deploy(vertx, TestSupport.config(base, new JsonObject())));
    sandbox = await(manager.create(CreateOptions.defaults().withResourceLimits(
        new ResourceLimits(300, 512, 1.0, 1024, 10, 50, 1024, false, 64L << 20, 104_857_600L))));
  }

  @AfterAll
  static void stop() throws Exception {
    await(manager.shutdown());
    await(vertx.close());
    io.alphora.sandbox.workspace.Workspace.deleteTree(base);
  }

  @Test
  void eventsArriveAsPrintedThenTheStreamEnds() throws Exception {
    ExecStream s = await(sandbox.execStream(ExecRequest.python(
        "import time\nprint('a', flush=True)\ntime.sleep(1)\nprint('b')")));
    List<ExecEvent> events = new CopyOnWriteArrayList<>();
    List<Long> arrival = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> ended = new CompletableFuture<>();
    s.endHandler(v -> ended.complete(null)).handler(e -> {
      events.add(e);
      arrival.add(System.nanoTime());
    });
    ended.get(30, TimeUnit.SECONDS);
    assertThat(events.get(0).type()).isEqualTo(ExecEvent.Type.START);
    assertThat(events.get(0).execId()).isEqualTo(s.execId());
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).seq()).isEqualTo(i);
    }
    ExecEvent exit = events.get(events.size() - 1);
    assertThat(exit.isExit()).isTrue();
    assertThat(exit.result().stdout()).isEqualTo("a\nb\n");
    assertThat(await(s.result())).isEqualTo(exit.result());
    int a = 0;
    while (!events.get(a).isOutput()) {
      a++;
    }
    assertThat((arrival.get(events.size() - 1) - arrival.get(a)) / 1e9).isGreaterThan(0.7);
  }

  @Test
  void pauseAndFetchHandOutExactlyWhatWasAskedFor() throws Exception {
    ExecStream s = await(sandbox.execStream(ExecRequest.python("for i in range(5):\n    print(i, flush=True)")));
    List<ExecEvent> got = new CopyOnWriteArrayList<>();
    s.pause().handler(got::add);
    await(s.result()); // the run is over; every event waits in the stream's buffer
    Thread.sleep(200);
    assertThat(got).isEmpty();
    s.fetch(1);
    waitFor(() -> got.size() == 1);
    Thread.sleep(200);
    assertThat(got).hasSize(1);
    assertThat(got.get(0).type()).isEqualTo(ExecEvent.Type.START);
    s.fetch(2);
    waitFor(() -> got.size() == 3);
    Thread.sleep(200);
    assertThat(got).hasSize(3);
    s.resume();
    waitFor(() -> !got.isEmpty() && got.get(got.size() - 1).isExit());
  }

  @Test
  void interactiveRunsTakeStdin() throws Exception {
    ExecStream s = await(sandbox.execStream(ExecRequest.python("print('got', input())"), true));
    s.handler(e -> { });
    await(s.writeStdin("hello\n"));
    await(s.closeStdin());
    assertThat(await(s.result()).stdout()).isEqualTo("got hello\n");
  }

  @Test
  void stdinWrittenWithoutWaitingArrivesInOrder() throws Exception {
    for (int round = 0; round < 5; round++) {
      ExecStream s = await(sandbox.execStream(ExecRequest.python("import sys\nprint(repr(sys.stdin.read()))"), true));
      s.handler(e -> { });
      StringBuilder sent = new StringBuilder();
      for (int i = 0; i < 30; i++) {
        s.writeStdin(i + ",");   // not awaited: the backend's worker instances would race without order
        sent.append(i).append(',');
      }
      s.closeStdin();
      assertThat(await(s.result()).stdout()).isEqualTo("'" + sent + "'\n");
    }
  }

  @Test
  void aConsumerThatFallsTooFarBehindFailsWhileTheRunGoesOn() throws Exception {
    ExecStream s = await(sandbox.execStream(ExecRequest.python(
        "import sys\nline = 'y' * 1023 + '\\n'\nfor i in range(12000):\n    sys.stdout.write(line)")));
    CompletableFuture<Throwable> failed = new CompletableFuture<>();
    s.pause().exceptionHandler(failed::complete).handler(e -> { });
    Throwable t = failed.get(60, TimeUnit.SECONDS);
    assertThat(t).isInstanceOf(SandboxException.class);
    assertThat(((SandboxException) t).code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    ExecutionResult r = await(s.result(), 60);
    assertThat(r.status()).isEqualTo(ExecutionStatus.SUCCESS);
    assertThat(r.stdout()).as("a streamed run's result keeps a bounded part of its output").hasSize(64 * 1024);
  }

  @Test
  void aRunThatCannotStartFailsTheFuture() {
    Sandbox stopped = await(manager.create(CreateOptions.defaults().withAutoStart(false)));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> await(stopped.execStream(ExecRequest.python("print(1)"))))
        .isInstanceOfSatisfying(SandboxException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SANDBOX_NOT_RUNNING));
  }

  static void waitFor(java.util.function.BooleanSupplier c) throws InterruptedException {
    for (int i = 0; i < 200 && !c.getAsBoolean(); i++) {
      Thread.sleep(50);
    }
    assertThat(c.getAsBoolean()).as("condition within 10 s").isTrue();
  }
}
