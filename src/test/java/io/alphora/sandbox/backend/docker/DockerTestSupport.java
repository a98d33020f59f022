package io.alphora.sandbox.backend.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.alphora.sandbox.TestSupport;
import io.alphora.sandbox.config.DockerConfig;
import io.alphora.sandbox.config.SandboxConfig;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What Docker tests need: a reachable daemon and the runtime image. Missing either fails the test
 * (never skips it) with how to get it.
 */
public final class DockerTestSupport {
  public static final String IMAGE = System.getenv().getOrDefault("SANDBOX_DOCKER_IMAGE", "alphora-sandbox-runtime:latest");
  private static volatile DockerClient client;

  private DockerTestSupport() {}

  /** A client for the local daemon, after checking that it answers and has the image. */
  public static synchronized DockerClient docker() {
    if (client == null) {
      DockerClient c = DockerClients.create(DockerConfig.defaults());
      if (!DockerClients.ping(c)) {
        throw new IllegalStateException("these tests need a Docker daemon at " + DockerClients.DEFAULT_HOST
            + ": run scripts/install-deps (installs docker.io and starts dockerd), or start dockerd yourself");
      }
      try {
        c.inspectImageCmd(IMAGE).exec();
      } catch (RuntimeException e) {
        throw new IllegalStateException("these tests need the runtime image " + IMAGE
            + ": build it with scripts/build-runtime-image (offline, from Debian packages)");
      }
      client = c;
    }
    return client;
  }

  /** A test config whose default backend is docker, with its own base path (and so its own containers). */
  public static SandboxConfig config(Path base, int poolSize, JsonObject extra) {
    docker();
    JsonObject c = new JsonObject().put("backend_type", "docker")
        .put("docker", new JsonObject().put("image", IMAGE).put("pool_size", poolSize));
    return TestSupport.config(base, c.mergeIn(extra == null ? new JsonObject() : extra, true));
  }

  /** Containers (running or not) that a service with this base path owns. */
  public static List<Container> containersOf(Path base) {
    return docker().listContainersCmd().withShowAll(true)
        .withLabelFilter(Map.of(Containers.LABEL_MANAGED, "true", Containers.LABEL_BASE, base.toString())).exec();
  }

  /** Removes what a failed test may have left, and says whether there was anything. */
  public static int removeAll(Path base) {
    List<Container> left = containersOf(base);
    for (Container c : left) {
      docker().removeContainerCmd(c.getId()).withForce(true).exec();
    }
    return left.size();
  }
}
