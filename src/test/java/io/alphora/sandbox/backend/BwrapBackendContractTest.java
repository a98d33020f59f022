package io.alphora.sandbox.backend;

import static io.alphora.sandbox.TestSupport.await;

import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.TestSupport;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The backend contract on the local backend with every runner confined by bubblewrap. */
class BwrapBackendContractTest extends SandboxBackendContract {
  @TempDir
  Path base;
  private Vertx vertx;

  @Override
  protected SandboxManager manager() {
    vertx = Vertx.vertx();
    return await(SandboxManager.deploy(vertx, TestSupport.config(base, TestSupport.bwrap())));
  }

  @Override
  protected void closeManager() {
    await(manager.shutdown());
    await(vertx.close());
  }
}
