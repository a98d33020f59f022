package io.alphora.sandbox.api.http;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.TestSupport;
import io.alphora.sandbox.app.Main;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Starts the whole service (manager, local backend, HTTP on a free port) once per test class. */
abstract class RestTestBase {
  static Vertx vertx;
  static Main.Started service;
  static Path base;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * Starts the service; a test class may declare {@code static JsonObject serviceConfig()} to merge
   * extra settings over the test defaults.
   */
  @BeforeAll
  static void startService(org.junit.jupiter.api.TestInfo info) throws Exception {
    JsonObject extra = new JsonObject();
    Class<?> cls = info.getTestClass().orElseThrow();
    try {
      java.lang.reflect.Method m = cls.getDeclaredMethod("serviceConfig");
      m.setAccessible(true);
      extra = (JsonObject) m.invoke(null);
    } catch (NoSuchMethodException none) {
      // defaults only
    }
    base = Files.createTempDirectory("alphora-rest-");
    vertx = Vertx.vertx();
    JsonObject cfg = new JsonObject().put("http", new JsonObject().put("port", 0)).mergeIn(extra, true);
    service = await(Main.start(vertx, TestSupport.config(base, cfg)));
  }

  @AfterAll
  static void stopService() throws Exception {
    apiKey = null;
    await(service.node().manager().shutdown());
    await(vertx.close());
    io.alphora.sandbox.workspace.Workspace.deleteTree(base);
  }

  record Res(int status, String body, HttpResponse<byte[]> raw) {
    JsonObject json() { return new JsonObject(body); }

    String errorCode() { return json().getJsonObject("error").getString("code"); }

    String header(String name) { return raw.headers().firstValue(name).orElse(null); }
  }

  static Res call(String method, String path, String body) {
    return send(method, path, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body), "application/json");
  }

  /** The API key sent with every request, when a test class configures keys. */
  static String apiKey;

  static Res send(String method, String path, HttpRequest.BodyPublisher body, String contentType) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
          .timeout(Duration.ofSeconds(120)).method(method, body);
      if (apiKey != null) {
        b.header("Authorization", "Bearer " + apiKey);
      }
      if (contentType != null) {
        b.header("Content-Type", contentType);
      }
      HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Res(r.statusCode(), new String(r.body(), java.nio.charset.StandardCharsets.UTF_8), r);
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + path + ": " + e, e);
    }
  }

  static Res get(String path) { return call("GET", path, null); }

  static Res post(String path, JsonObject body) { return call("POST", path, body == null ? null : body.encode()); }

  static Res put(String path, JsonObject body) { return call("PUT", path, body.encode()); }

  static Res delete(String path) { return call("DELETE", path, null); }

  /** Asserts the status and the API's error body with the expected code; returns the message. */
  static String expectError(Res r, int status, String code) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    JsonObject err = r.json().getJsonObject("error");
    assertThat(err.getString("code")).as(r.body()).isEqualTo(code);
    assertThat(err.getString("message")).isNotBlank();
    assertThat(err.getJsonObject("details")).isNotNull();
    return err.getString("message");
  }

  static String create(JsonObject body) {
    Res r = post("/v1/sandboxes", body);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().getString("sandbox_id");
  }

  static JsonObject exec(String id, JsonObject body) {
    Res r = post("/v1/sandboxes/" + id + "/executions", body);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }
}
