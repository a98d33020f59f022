package io.alphora.sandbox.isolation;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alphora.sandbox.CreateOptions;
import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.SecurityPolicy;
import io.alphora.sandbox.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * security_policy.allowed_paths: only what the operator listed in local.allowed_host_paths can be
 * shown, read-only, at the same path; anything else is refused when the sandbox is created.
 */
class AllowedPathsTest {
  @TempDir
  Path base;
  @TempDir
  Path host;
  Vertx vertx;
  SandboxManager manager;
  Path shared;

  @BeforeEach
  void setUp() throws Exception {
    shared = Files.createDirectories(host.resolve("shared")).toRealPath();
    Files.writeString(shared.resolve("data.txt"), "operator data");
    Files.createDirectories(host.resolve("private"));
    Files.writeString(host.resolve("private/secret.txt"), "secret");
    Files.createSymbolicLink(shared.resolve("escape"), host.resolve("private"));
    vertx = Vertx.vertx();
    manager = await(SandboxManager.deploy(vertx, TestSupport.config(base, TestSupport.bwrap().put("local",
        new JsonObject().put("isolation", "bwrap").put("allowed_host_paths", new JsonArray().add(shared.toString()))))));
  }

  @AfterEach
  void tearDown() {
    await(manager.shutdown());
    await(vertx.close());
  }

  private static SecurityPolicy allowing(String... paths) {
    SecurityPolicy p = SecurityPolicy.permissive();
    return new SecurityPolicy(p.allowShell(), p.allowNetwork(), p.allowFileWrite(), p.allowSubprocess(),
        p.blockedImports(), p.allowedImports(), p.blockedPaths(), List.of(paths), p.maxFileSizeMb(),
        p.maxFilesCount(), p.auditEnabled(), p.readOnlyMode());
  }

  @Test
  void anOperatorListedPathIsVisibleReadOnlyAndNothingBesideIt() {
    Sandbox s = await(manager.create(CreateOptions.defaults().withSecurityPolicy(allowing(shared.toString()))));
    String out = await(s.executeCode(String.join("\n",
        "import os",
        "print(open('" + shared + "/data.txt').read())",
        "try: open('" + shared + "/new.txt', 'w'); print('WROTE')",
        "except OSError as e: print('write', e.strerror)",
        "print('private', os.path.exists('" + host.resolve("private") + "'))",
        "try: print(open('" + shared + "/escape/secret.txt').read())",
        "except OSError as e: print('link', type(e).__name__)"))).stdout();
    assertThat(out).contains("operator data").contains("write Read-only file system").contains("private False")
        .contains("link FileNotFoundError").doesNotContain("WROTE").doesNotContain("secret\n");
    assertThat(shared.resolve("new.txt")).doesNotExist();
  }

  @Test
  void pathsTheOperatorDidNotListAreRefusedAtCreate() {
    for (String p : List.of("/root", host.resolve("private").toString(), "/", shared + "/../private",
        shared.resolve("escape").toString(), "relative/path")) {
      assertThatThrownBy(() -> await(manager.create(CreateOptions.defaults().withSecurityPolicy(allowing(p)))))
          .as(p).isInstanceOfSatisfying(SandboxException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.SECURITY_VIOLATION);
            assertThat(e.getMessage()).contains("allowed_paths");
          });
    }
    assertThat(await(manager.list())).isEmpty();
  }
}
