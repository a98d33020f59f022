package io.alphora.sandbox.isolation;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.CreateOptions;
import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.ExecutionResult;
import io.alphora.sandbox.Sandbox;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SandboxManager;
import io.alphora.sandbox.SecurityPolicy;
import io.alphora.sandbox.TestSupport;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * blocked_imports, allowed_imports and allow_subprocess: a speed bump for the run's own code, with
 * the OS boundary still holding when code gets around it.
 */
class ImportPolicyTest {
  @TempDir
  Path base;
  Vertx vertx;
  SandboxManager manager;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    manager = await(SandboxManager.deploy(vertx, TestSupport.config(base, TestSupport.bwrap())));
  }

  @AfterEach
  void tearDown() {
    await(manager.shutdown());
    await(vertx.close());
  }

  private Sandbox with(SecurityPolicy p) {
    return await(manager.create(CreateOptions.defaults().withSecurityPolicy(p)));
  }

  private static String out(Sandbox s, String code) {
    ExecutionResult r = await(s.executeCode(code));
    return r.stdout() + r.stderr();
  }

  @Test
  void theDefaultPolicyBlocksSubprocessesForTheRunsOwnCode() {
    Sandbox s = with(SecurityPolicy.standard());
    assertThat(out(s, "import subprocess")).contains("ImportError").contains("'subprocess' is blocked");
    assertThat(out(s, "__import__('multiprocessing')")).contains("ImportError");
    assertThat(out(s, "from os import system")).contains("ImportError");
    assertThat(out(s, "import os\nos.system('id')")).contains("PermissionError").contains("os.system is blocked");
    assertThat(out(s, "import os\nos.fork()")).contains("PermissionError");
    assertThat(out(s, "import ctypes")).contains("ImportError");
    assertThat(out(s, "import json, os\nprint(json.dumps({'ok': os.getcwd()}))")).isEqualTo("{\"ok\": \"/workspace\"}\n");
    assertThat(out(s, "import os\nprint('ALPHORA_POLICY' in os.environ)")).isEqualTo("False\n");
  }

  @Test
  void bypassingTheSpeedBumpStillMeetsTheOsBoundary() {
    Sandbox s = with(SecurityPolicy.standard());
    String o = out(s, String.join("\n",
        "import importlib, base64",
        "sp = importlib.import_module(base64.b64decode('c3VicHJvY2Vzcw==').decode())",
        "print(sp.run(['/bin/sh', '-c', 'id -u; cat /etc/hostname 2>&1; ls /root 2>&1'],"
            + " capture_output=True, text=True).stdout)"));
    assertThat(o).startsWith("65534\n").contains("No such file or directory").doesNotContain("ImportError");
  }

  @Test
  void strictBlocksOsAndShellPermissiveAllowsBoth() {
    Sandbox strict = with(SecurityPolicy.strict());
    assertThat(out(strict, "import os")).contains("ImportError");
    assertThat(out(strict, "import socket")).contains("ImportError");
    assertThat(out(strict, "print(sum([1, 2]))")).isEqualTo("3\n");
    try {
      await(strict.executeShell("id"));
      throw new AssertionError("shell ran under the strict policy");
    } catch (SandboxException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.SHELL_ACCESS_DENIED);
    }
    Sandbox permissive = with(SecurityPolicy.permissive());
    assertThat(out(permissive, "import subprocess\nprint(subprocess.run(['echo', 'hi'], capture_output=True, text=True).stdout)"))
        .isEqualTo("hi\n\n");
  }

  @Test
  void allowedImportsIsAnAllowList() {
    SecurityPolicy onlyMath = new SecurityPolicy(true, false, true, true, List.of(), List.of("math"), List.of(),
        List.of(), 100, 1000, true, false);
    Sandbox s = with(onlyMath);
    assertThat(out(s, "import math\nprint(math.sqrt(16))")).isEqualTo("4.0\n");
    assertThat(out(s, "import json")).contains("ImportError").contains("allowed_imports");
    ExecutionResult spoof = await(s.execute(io.alphora.sandbox.ExecRequest.python("import json\nprint('x')")
        .withEnv(Map.of("ALPHORA_POLICY", "{}"))));
    assertThat(spoof.stderr()).as("a run cannot replace the policy through its env").contains("ImportError");
  }
}
