package io.alphora.sandbox.api.http;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.CreateOptions;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.SnapshotInfo;
import io.alphora.sandbox.storage.Storage;
import io.vertx.core.json.JsonObject;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code manager.persist_files}: a workspace saved on stop and on idle cleanup comes back with
 * {@code get_or_create}; an explicit destroy deletes the saved copy. Also the Java API's storage
 * and snapshot methods, in-process and over the bus.
 */
class PersistFilesTest extends RestTestBase {
  static JsonObject serviceConfig() {
    return new JsonObject().put("manager", new JsonObject().put("persist_files", true));
  }

  private static SandboxManager manager() { return service.node().manager(); }

  @Test
  void idleCleanupSavesAndGetOrCreateRestores() {
    Sandbox s = await(manager().getOrCreate("persisted-1", CreateOptions.defaults()));
    byte[] bin = new byte[300_000];
    new Random(5).nextBytes(bin);
    await(s.writeFileBytes("out/result.bin", bin));
    await(s.writeFile("notes.txt", "remember me"));
    Res cleaned = post("/v1/manager/cleanup", new JsonObject().put("idle_seconds", 0));
    assertThat(cleaned.json().getInteger("cleaned")).isGreaterThanOrEqualTo(1);
    expectError(get("/v1/sandboxes/persisted-1"), 404, "sandbox_not_found");
    Storage storage = manager().storage();
    assertThat(await(storage.exists("workspaces/persisted-1.tar.gz"))).isTrue();

    Sandbox back = await(manager().getOrCreate("persisted-1", CreateOptions.defaults()));
    assertThat(await(back.readFileBytes("out/result.bin"))).isEqualTo(bin);
    assertThat(await(back.readFile("notes.txt"))).isEqualTo("remember me");

    await(back.writeFile("notes.txt", "changed"));
    assertThat(post("/v1/sandboxes/persisted-1/stop", null).status()).isEqualTo(200);
    assertThat(await(storage.info("workspaces/persisted-1.tar.gz")).size()).as("saved on stop").isPositive();
    await(back.destroy());
    assertThat(await(storage.exists("workspaces/persisted-1.tar.gz"))).as("destroy means gone").isFalse();
    Sandbox fresh = await(manager().getOrCreate("persisted-1", CreateOptions.defaults()));
    assertThat(await(fresh.fileExists("notes.txt"))).isFalse();
  }

  @Test
  void javaApiSnapshotsAndStorageInProcessAndOverTheBus() {
    Sandbox s = await(manager().create(CreateOptions.defaults()));
    await(s.writeFile("a/b.txt", "from the java api"));
    SnapshotInfo snap = await(s.snapshot("java/snap.tar.gz"));
    assertThat(snap.key()).isEqualTo("java/snap.tar.gz");
    assertThat(snap.files()).isEqualTo(1);
    Sandbox copy = await(manager().createFromSnapshot("java/snap.tar.gz", CreateOptions.defaults()));
    assertThat(await(copy.readFile("a/b.txt"))).isEqualTo("from the java api");

    Storage bus = SandboxManager.client(vertx).storage(); // the same store, reached over the event bus
    await(bus.putText("java/over-bus.txt", "bus"));
    assertThat(await(manager().storage().getText("java/over-bus.txt"))).isEqualTo("bus");
    assertThat(await(bus.list("java/", true, 10)).stream().map(o -> o.key()))
        .containsExactly("java/over-bus.txt", "java/snap.tar.gz");
    assertThat(await(bus.info("java/snap.tar.gz")).contentType()).isEqualTo("application/gzip");
    assertThat(await(bus.presign("java/over-bus.txt", io.vertx.core.http.HttpMethod.GET,
        java.time.Duration.ofMinutes(1))).url()).startsWith("http://127.0.0.1:" + service.port() + "/presigned/");
    assertThat(await(bus.describe()).type()).isEqualTo("local");
  }
}
