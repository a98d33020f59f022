package io.alphora.sandbox.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@code /v1/storage} through HTTP on local storage, including the presigned URLs this service serves. */
class StorageApiTest extends RestTestBase {

  static Res putBytes(String path, byte[] data, String type) {
    return send("PUT", path, HttpRequest.BodyPublishers.ofByteArray(data), type);
  }

  @Test
  void putGetHeadDeleteStreamBothWays() throws Exception {
    byte[] bin = new byte[12 * 1024 * 1024 + 5]; // larger than http.max_body_bytes: the body is streamed
    new Random(3).nextBytes(bin);
    Res up = putBytes("/v1/storage/objects/api/data/blob.bin", bin, "application/x-blob");
    assertThat(up.status()).as(up.body()).isEqualTo(200);
    JsonObject o = up.json();
    assertThat(o.getString("key")).isEqualTo("api/data/blob.bin");
    assertThat(o.getLong("size")).isEqualTo(bin.length);
    assertThat(o.getString("content_type")).isEqualTo("application/x-blob");
    assertThat(o.getString("etag")).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bin)));
    assertThat(o.getString("last_modified")).endsWith("Z");
    Res down = get("/v1/storage/objects/api/data/blob.bin");
    assertThat(down.status()).isEqualTo(200);
    assertThat(down.raw().body()).isEqualTo(bin);
    assertThat(down.header("Content-Type")).isEqualTo("application/x-blob");
    assertThat(down.header("ETag")).isEqualTo("\"" + o.getString("etag") + "\"");
    assertThat(send("HEAD", "/v1/storage/objects/api/data/blob.bin", HttpRequest.BodyPublishers.noBody(), null)
        .status()).isEqualTo(200);
    assertThat(send("HEAD", "/v1/storage/objects/api/none", HttpRequest.BodyPublishers.noBody(), null).status())
        .isEqualTo(404);
    Res form = call("PUT", "/v1/storage/objects/api/notes%20v1.json", "{\"a\":1}"); // curl's default form type
    assertThat(form.json().getString("content_type")).as("guessed from the key").isEqualTo("application/json");
    assertThat(form.json().getString("key")).isEqualTo("api/notes v1.json");
    assertThat(delete("/v1/storage/objects/api/notes%20v1.json").status()).isEqualTo(204);
    expectError(delete("/v1/storage/objects/api/notes%20v1.json"), 404, "object_not_found");
    expectError(get("/v1/storage/objects/api/none"), 404, "object_not_found");
  }

  @Test
  void metadataHeadersAndBadKeys() throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port()
        + "/v1/storage/objects/meta/x.txt")).header("X-Meta-Owner", "bob").PUT(HttpRequest.BodyPublishers.ofString("x"))
        .build();
    HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    assertThat(new JsonObject(r.body()).getJsonObject("metadata").getString("owner")).isEqualTo("bob");
    assertThat(get("/v1/storage/objects/meta/x.txt").header("X-Meta-owner")).isEqualTo("bob");
    expectError(call("PUT", "/v1/storage/objects/a/%2E%2E/b", "x"), 400, "invalid_request");
    expectError(call("PUT", "/v1/storage/objects/a//b", "x"), 400, "invalid_request");
    expectError(call("PUT", "/v1/storage/objects/a%00b", "x"), 400, "invalid_request");
    expectError(get("/v1/storage/objects/a/"), 400, "invalid_request");
    expectError(get("/v1/storage/objects?max_keys=0"), 400, "invalid_request");
    expectError(get("/v1/storage/objects?max_keys=x"), 400, "invalid_request");
  }

  @Test
  void listingFoldsDirectoriesAndSaysWhenCut() {
    for (String k : new String[] {"ls/myfile.txt", "ls/my/dir/x", "ls/my/y", "ls/mz"}) {
      assertThat(call("PUT", "/v1/storage/objects/" + k, k).status()).isEqualTo(200);
    }
    JsonObject folded = get("/v1/storage/objects?prefix=ls/my").json();
    assertThat(keys(folded.getJsonArray("objects"))).containsExactly("ls/my/", "ls/myfile.txt");
    assertThat(folded.getJsonArray("objects").getJsonObject(0).getBoolean("is_directory")).isTrue();
    assertThat(folded.getBoolean("truncated")).isFalse();
    assertThat(keys(get("/v1/storage/objects?prefix=ls/my&recursive=true").json().getJsonArray("objects")))
        .containsExactly("ls/my/dir/x", "ls/my/y", "ls/myfile.txt");
    JsonObject cut = get("/v1/storage/objects?prefix=ls/&recursive=true&max_keys=2").json();
    assertThat(keys(cut.getJsonArray("objects"))).containsExactly("ls/my/dir/x", "ls/my/y");
    assertThat(cut.getBoolean("truncated")).isTrue();
  }

  private static java.util.List<String> keys(JsonArray a) {
    return a.stream().map(o -> ((JsonObject) o).getString("key")).toList();
  }

  @Test
  void presignedUrlsNeedNoKeyAndRefuseTampering() throws Exception {
    call("PUT", "/v1/storage/objects/share/report.txt", "shared");
    Res p = post("/v1/storage/presign", new JsonObject().put("key", "share/report.txt").put("expires_in", 60));
    assertThat(p.status()).as(p.body()).isEqualTo(200);
    String url = p.json().getString("url");
    assertThat(url).startsWith("http://127.0.0.1:" + service.port() + "/presigned/share/report.txt?");
    assertThat(p.json().getString("expires_at")).endsWith("Z");
    HttpResponse<String> ok = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("shared");
    String forged = url.replace("expires=", "expires=9");
    HttpResponse<String> bad = HTTP.send(HttpRequest.newBuilder(URI.create(forged)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(bad.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(bad.body()).getJsonObject("error").getString("code")).isEqualTo("unauthorized");
    Res putUrl = post("/v1/storage/presign", new JsonObject().put("key", "share/in.bin").put("method", "PUT"));
    HttpResponse<String> up = HTTP.send(HttpRequest.newBuilder(URI.create(putUrl.json().getString("url")))
        .PUT(HttpRequest.BodyPublishers.ofString("via presigned put")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
    assertThat(get("/v1/storage/objects/share/in.bin").body()).isEqualTo("via presigned put");
    expectError(post("/v1/storage/presign", new JsonObject().put("key", "x").put("method", "DELETE")), 400,
        "invalid_request");
    expectError(post("/v1/storage/presign", new JsonObject().put("key", "x").put("expires_in", 0)), 400,
        "invalid_request");
    expectError(post("/v1/storage/presign", new JsonObject().put("key", "x").put("ttl", 5)), 400, "invalid_request");
  }

  @Test
  void infoAndReadinessIncludeTheStore() {
    JsonObject info = get("/v1/storage/info").json();
    assertThat(info.getString("type")).isEqualTo("local");
    assertThat(info.getString("root")).isEqualTo(base.resolve("storage").toString());
    assertThat(info.getBoolean("healthy")).isTrue();
    assertThat(info.fieldNames()).doesNotContain("access_key", "secret_key", "bucket");
    JsonObject ready = get("/ready").json();
    assertThat(ready.getJsonObject("checks").getBoolean("storage")).isTrue();
  }
}
