package io.alphora.sandbox.backend.docker;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.backend.SandboxBackendContract;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend contract on the Docker backend with the runner driven over the container's attached
 * stdin/stdout ({@code docker.runner_channel: attach}, what a remote daemon uses).
 */
class DockerAttachContractIT extends SandboxBackendContract {
  @TempDir
  Path base;
  private Vertx vertx;

  @Override
  protected SandboxManager manager() {
    vertx = Vertx.vertx();
    return await(SandboxManager.deploy(vertx, DockerTestSupport.config(base, 1,
        new JsonObject().put("docker", new JsonObject().put("runner_channel", "attach")))));
  }

  @Override
  protected void closeManager() {
    await(manager.shutdown());
    await(vertx.close());
    assertThat(DockerTestSupport.removeAll(base)).as("containers left after destroy and shutdown").isZero();
  }
}
