package io.alphora.sandbox.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Files of a workspace through HTTP, including hostile paths and the size limit. */
class FilesApiTest extends RestTestBase {

  static Res putBytes(String path, byte[] data) {
    return send("PUT", path, HttpRequest.BodyPublishers.ofByteArray(data), "application/octet-stream");
  }

  @Test
  void uploadDownloadListCopyMoveDelete() throws Exception {
    String id = create(new JsonObject());
    String s = "/v1/sandboxes/" + id;
    byte[] bin = new byte[3 * 1024 * 1024 + 17];
    new Random(1).nextBytes(bin);
    Res up = putBytes(s + "/files/data/blob.bin", bin);
    assertThat(up.status()).as(up.body()).isEqualTo(201);
    assertThat(up.json().getString("path")).isEqualTo("data/blob.bin");
    assertThat(up.json().getLong("size")).isEqualTo(bin.length);
    assertThat(putBytes(s + "/files/data/blob.bin", bin).status()).as("replacing answers 200").isEqualTo(200);
    Res down = get(s + "/files/data/blob.bin");
    assertThat(down.status()).isEqualTo(200);
    assertThat(down.raw().body()).isEqualTo(bin);
    assertThat(down.header("Content-Type")).isEqualTo("application/octet-stream");
    assertThat(call("PUT", s + "/files/hello.py", "print('hi')").status()).isEqualTo(201);
    assertThat(get(s + "/files/hello.py").header("Content-Type")).contains("python");
    assertThat(call("PUT", s + "/files/name%20with%20space.txt", "x").json().getString("name"))
        .isEqualTo("name with space.txt");
    assertThat(send("HEAD", s + "/files/hello.py", HttpRequest.BodyPublishers.noBody(), null).status()).isEqualTo(200);
    assertThat(send("HEAD", s + "/files/nope.py", HttpRequest.BodyPublishers.noBody(), null).status()).isEqualTo(404);

    JsonArray root = get(s + "/files").json().getJsonArray("files");
    assertThat(root.getJsonObject(0).getString("name")).isEqualTo("data");
    assertThat(root.getJsonObject(0).getBoolean("is_directory")).isTrue();
    JsonObject hello = root.stream().map(JsonObject.class::cast).filter(f -> f.getString("name").equals("hello.py"))
        .findFirst().orElseThrow();
    assertThat(hello.getString("file_type")).isEqualTo("python");
    assertThat(hello.getString("size_human")).isEqualTo("11.0 B");
    assertThat(hello.getString("modified_time")).endsWith("Z");
    JsonArray rec = get(s + "/files?recursive=true&pattern=*.bin").json().getJsonArray("files");
    assertThat(rec).hasSize(1);
    assertThat(rec.getJsonObject(0).getString("path")).isEqualTo("data/blob.bin");
    assertThat(get(s + "/files?path=data").json().getJsonArray("files")).hasSize(1);
    expectError(get(s + "/files?path=hello.py"), 409, "not_a_directory");
    expectError(get(s + "/files?path=missing"), 404, "file_not_found");
    expectError(get(s + "/files?recursive=maybe"), 400, "invalid_request");

    Res copy = post(s + "/copy", new JsonObject().put("source", "data/blob.bin").put("dest", "copies/b.bin"));
    assertThat(copy.status()).as(copy.body()).isEqualTo(200);
    assertThat(get(s + "/files/copies/b.bin").raw().body()).isEqualTo(bin);
    Res move = post(s + "/move", new JsonObject().put("source", "copies/b.bin").put("dest", "moved.bin"));
    assertThat(move.json().getString("path")).isEqualTo("moved.bin");
    expectError(get(s + "/files/copies/b.bin"), 404, "file_not_found");
    expectError(post(s + "/copy", new JsonObject().put("source", "nope").put("dest", "x")), 404, "file_not_found");
    expectError(post(s + "/copy", new JsonObject().put("source", "moved.bin")), 400, "invalid_request");
    expectError(get(s + "/files/data"), 409, "is_a_directory");

    JsonObject ran = exec(id, new JsonObject().put("code", "print(len(open('moved.bin','rb').read()))"));
    assertThat(ran.getString("stdout")).isEqualTo(bin.length + "\n");
    assertThat(delete(s + "/files/moved.bin").status()).isEqualTo(204);
    expectError(delete(s + "/files/moved.bin"), 404, "file_not_found");
    assertThat(delete(s + "/files/data").status()).as("directories are removed recursively").isEqualTo(204);
    delete(s);
  }

  @Test
  void hostilePathsAreRefused() throws Exception {
    Path outside = Files.createTempFile("alphora-host-", ".txt");
    Files.writeString(outside, "host secret");
    String id = create(new JsonObject());
    String s = "/v1/sandboxes/" + id;
    exec(id, new JsonObject().put("code", "import os\nos.symlink('/etc', 'etc_link')\nos.symlink('" + outside
        + "', 'secret_link')\nos.mkdir('d')\nos.symlink('" + outside.getParent() + "', 'd/up')"));
    for (String p : new String[] {"..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "a%2F..%2F..%2Fx", "etc_link/passwd",
        "secret_link", "d/up/" + outside.getFileName()}) {
      expectError(get(s + "/files/" + p), 400, "path_traversal");
      expectError(call("PUT", s + "/files/" + p, "pwned"), 400, "path_traversal");
    }
    expectError(get(s + "/files?path=etc_link"), 400, "path_traversal");
    expectError(get(s + "/files?path=..%2F.."), 400, "path_traversal");
    expectError(post(s + "/copy", new JsonObject().put("source", "secret_link").put("dest", "stolen.txt")), 400,
        "path_traversal");
    expectError(post(s + "/copy", new JsonObject().put("source", "hello").put("dest", "../../x")), 400,
        "path_traversal");
    expectError(post(s + "/move", new JsonObject().put("source", "d").put("dest", "/tmp/x")), 400, "path_traversal");
    assertThat(delete(s + "/files/secret_link").status()).as("deleting a link removes the link only").isEqualTo(204);
    assertThat(Files.readString(outside)).isEqualTo("host secret");
    expectError(delete(s + "/files/d%2Fup%2F" + outside.getFileName()), 400, "path_traversal");
    assertThat(Files.exists(outside)).isTrue();
    expectError(get(s + "/files/a%00b"), 400, "invalid_request");
    Files.delete(outside);
    delete(s);
  }

  @Test
  void uploadsOverTheLimitAreRefusedAndLeaveNothing() {
    String id = create(new JsonObject().put("resource_limits", new JsonObject().put("max_file_size", 1000)));
    String s = "/v1/sandboxes/" + id;
    expectError(putBytes(s + "/files/big.bin", new byte[5000]), 413, "payload_too_large");
    assertThat(send("HEAD", s + "/files/big.bin", HttpRequest.BodyPublishers.noBody(), null).status()).isEqualTo(404);
    // without a Content-Length the limit is enforced while streaming
    Res chunked = send("PUT", s + "/files/big2.bin", HttpRequest.BodyPublishers.ofInputStream(
        () -> new java.io.ByteArrayInputStream(new byte[200_000])), "application/octet-stream");
    expectError(chunked, 413, "payload_too_large");
    assertThat(send("HEAD", s + "/files/big2.bin", HttpRequest.BodyPublishers.noBody(), null).status()).isEqualTo(404);
    assertThat(putBytes(s + "/files/ok.bin", new byte[1000]).status()).isEqualTo(201);
    assertThat(base.resolve("tmp").toFile().list()).as("no staging file is left").isEmpty();
    delete(s);
  }
}
