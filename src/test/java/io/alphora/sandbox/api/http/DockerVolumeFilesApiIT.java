package io.alphora.sandbox.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import io.alphora.sandbox.backend.docker.DockerTestSupport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The file API on Docker sandboxes whose workspace is a named volume ({@code docker.workspace:
 * volume}), against the shared local daemon: nothing of this host is mounted into the container, so
 * every byte that arrives (in the container, or back through the API) went through the Docker
 * archive API or the in-container helper; paths, limits and errors are those of a host workspace.
 * A warm pool of one serves the default-shape sandboxes whenever it has a container ready, so
 * these run on a warm container's volumes (recorded by the sandbox) as well as on id-named ones.
 */
class DockerVolumeFilesApiIT extends RestTestBase {
  static JsonObject serviceConfig() {
    DockerTestSupport.docker();
    return new JsonObject().put("backend_type", "docker").put("docker", new JsonObject()
        .put("image", DockerTestSupport.IMAGE).put("pool_size", 1).put("workspace", "volume"));
  }

  /** Hides the base class's: nothing may be left on the shared daemon. */
  @AfterAll
  static void stopService() throws Exception {
    java.nio.file.Path dir = base;
    post("/v1/manager/destroy-all", null);   // also what a failed test left
    RestTestBase.stopService();
    assertThat(DockerTestSupport.removeAll(dir)).as("containers left behind").isZero();
    assertThat(volumesOf(dir)).as("volumes left behind").isEmpty();
  }

  private static List<String> volumesOf(java.nio.file.Path dir) {
    var vs = DockerTestSupport.docker().listVolumesCmd()
        .withFilter("label", List.of("io.alphora.sandbox.base=" + dir)).exec().getVolumes();
    return vs == null ? List.of() : vs.stream().map(v -> v.getName()).toList();
  }

