package io.alphora.sandbox.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Server-Sent Events: {@code POST …/executions} with {@code Accept: text/event-stream}, and attaching to a run. */
class SseApiTest extends RestTestBase {

  record Event(long id, JsonObject json, long nanos) {}

  record Stream0(int status, String contentType, List<Event> events, String raw) {}

  @AfterEach
  void cleanUp() { post("/v1/manager/destroy-all", null); }

  /** Reads a whole SSE response, keeping each event's arrival time. */
  static Stream0 sse(String method, String path, JsonObject body, String lastEventId) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
        .timeout(Duration.ofSeconds(60)).header("Accept", "text/event-stream")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<Stream<String>> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofLines());
    List<Event> events = new ArrayList<>();
    StringBuilder raw = new StringBuilder();
    long[] id = {-1};
    r.body().forEach(line -> {
      raw.append(line).append('\n');
      if (line.startsWith("id: ")) {
        id[0] = Long.parseLong(line.substring(4));
      } else if (line.startsWith("data: ")) {
        events.add(new Event(id[0], new JsonObject(line.substring(6)), System.nanoTime()));
      }
    });
    return new Stream0(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), events, raw.toString());
  }

  @Test
  void postWithAcceptEventStreamStreamsTheRunLive() throws Exception {
    String id = create(new JsonObject());
    Stream0 s = sse("POST", "/v1/sandboxes/" + id + "/executions", new JsonObject().put("language", "python")
        .put("code", "import sys, time\nprint('first', flush=True)\ntime.sleep(1.2)\nprint('oops', file=sys.stderr)\n"
            + "print('second')").put("request_id", "req-1"), null);
    assertThat(s.status()).as(s.raw()).isEqualTo(200);
    assertThat(s.contentType()).startsWith("text/event-stream");
    List<JsonObject> events = s.events().stream().map(Event::json).toList();
    assertThat(WsTestClient.checkRun(events)).isEqualTo("first\nsecond\n");
    assertThat(events.get(0).getString("request_id")).isEqualTo("req-1");
    assertThat(events).anyMatch(e -> "stderr".equals(e.getString("type")) && e.getString("data").contains("oops"));
    for (Event e : s.events()) {
      assertThat(e.id()).as("the SSE id is the event's seq").isEqualTo(e.json().getLong("seq"));
    }
    Event first = s.events().stream().filter(e -> e.json().getString("data", "").contains("first")).findFirst().orElseThrow();
    Event exit = s.events().get(s.events().size() - 1);
    assertThat((exit.nanos() - first.nanos()) / 1e9).as("'first' arrived while the run went on").isGreaterThan(0.8);
    JsonObject result = exit.json().getJsonObject("result");
    assertThat(result.getString("status")).isEqualTo("success");
    assertThat(result.getString("stderr")).isEqualTo("oops\n");
  }

  @Test
  void errorsBeforeTheRunStartsAreOrdinaryJsonErrors() throws Exception {
    Stream0 missing = sse("POST", "/v1/sandboxes/sbx_nosuchsandbox0000000/executions",
        new JsonObject().put("code", "print(1)"), null);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.raw()).contains("sandbox_not_found");
    String id = create(new JsonObject());
    Stream0 bad = sse("POST", "/v1/sandboxes/" + id + "/executions", new JsonObject().put("language", "cobol")
        .put("code", "x"), null);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.raw()).contains("invalid_request");
    Stream0 unknown = sse("GET", "/v1/sandboxes/" + id + "/executions/exe_neverstarted01/events", null, null);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.raw()).contains("execution_not_found");
    Stream0 badSeq = sse("GET", "/v1/sandboxes/" + id + "/executions/exe_neverstarted01/events?from_seq=x", null, null);
    assertThat(badSeq.status()).isEqualTo(400);
  }

  @Test
  void attachToARunningRunReplaysFromSeqThenFollowsIt() throws Exception {
    String id = create(new JsonObject());
    String exec = "exe_sseattach0001";
    CompletableFuture<Res> plain = CompletableFuture.supplyAsync(() -> post("/v1/sandboxes/" + id + "/executions",
        new JsonObject().put("exec_id", exec).put("code", "import time\nfor i in range(6):\n    print('tick', i, flush=True)\n"
            + "    time.sleep(0.3)")));
    // wait until the run has printed something, then attach from the beginning
    for (int i = 0; i < 100; i++) {
      Res r = get("/v1/sandboxes/" + id + "/executions/" + exec);
      if (r.status() == 200 && r.json().getString("stdout").contains("tick 1")) {
        break;
      }
      Thread.sleep(50);
    }
    Stream0 all = sse("GET", "/v1/sandboxes/" + id + "/executions/" + exec + "/events", null, null);
    assertThat(all.status()).isEqualTo(200);
    List<JsonObject> events = all.events().stream().map(Event::json).toList();
    assertThat(WsTestClient.checkRun(events)).as("replayed start and early ticks, then live ones, no gap, no duplicate")
        .isEqualTo("tick 0\ntick 1\ntick 2\ntick 3\ntick 4\ntick 5\n");
    assertThat(plain.get().json().getString("stdout")).isEqualTo("tick 0\ntick 1\ntick 2\ntick 3\ntick 4\ntick 5\n");

    // a finished run: still replayable from any seq (query or Last-Event-ID), ending with its exit
    Stream0 from3 = sse("GET", "/v1/sandboxes/" + id + "/executions/" + exec + "/events?from_seq=3", null, null);
    assertThat(from3.events().get(0).json().getLong("seq")).isEqualTo(3L);
    assertThat(from3.events().stream().map(e -> e.json().encode()).toList())
        .isEqualTo(events.subList(3, events.size()).stream().map(JsonObject::encode).toList());
    Stream0 resumed = sse("GET", "/v1/sandboxes/" + id + "/executions/" + exec + "/events", null,
        String.valueOf(events.size() - 2));
    assertThat(resumed.events()).hasSize(1);
    assertThat(resumed.events().get(0).json().getString("type")).isEqualTo("exit");
  }
}
