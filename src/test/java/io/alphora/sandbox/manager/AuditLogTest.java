package io.alphora.sandbox.manager;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.alphora.sandbox.CreateOptions;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.SecurityPolicy;
import io.alphora.sandbox.TestSupport;
import io.alphora.sandbox.bus.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** audit_enabled: a JSONL line and a bus event per operation, with tenant, sandbox, action and outcome. */
class AuditLogTest {
  @TempDir
  Path base;

  @Test
  void everyOperationOfAnAuditedSandboxIsRecorded() throws Exception {
    Vertx vertx = Vertx.vertx();
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    await(vertx.eventBus().<JsonObject>consumer(Addresses.defaults().audit(), m -> events.add(m.body()))
        .completion());
    SandboxManager m = await(SandboxManager.deploy(vertx, TestSupport.config(base, null)));
    Sandbox audited = await(m.create(CreateOptions.defaults()));
    SecurityPolicy quiet = new SecurityPolicy(true, false, true, false, List.of(), List.of(), List.of(), List.of(),
        100, 1000, false, false);
    Sandbox unaudited = await(m.create(CreateOptions.defaults().withSecurityPolicy(quiet)));
    await(audited.executeCode("print(1)"));
    await(audited.writeFile("a.txt", "x"));
    catchThrowable(() -> await(audited.readFile("missing.txt")));
    await(unaudited.executeCode("print(2)"));
    await(m.shutdown());
    await(vertx.close());

    List<JsonObject> lines = Files.readAllLines(base.resolve("audit.jsonl")).stream().map(JsonObject::new).toList();
    assertThat(lines).anySatisfy(l -> {
      assertThat(l.getString("sandbox_id")).isEqualTo(audited.id());
      assertThat(l.getString("action")).isEqualTo("exec");
      assertThat(l.getString("outcome")).isEqualTo("ok");
      assertThat(l.getString("ts")).endsWith("Z");
    });
    assertThat(lines).anySatisfy(l -> {
      assertThat(l.getString("action")).isEqualTo("read_file");
      assertThat(l.getString("outcome")).isEqualTo("error");
      assertThat(l.getString("error_code")).isEqualTo("file_not_found");
    });
    assertThat(lines).anySatisfy(l -> assertThat(l.getString("action")).isEqualTo("create"));
    assertThat(lines).noneSatisfy(l -> assertThat(l.getString("sandbox_id")).isEqualTo(unaudited.id()));
    assertThat(events).extracting(e -> e.getString("action")).contains("exec", "write_file", "read_file");
  }
}
