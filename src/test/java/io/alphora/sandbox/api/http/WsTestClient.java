package io.alphora.sandbox.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A WebSocket client for tests: frames land in a queue with their arrival time; the close code is kept. */
final class WsTestClient implements AutoCloseable {
  record Frame(JsonObject json, long nanos) {}

  // a WebSocketClient nothing references can be collected mid-handshake: keep it in a field
  private final WebSocketClient client;
  final WebSocket ws;
  final LinkedBlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
  final CompletableFuture<Short> closed = new CompletableFuture<>();

  private WsTestClient(WebSocketClient client, WebSocket ws) {
    this.client = client;
    this.ws = ws;
    ws.textMessageHandler(t -> frames.add(new Frame(new JsonObject(t), System.nanoTime())));
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
  }

  static WsTestClient open(Vertx vertx, int port, String uri, String bearer) {
    WebSocketClient c = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(64 << 20)
        .setMaxFrameSize(1 << 20));
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri);
    if (bearer != null) {
      o.addHeader("Authorization", "Bearer " + bearer);
    }
    try {
      // handlers are set in the completion callback, on the socket's event loop: nothing is missed
      return c.connect(o).map(ws -> new WsTestClient(c, ws)).toCompletionStage().toCompletableFuture()
          .get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("connect " + uri + ": " + e, e);
    }
  }

  void send(JsonObject frame) { ws.writeTextMessage(frame.encode()); }

  JsonObject next(long seconds) {
    try {
      Frame f = frames.poll(seconds, TimeUnit.SECONDS);
      if (f == null) {
        fail("no frame within " + seconds + " s");
      }
      return f.json();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Frames until (and including) the first that matches; fails after {@code seconds}. */
  List<Frame> until(Predicate<JsonObject> last, long seconds) {
    List<Frame> out = new ArrayList<>();
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        Frame f = frames.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
        if (f == null) {
          fail("no matching frame within " + seconds + " s; got " + out.stream().map(Frame::json).toList());
        }
        out.add(f);
        if (last.test(f.json())) {
          return out;
        }
      }
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  short awaitClose(long seconds) {
    try {
      return closed.get(seconds, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the socket was not closed within " + seconds + " s", e);
    }
  }

  static Predicate<JsonObject> exitOf(String execIdOrNull) {
    return j -> "exit".equals(j.getString("type")) && (execIdOrNull == null || execIdOrNull.equals(j.getString("exec_id")));
  }

  static JsonObject exec(String requestId, String code) {
    return new JsonObject().put("type", "exec").put("request_id", requestId).put("language", "python").put("code", code);
  }

  /** Checks one run's frames: start first with seq 0, seq +1 each, exit last; returns the joined stdout. */
  static String checkRun(List<JsonObject> run) {
    assertThat(run).isNotEmpty();
    assertThat(run.get(0).getString("type")).isEqualTo("start");
    for (int i = 0; i < run.size(); i++) {
      assertThat(run.get(i).getLong("seq")).as("seq of frame %d in %s", i, run).isEqualTo((long) i);
    }
    assertThat(run.get(run.size() - 1).getString("type")).isEqualTo("exit");
    StringBuilder out = new StringBuilder();
    run.stream().filter(j -> "stdout".equals(j.getString("type"))).forEach(j -> out.append(j.getString("data")));
    return out.toString();
  }

  @Override
  public void close() {
    ws.close();
    client.close();
  }
}
