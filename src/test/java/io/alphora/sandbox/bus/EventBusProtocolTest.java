package io.alphora.sandbox.bus;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.TestSupport;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event-bus protocol of docs/event-bus.md with plain {@code eventBus().request(...)} messages
 * (no Sandbox / SandboxManager facade after deployment): the same steps as the doc's example.
 */
class EventBusProtocolTest {
  private static final String PREFIX = "alphora.sandbox";
  private static final String MANAGER = PREFIX + ".manager";
  private static final String EVENTS = PREFIX + ".events";

  @TempDir
  Path base;
  Vertx vertx;
  EventBus bus;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    await(SandboxManager.deploy(vertx, TestSupport.config(base, null)));
    bus = vertx.eventBus();
  }

  @AfterEach
  void tearDown() {
    // plain message too: no runner is left behind even when an assertion failed mid-way
    if (bus != null) {
      await(bus.request(MANAGER, new JsonObject(), action("destroy_all")).otherwiseEmpty());
    }
    await(vertx.close());
  }

  private static DeliveryOptions action(String action) {
    return new DeliveryOptions().addHeader("action", action).setSendTimeout(60_000);
  }

  private JsonObject request(String address, String action, JsonObject body) {
    return await(bus.<JsonObject>request(address, body, action(action))).body();
  }

  @Test
  void createStreamARunAndDestroyWithPlainMessages() {
    // lifecycle events of every sandbox on this bus
    List<JsonObject> lifecycle = new CopyOnWriteArrayList<>();
    Promise<JsonObject> destroyed = Promise.promise();
    MessageConsumer<JsonObject> events = bus.consumer(EVENTS, m -> {
      lifecycle.add(m.body());
      if ("destroyed".equals(m.body().getString("event"))) {
        destroyed.tryComplete(m.body());
      }
    });
    await(events.completion());

    // 1. create (auto_start defaults to true: the reply is the SandboxInfo of a running sandbox)
    JsonObject info = request(MANAGER, "create", new JsonObject().put("name", "bus-demo"));
    String id = info.getString("sandbox_id");
    assertThat(id).startsWith("sbx_");
    assertThat(info.getString("status")).isEqualTo("running");
    assertThat(info.getString("name")).isEqualTo("bus-demo");

    // 2. subscribe to the run's address BEFORE sending exec, with a client-chosen exec_id
    String execId = "exe_busProtocolTest01";
    String execAddress = PREFIX + "." + id + ".exec." + execId;
    List<JsonObject> runEvents = new CopyOnWriteArrayList<>();
    List<String> arrival = new CopyOnWriteArrayList<>();
    Promise<JsonObject> exit = Promise.promise();
    MessageConsumer<JsonObject> run = bus.consumer(execAddress, m -> {
      runEvents.add(m.body());
      arrival.add(m.body().getString("type"));
      if ("exit".equals(m.body().getString("type"))) {
        exit.tryComplete(m.body());
      }
    });
    await(run.completion());

    // 3. exec: the reply (ExecutionResult) comes when the run has finished
    JsonObject body = new JsonObject()
        .put("request", new JsonObject().put("language", "python")
            .put("code", "import time\nprint('a', flush=True)\ntime.sleep(0.3)\nprint('b')"))
        .put("exec_id", execId);
    Future<Message<JsonObject>> reply = bus.<JsonObject>request(PREFIX + "." + id, body, action("exec"))
        .onSuccess(m -> arrival.add("reply"));
    JsonObject result = await(reply).body();
    JsonObject exitEvent = await(exit.future());
    await(run.unregister());

    assertThat(result.getString("exec_id")).isEqualTo(execId);
    assertThat(result.getBoolean("success")).isTrue();
    assertThat(result.getString("status")).isEqualTo("success");
    assertThat(result.getString("stdout")).isEqualTo("a\nb\n");
    assertThat(result.getString("stderr")).isEmpty();
    assertThat(result.getInteger("return_code")).isZero();

    // start(seq 0) -> stdout "a\n" -> stdout "b\n" -> exit, seqs consecutive, all with our exec_id.
    // stdout/stderr events are chunks as the runner read them from the pipe, not lines: Python's print
    // writes the text and the end separately, so a line may arrive as "a" + "\n". The 0.3 s sleep
    // guarantees a chunk boundary between the two lines, so "a\n" always ends on an event of its own.
    assertThat(runEvents).hasSizeGreaterThanOrEqualTo(4);
    assertThat(runEvents).extracting(e -> e.getLong("seq"))
        .containsExactlyElementsOf(LongStream.range(0, runEvents.size()).boxed().toList());
    assertThat(runEvents).extracting(e -> e.getString("exec_id")).containsOnly(execId);
    assertThat(runEvents.get(0).getString("type")).isEqualTo("start");
    assertThat(runEvents.get(runEvents.size() - 1).getString("type")).isEqualTo("exit");
    List<JsonObject> output = runEvents.subList(1, runEvents.size() - 1);
    assertThat(output).extracting(e -> e.getString("type")).containsOnly("stdout");
    List<String> stdoutSoFar = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    for (JsonObject e : output) {
      stdoutSoFar.add(text.append(e.getString("data")).toString());
    }
    assertThat(stdoutSoFar).contains("a\n").last().isEqualTo("a\nb\n");
    // streamed: the first line was on the bus while the run was still sleeping, before the reply
    int firstLineDone = stdoutSoFar.indexOf("a\n") + 1; // index in runEvents of the event ending "a\n"
    assertThat(arrival.indexOf("reply")).isGreaterThan(arrival.indexOf("stdout"));
    assertThat(arrival.subList(0, arrival.indexOf("reply"))).hasSizeGreaterThan(firstLineDone);
    // the exit event carries the same ExecutionResult as the reply
    assertThat(exitEvent.getJsonObject("result")).isEqualTo(result);

    // 4. destroy: the reply is {}, and the lifecycle event is published on <prefix>.events
    assertThat(request(PREFIX + "." + id, "destroy", new JsonObject())).isEqualTo(new JsonObject());
    JsonObject gone = await(destroyed.future());
    assertThat(gone.getString("sandbox_id")).isEqualTo(id);
    assertThat(gone.getString("name")).isEqualTo("bus-demo");
    assertThat(gone.getString("status")).isEqualTo("destroyed");
    assertThat(gone.getString("node_id")).isNotBlank();
    assertThat(gone.getString("timestamp")).endsWith("Z");
    assertThat(lifecycle).filteredOn(e -> id.equals(e.getString("sandbox_id")))
        .extracting(e -> e.getString("event")).containsExactly("created", "started", "stopped", "destroyed");

    // the sandbox's address is gone with it
    Throwable after = catchThrowable(() -> request(PREFIX + "." + id, "info", new JsonObject()));
    assertThat(after).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) after).failureType()).isEqualTo(ReplyFailure.NO_HANDLERS);
    await(events.unregister());
  }

  @Test
  void failuresAreReplyExceptionsWithTheHttpStatusAndTheErrorJson() {
    String id = request(MANAGER, "create", new JsonObject().put("auto_start", false)).getString("sandbox_id");

    // an unknown action, on the manager and on a sandbox: 400 invalid_request
    for (String address : List.of(MANAGER, PREFIX + "." + id)) {
      Throwable t = catchThrowable(() -> request(address, "no_such_action", new JsonObject()));
      assertThat(t).isInstanceOf(ReplyException.class);
      ReplyException re = (ReplyException) t;
      assertThat(re.failureType()).isEqualTo(ReplyFailure.RECIPIENT_FAILURE);
      assertThat(re.failureCode()).isEqualTo(400);
      JsonObject error = new JsonObject(re.getMessage()).getJsonObject("error");
      assertThat(error.getString("code")).isEqualTo("invalid_request");
      assertThat(error.getString("message")).contains("no_such_action");
      assertThat(error.getJsonObject("details")).isNotNull();
    }

    // a known action in the wrong state: 409 sandbox_not_running (exec on a sandbox never started)
    Throwable notRunning = catchThrowable(() -> request(PREFIX + "." + id, "exec",
        new JsonObject().put("request", new JsonObject().put("code", "print(1)"))));
    assertThat(((ReplyException) notRunning).failureCode()).isEqualTo(409);
    assertThat(new JsonObject(notRunning.getMessage()).getJsonObject("error").getString("code"))
        .isEqualTo("sandbox_not_running");

    // a sandbox that does not exist has no consumer at all: NO_HANDLERS
    Throwable unknown = catchThrowable(() -> request(PREFIX + ".sbx_unknown", "info", new JsonObject()));
    assertThat(unknown).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) unknown).failureType()).isEqualTo(ReplyFailure.NO_HANDLERS);

    // ...whereas the manager answers for an unknown id with 404 sandbox_not_found
    Throwable notFound = catchThrowable(() -> request(MANAGER, "get",
        new JsonObject().put("sandbox_id", "sbx_unknown")));
    assertThat(((ReplyException) notFound).failureCode()).isEqualTo(404);
    assertThat(new JsonObject(notFound.getMessage()).getJsonObject("error").getString("code"))
        .isEqualTo("sandbox_not_found");
  }

  /**
   * docs/event-bus.md, "Following a run from another application": a verticle that knows nothing of the
   * service's classes joins a run somebody else started (here: one waiting in {@code input()}), replays
   * what it missed with {@code get_events}, follows the rest live on the run's address, and answers the
   * prompt with a {@code stdin} message.
   */
  @Test
  void anotherApplicationJoinsARunReplaysWhatItMissedAndFeedsItsStdin() throws Exception {
    String id = request(MANAGER, "create", new JsonObject().put("name", "followed")).getString("sandbox_id");
    String sandbox = PREFIX + "." + id;
    String execId = "exe_followed00001";
    // somebody starts an interactive run (stdin_open) and does not wait for it
    JsonObject started = request(sandbox, "exec", new JsonObject().put("exec_id", execId).put("wait", false)
        .put("stdin_open", true).put("request", new JsonObject().put("language", "python")
            .put("code", "print('ready', flush=True)\nname = input()\nprint('hi', name)")));
    assertThat(started.getString("status")).isEqualTo("running");
    for (int i = 0; i < 100 && !request(sandbox, "get_execution", new JsonObject().put("exec_id", execId))
        .getString("stdout").contains("ready"); i++) {
      Thread.sleep(50);
    }

    // the other application: plain Vert.x, on the same bus
    Promise<List<JsonObject>> seen = Promise.promise();
    await(vertx.deployVerticle(new io.vertx.core.VerticleBase() {
      final List<JsonObject> events = new ArrayList<>();
      final List<JsonObject> early = new ArrayList<>();
      boolean replayed;
      long next;

      @Override
      public Future<?> start() {
        EventBus eb = vertx.eventBus();
        MessageConsumer<JsonObject> live = eb.consumer(sandbox + ".exec." + execId, m -> {
          if (replayed) {
            take(m.body());
          } else {
            early.add(m.body()); // came while the replay was on its way
          }
        });
        return live.completion()
            .compose(v -> eb.<JsonObject>request(sandbox, new JsonObject().put("exec_id", execId).put("from_seq", 0),
                action("get_events")))
            .onSuccess(reply -> {
              reply.body().getJsonArray("events").forEach(e -> take((JsonObject) e));
              replayed = true;
              early.forEach(this::take);
              eb.request(sandbox, new JsonObject().put("exec_id", execId).put("data", "bus\n").put("eof", true),
                  action("stdin"));
            });
      }

      private void take(JsonObject e) {
        long seq = e.getLong("seq");
        if (seq < next) {
          return; // delivered by the replay already
        }
        next = seq + 1;
        events.add(e);
        if ("exit".equals(e.getString("type"))) {
          seen.tryComplete(events);
        }
      }
    }));
    List<JsonObject> events = await(seen.future(), 30);
    assertThat(events.get(0).getString("type")).isEqualTo("start");
    assertThat(events.stream().map(e -> e.getLong("seq")).toList())
        .isEqualTo(LongStream.range(0, events.size()).boxed().toList());
    JsonObject result = events.get(events.size() - 1).getJsonObject("result");
    assertThat(result.getString("stdout")).isEqualTo("ready\nhi bus\n");
    assertThat(result.getString("status")).isEqualTo("success");
  }
}
