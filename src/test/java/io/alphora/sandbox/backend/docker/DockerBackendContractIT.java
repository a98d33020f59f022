package io.alphora.sandbox.backend.docker;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.backend.SandboxBackendContract;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The backend contract on the Docker backend: one hardened container per sandbox, runner inside. */
class DockerBackendContractIT extends SandboxBackendContract {
  @TempDir
  Path base;
  private Vertx vertx;

  @Override
  protected SandboxManager manager() {
    vertx = Vertx.vertx();
    return await(SandboxManager.deploy(vertx, DockerTestSupport.config(base, 1, null)));
  }

  @Override
  protected void closeManager() {
    await(manager.shutdown());
    await(vertx.close());
    int leaked = DockerTestSupport.removeAll(base);
    assertThat(leaked).as("containers left after destroy and shutdown").isZero();
  }
}
