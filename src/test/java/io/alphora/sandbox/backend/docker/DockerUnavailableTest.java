package io.alphora.sandbox.backend.docker;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alphora.sandbox.BackendType;
import io.alphora.sandbox.CreateOptions;
import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.TestSupport;
import io.alphora.sandbox.config.SandboxConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No daemon at the configured address: a clear 503 saying how to get one (needs no Docker). */
class DockerUnavailableTest {
  @TempDir
  Path base;
  Vertx vertx = Vertx.vertx();

  @AfterEach
  void tearDown() { await(vertx.close()); }

  private SandboxConfig config() {
    return TestSupport.config(base, new JsonObject().put("docker",
        new JsonObject().put("docker_host", "unix://" + base.resolve("no-docker.sock"))));
  }

  @Test
  void creatingADockerSandboxFailsWithHowToFixIt() {
    SandboxManager m = await(SandboxManager.deploy(vertx, config()));
    try {
      assertThatThrownBy(() -> await(m.create(CreateOptions.defaults().withBackend(BackendType.DOCKER))))
          .isInstanceOf(SandboxException.class)
          .satisfies(e -> {
            SandboxException se = (SandboxException) e;
            assertThat(se.code()).isEqualTo(ErrorCode.BACKEND_UNAVAILABLE);
            assertThat(se.code().status()).isEqualTo(503);
            assertThat(se.getMessage()).contains("Docker is not reachable at unix://" + base)
                .contains("SANDBOX_DOCKER_HOST");
          });
      // as with any failed start, the sandbox stays, in error, saying why (restart it once Docker runs)
      assertThat(await(m.list())).singleElement().satisfies(i -> {
        assertThat(i.status()).isEqualTo(io.alphora.sandbox.SandboxStatus.ERROR);
        assertThat(i.statusMessage()).contains("start dockerd");
      });
    } finally {
      await(m.shutdown());
    }
  }

  @Test
  void isDockerAvailableSaysNo() {
    assertThat(await(SandboxManager.isDockerAvailable(vertx, config()))).isFalse();
  }
}
