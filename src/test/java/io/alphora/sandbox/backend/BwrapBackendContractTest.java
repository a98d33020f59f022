package io.alphora.sandbox.backend;

import static io.alphora.sandbox.TestSupport.await;

import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The backend contract on the local backend with every runner confined by bubblewrap. */
class BwrapBackendContractTest extends SandboxBackendContract {
  @TempDir
  Path base;
  private Vertx vertx;

  /** A config with local.isolation = bwrap; fails (never skips) when bubblewrap is missing. */
  static JsonObject bwrapConfig() {
    if (!java.nio.file.Files.isExecutable(Path.of("/usr/bin/bwrap"))) {
      throw new IllegalStateException("these tests need bubblewrap: apt-get install -y bubblewrap");
    }
    return new JsonObject().put("local", new JsonObject().put("isolation", "bwrap"));
  }

  @Override
  protected SandboxManager manager() {
    vertx = Vertx.vertx();
    return await(SandboxManager.deploy(vertx, TestSupport.config(base, bwrapConfig())));
  }

  @Override
  protected void closeManager() {
    await(manager.shutdown());
    await(vertx.close());
  }
}