  /** The sandbox's container, by name (a warm one is renamed in the background once handed out). */
  private static Container containerOf(String id) throws InterruptedException {
    for (int i = 0; i < 50; i++) {
      var found = DockerTestSupport.containersOf(base).stream().filter(x -> x.getNames()[0].endsWith(id)).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no container named *" + id);
  }

  static Res putBytes(String path, byte[] data) {
    return send("PUT", path, HttpRequest.BodyPublishers.ofByteArray(data), "application/octet-stream");
  }

  private static String run(String id, String code) {
    JsonObject r = exec(id, new JsonObject().put("language", "python").put("code", code));
    assertThat(r.getBoolean("success")).as(r.encode()).isTrue();
    return r.getString("stdout");
  }

  @Test
  void filesGoThroughTheDaemonNotTheHost() throws InterruptedException {
    String id = create(new JsonObject());
    String s = "/v1/sandboxes/" + id;
    Container c = containerOf(id);
    InspectContainerResponse in = DockerTestSupport.docker().inspectContainerCmd(c.getId()).exec();
    assertThat(in.getHostConfig().getBinds()).as("no bind mount (the base path least of all)").isNullOrEmpty();
    assertThat(in.getMounts()).extracting(m -> m.getDestination().getPath()).contains("/workspace");
    assertThat(in.getMounts()).allSatisfy(m -> assertThat(m.getName()).as("named volumes only").isNotNull());

    // upload (streamed, several download pieces), replace, download, and the code sees it
    byte[] bin = new byte[3 * 1024 * 1024 + 17];
    new Random(1).nextBytes(bin);
    Res up = putBytes(s + "/files/data/blob.bin", bin);
    assertThat(up.status()).as(up.body()).isEqualTo(201);
    assertThat(up.json().getLong("size")).isEqualTo(bin.length);
    assertThat(putBytes(s + "/files/data/blob.bin", bin).status()).as("replacing answers 200").isEqualTo(200);
    assertThat(get(s + "/files/data/blob.bin").raw().body()).isEqualTo(bin);
    assertThat(run(id, "import hashlib; print(len(open('data/blob.bin','rb').read()))")).isEqualTo(bin.length + "\n");
    assertThat(call("PUT", s + "/files/hello.py", "print('hi')").status()).isEqualTo(201);
    assertThat(exec(id, new JsonObject().put("language", "python").put("file", "hello.py")).getString("stdout"))
        .isEqualTo("hi\n");
    run(id, "import os; os.makedirs('made/by', exist_ok=True); open('made/by/code.txt','w').write('from code')");
    assertThat(get(s + "/files/made/by/code.txt").body()).isEqualTo("from code");
    assertThat(run(id, "import os; print(os.stat('data/blob.bin').st_uid)")).as("owned by the sandbox user")
        .isEqualTo("65534\n");

    // list, info, copy, move, delete
    JsonArray root = get(s + "/files").json().getJsonArray("files");
    assertThat(root.getJsonObject(0).getBoolean("is_directory")).isTrue();
    assertThat(root.stream().map(o -> ((JsonObject) o).getString("name")).toList())
        .containsExactly("data", "made", "hello.py");
    assertThat(get(s + "/files?recursive=true&pattern=*.txt").json().getJsonArray("files").stream()
        .map(o -> ((JsonObject) o).getString("path")).toList()).containsExactly("made/by/code.txt");
    expectError(get(s + "/files?path=hello.py"), 409, "not_a_directory");
    expectError(get(s + "/files?path=missing"), 404, "file_not_found");
    assertThat(send("HEAD", s + "/files/hello.py", HttpRequest.BodyPublishers.noBody(), null).status()).isEqualTo(200);
    assertThat(send("HEAD", s + "/files/nope.py", HttpRequest.BodyPublishers.noBody(), null).status()).isEqualTo(404);
    Res copy = post(s + "/copy", new JsonObject().put("source", "data/blob.bin").put("dest", "copies/b.bin"));
    assertThat(copy.status()).as(copy.body()).isEqualTo(200);
    assertThat(get(s + "/files/copies/b.bin").raw().body()).isEqualTo(bin);
    Res move = post(s + "/move", new JsonObject().put("source", "copies/b.bin").put("dest", "moved.bin"));
    assertThat(move.status()).as(move.body()).isEqualTo(200);
    expectError(get(s + "/files/copies/b.bin"), 404, "file_not_found");
    assertThat(delete(s + "/files/moved.bin").status()).isEqualTo(204);
    expectError(delete(s + "/files/moved.bin"), 404, "file_not_found");
    assertThat(run(id, "import os; print(os.path.exists('moved.bin'), os.path.isdir('copies'))")).isEqualTo("False True\n");

    // refused paths, links planted by the code, and the size limit, with the host workspace's errors
    expectError(get(s + "/files/..%2Fetc%2Fpasswd"), 400, "path_traversal");
    run(id, "import os; os.symlink('/etc', 'etc_link'); os.symlink('/etc/passwd', 'pw')");
    expectError(get(s + "/files/etc_link/passwd"), 400, "path_traversal");
    expectError(call("PUT", s + "/files/etc_link/evil.txt", "x"), 400, "path_traversal");
    expectError(post(s + "/copy", new JsonObject().put("source", "pw").put("dest", "x")), 400, "path_traversal");
    expectError(get(s + "/files/data"), 409, "is_a_directory");
    expectError(get(s + "/files/nope.txt"), 404, "file_not_found");

    // a requirements file is read from the volume too (an option in it is refused before pip runs)
    call("PUT", s + "/files/requirements.txt", "# deps\n-e git+https://example.com/x\n");
    assertThat(expectError(post(s + "/packages", new JsonObject().put("requirements_file", "requirements.txt")),
        400, "invalid_request")).contains("requirements.txt line 2");

    JsonObject info = get(s).json();
    assertThat(info.getLong("file_count")).as(info.encode()).isGreaterThanOrEqualTo(5);
    assertThat(info.getDouble("total_size_mb")).isGreaterThanOrEqualTo(3.0);

    String volume = in.getMounts().stream().filter(m -> m.getDestination().getPath().equals("/workspace"))
        .findFirst().orElseThrow().getName();
    assertThat(volumesOf(base)).contains(volume);
    assertThat(delete(s).status()).isEqualTo(204);
    assertThat(volumesOf(base)).as("the sandbox's volumes go with it").doesNotContain(volume);
  }

  @Test
  void aStoppedSandboxKeepsItsFilesAndTheyStillWork() {
    String id = create(new JsonObject());
    String s = "/v1/sandboxes/" + id;
    assertThat(call("PUT", s + "/files/notes/a.txt", "one").status()).isEqualTo(201);
    assertThat(post(s + "/stop", null).status()).isEqualTo(200);
    // read and write through the archive API; list, copy and delete in a one-off container
    assertThat(get(s + "/files/notes/a.txt").body()).isEqualTo("one");
    assertThat(call("PUT", s + "/files/notes/b.txt", "two").status()).isEqualTo(201);
    assertThat(get(s + "/files?path=notes").json().getJsonArray("files").stream()
        .map(o -> ((JsonObject) o).getString("name")).toList()).containsExactly("a.txt", "b.txt");
    assertThat(delete(s + "/files/notes/a.txt").status()).isEqualTo(204);
    assertThat(post(s + "/start", null).status()).isEqualTo(200);
    assertThat(run(id, "import os; print(sorted(os.listdir('notes')), open('notes/b.txt').read())"))
        .isEqualTo("['b.txt'] two\n");
    assertThat(DockerTestSupport.containersOf(base)).as("the one-off containers are gone")
        .filteredOn(c -> !c.getNames()[0].contains("sbx_") && !c.getNames()[0].contains("-pool-")).isEmpty();
    assertThat(delete(s).status()).isEqualTo(204);
  }

  @Test
  void snapshotsReadTheVolumeAndRestoreIntoANewOne() {
    String id = create(new JsonObject());
    String s = "/v1/sandboxes/" + id;
    call("PUT", s + "/files/keep/a.txt", "kept");
    run(id, "open('by_code.txt', 'w').write('code')");
    Res snap = post(s + "/snapshots", new JsonObject().put("key", "snaps/volume.tar.gz"));
    assertThat(snap.status()).as(snap.body()).isEqualTo(201);
    assertThat(snap.json().getLong("files")).as(snap.body()).isEqualTo(2);
    String copy = create(new JsonObject().put("from_snapshot", "snaps/volume.tar.gz"));
    assertThat(get("/v1/sandboxes/" + copy + "/files/keep/a.txt").body()).isEqualTo("kept");
    assertThat(run(copy, "print(open('by_code.txt').read(), open('keep/a.txt').read())")).isEqualTo("code kept\n");
    assertThat(delete(s).status()).isEqualTo(204);
    assertThat(delete("/v1/sandboxes/" + copy).status()).isEqualTo(204);
  }

  /**
   * Packages live in the sandbox's site volume: listed and uninstalled through it, running or
   * stopped. (The package is put there by the sandbox's code, as pip would: no index is needed.)
   */
  @Test
  void packagesAreReadAndRemovedInTheSiteVolume() {
    String id = create(new JsonObject());
    String s = "/v1/sandboxes/" + id;
    run(id, String.join("\n",
        "import os, sys",
        "site = [p for p in sys.path if p.startswith('/opt/site-packages')][0]",
        "os.makedirs(site + '/tinypkg'); os.makedirs(site + '/tinypkg-1.0.dist-info')",
        "open(site + '/tinypkg/__init__.py', 'w').write('X = 42')",
        "open(site + '/tinypkg-1.0.dist-info/METADATA', 'w').write('Metadata-Version: 2.1\\nName: tinypkg\\n"
            + "Version: 1.0\\nSummary: tiny\\n\\nlong text')",
        "open(site + '/tinypkg-1.0.dist-info/RECORD', 'w').write('tinypkg/__init__.py,,\\n"
            + "tinypkg-1.0.dist-info/METADATA,,\\ntinypkg-1.0.dist-info/RECORD,,\\n')",
        "print(site)"));
    assertThat(run(id, "import tinypkg; print(tinypkg.X)")).isEqualTo("42\n");
    JsonArray pk = get(s + "/packages").json().getJsonArray("packages");
    assertThat(pk.size()).as(pk.encode()).isEqualTo(1);
    assertThat(pk.getJsonObject(0).getString("name")).isEqualTo("tinypkg");
    assertThat(pk.getJsonObject(0).getString("location")).isEqualTo("/opt/site-packages/lib");
    assertThat(post(s + "/stop", null).status()).isEqualTo(200);
    assertThat(get(s + "/packages/tinypkg").json().getString("version")).as("stopped: read in a one-off container")
        .isEqualTo("1.0");
    assertThat(post(s + "/start", null).status()).isEqualTo(200);
    Res gone = delete(s + "/packages/tinypkg");
    assertThat(gone.status()).as(gone.body()).isEqualTo(200);
    expectError(get(s + "/packages/tinypkg"), 404, "package_not_found");
    assertThat(run(id, "import os; print(os.listdir('/opt/site-packages/lib'))")).isEqualTo("[]\n");
    assertThat(delete(s).status()).isEqualTo(204);
  }

  @Test
  void theFileSizeLimitHolds() {
    String id = create(new JsonObject().put("resource_limits", new JsonObject().put("max_file_size", 1000)));
    String s = "/v1/sandboxes/" + id;
    expectError(putBytes(s + "/files/big.bin", new byte[2000]), 413, "payload_too_large");
    expectError(get(s + "/files/big.bin"), 404, "file_not_found");
    assertThat(putBytes(s + "/files/small.bin", new byte[900]).status()).isEqualTo(201);
    assertThat(delete(s).status()).isEqualTo(204);
  }

  @Test
  void resetGivesAnEmptyWorkspaceVolume() {
    String id = create(new JsonObject());
    String s = "/v1/sandboxes/" + id;
    call("PUT", s + "/files/old.txt", "old");
    Res reset = post(s + "/reset", null);
    assertThat(reset.status()).as(reset.body()).isEqualTo(200);
    expectError(get(s + "/files/old.txt"), 404, "file_not_found");
    assertThat(run(id, "import os; print(os.listdir('.'))")).isEqualTo("[]\n");
    call("PUT", s + "/files/again.txt", "x");
    assertThat(post(s + "/stop", null).status()).isEqualTo(200);
    assertThat(post(s + "/reset", null).status()).isEqualTo(200);
    assertThat(volumesOf(base)).as("reset while stopped: the old volumes go at once").filteredOn(v -> v.contains(id))
        .isEmpty();
    assertThat(expectError(get(s + "/files/again.txt"), 409, "sandbox_not_running")).contains("start it first");
    assertThat(post(s + "/start", null).status()).isEqualTo(200);
    expectError(get(s + "/files/again.txt"), 404, "file_not_found");
    assertThat(delete(s).status()).isEqualTo(204);
    assertThat(volumesOf(base)).filteredOn(v -> v.contains(id)).isEmpty();
  }
}
