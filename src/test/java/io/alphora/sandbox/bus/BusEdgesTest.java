package io.alphora.sandbox.bus;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.TestSupport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bus-level behaviour the REST API does not reach: interactive stdin, wait:false, staged commits. */
class BusEdgesTest {
  @TempDir
  Path base;
  Vertx vertx;
  EventBus bus;
  String id;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    await(SandboxManager.deploy(vertx, TestSupport.config(base, null)));
    bus = vertx.eventBus();
    id = request("alphora.sandbox.manager", "create", new JsonObject()).getString("sandbox_id");
  }

  @AfterEach
  void tearDown() { await(vertx.close()); }

  private Future<Object> send(String address, String action, JsonObject body) {
    return bus.request(address, body, new DeliveryOptions().addHeader("action", action).setSendTimeout(60_000))
        .map(m -> m.body());
  }

  private JsonObject request(String address, String action, JsonObject body) {
    return (JsonObject) await(send(address, action, body));
  }

  private JsonObject onSandbox(String action, JsonObject body) {
    return request("alphora.sandbox." + id, action, body);
  }

  @Test
  void stdinOpenRunsReadWhatIsSentLater() throws Exception {
    String exec = "exe_stdin_" + System.nanoTime();
    Future<Object> run = send("alphora.sandbox." + id, "exec", new JsonObject().put("exec_id", exec)
        .put("stdin_open", true).put("request", new JsonObject().put("code", "print('got', input())")));
    Thread.sleep(300);
    onSandbox("stdin", new JsonObject().put("exec_id", exec).put("data", "hello\n"));
    JsonObject result = (JsonObject) await(run);
    assertThat(result.getString("stdout")).isEqualTo("got hello\n");
  }

  @Test
  void waitFalseRunsCountAsActivityAndExecutions() throws Exception {
    JsonObject started = onSandbox("exec", new JsonObject().put("wait", false)
        .put("request", new JsonObject().put("code", "import time; time.sleep(1.5); print('late')")));
    assertThat(started.getString("status")).isEqualTo("running");
    Thread.sleep(200);
    JsonObject cleaned = request("alphora.sandbox.manager", "cleanup_idle", new JsonObject().put("idle_seconds", 0));
    assertThat(cleaned.getInteger("cleaned")).as("a sandbox with a run in flight is not idle").isZero();
    JsonObject done = onSandbox("cancel", new JsonObject().put("exec_id", started.getString("exec_id")));
    assertThat(done.getString("status")).isEqualTo("cancelled");
    Thread.sleep(200);
    assertThat(onSandbox("info", new JsonObject()).getLong("execution_count")).isEqualTo(1);
  }

  @Test
  void commitOnlyTakesFilesStagedByTheService() throws Exception {
    Path host = Files.createTempFile("alphora-host-", ".txt");
    Files.writeString(host, "host file");
    Throwable t = catchThrowable(() -> onSandbox("commit_file", new JsonObject().put("path", "x.txt")
        .put("staged", host.toString())));
    assertThat(t).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) t).failureCode()).isEqualTo(400);
    Throwable sneaky = catchThrowable(() -> onSandbox("commit_file", new JsonObject().put("path", "x.txt")
        .put("staged", base.resolve("tmp").resolve("../../" + host.getFileName()).toString())));
    assertThat(((ReplyException) sneaky).failureCode()).isEqualTo(400);
    assertThat(Files.readString(host)).isEqualTo("host file");
    Files.delete(host);
  }

  @Test
  void internalNoticesAreNotOnThePublicAddresses() {
    Throwable t = catchThrowable(() -> request("alphora.sandbox.manager", "shutdown", new JsonObject()));
    assertThat(((ReplyException) t).failureCode()).isEqualTo(400);
    Throwable typed = catchThrowable(() -> request("alphora.sandbox.manager", "cleanup",
        new JsonObject().put("stopped", "yes")));
    assertThat(((ReplyException) typed).failureCode()).isEqualTo(400);
    Throwable noId = catchThrowable(() -> request("alphora.sandbox.manager", "get", new JsonObject()));
    assertThat(((ReplyException) noId).failureCode()).isEqualTo(400);
    assertThat(onSandbox("exec", new JsonObject().put("request", new JsonObject().put("code", "print(1)")))
        .getString("stdout")).isEqualTo("1\n");
  }
}
