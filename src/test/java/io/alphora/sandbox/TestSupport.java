package io.alphora.sandbox;

import io.alphora.sandbox.config.SandboxConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Shared helpers for tests that drive the service through its Java API. */
public final class TestSupport {
  private TestSupport() {}

  /** Blocks for a future's value; a failure is rethrown as is (a SandboxException stays one). */
  public static <T> T await(Future<T> f) {
    return await(f, 60);
  }

  public static <T> T await(Future<T> f, int seconds) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The config fragment for bubblewrap isolation; fails (never skips) when bubblewrap is missing. */
  public static JsonObject bwrap() {
    if (!Files.isExecutable(Path.of("/usr/bin/bwrap"))) {
      throw new IllegalStateException("these tests need bubblewrap: apt-get install -y bubblewrap");
    }
    return new JsonObject().put("local", new JsonObject().put("isolation", "bwrap"));
  }

  /** A config for tests: its own base path, the real /usr/bin/python3, no idle sweep. */
  public static SandboxConfig config(Path base, JsonObject extra) {
    if (!Files.isExecutable(Path.of("/usr/bin/python3"))) {
      throw new IllegalStateException("these tests need /usr/bin/python3: apt-get install -y python3 python3-pip");
    }
    JsonObject c = new JsonObject().put("base_path", base.toString())
        .put("manager", new JsonObject().put("idle_sweep_seconds", 0));
    return SandboxConfig.fromJson(c.mergeIn(extra == null ? new JsonObject() : extra, true));
  }
}
