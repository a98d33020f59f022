package io.alphora.sandbox.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Loads configs from injected sources with a real Vertx, never from the project's conf/ directory. */
abstract class ConfigTestSupport {
  static Vertx vertx;
  Path dir;

  @org.junit.jupiter.api.BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @org.junit.jupiter.api.AfterAll
  static void stopVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @org.junit.jupiter.api.BeforeEach
  void tempDir(@org.junit.jupiter.api.io.TempDir Path tmp) {
    dir = tmp;
  }

  Path write(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  /** Loads with the default file looked up in the temp dir (where it does not exist unless written). */
  SandboxConfig load(Path conf, Map<String, String> env, Map<String, String> props, JsonObject overrides)
      throws Exception {
    try {
      return ConfigLoader.load(vertx, new ConfigSources(conf, env, props, overrides), dir.resolve("sandbox.yaml"))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  SandboxConfig loadEnv(Map<String, String> env) throws Exception {
    return load(null, env, Map.of(), null);
  }

  ConfigException loadFails(Path conf, Map<String, String> env, Map<String, String> props, JsonObject overrides) {
    try {
      SandboxConfig c = load(conf, env, props, overrides);
      return fail("expected a ConfigException, got " + c);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).startsWith("invalid config: ");
      return e;
    } catch (Exception e) {
      return fail("expected a ConfigException", e);
    }
  }

  ConfigException envFails(Map<String, String> env) {
    return loadFails(null, env, Map.of(), null);
  }

  ConfigException fileFails(String name, String content) throws IOException {
    return loadFails(write(name, content), Map.of(), Map.of(), null);
  }

  static ConfigException jsonFails(JsonObject json) {
    try {
      SandboxConfig c = SandboxConfig.fromJson(json);
      return fail("expected a ConfigException, got " + c);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).startsWith("invalid config: ");
      return e;
    }
  }
}
