package io.alphora.sandbox.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.alphora.sandbox.SandboxTools;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The MCP endpoint driven by the official MCP TypeScript SDK client (src/test/mcp-client): it
 * installs the locked packages into target/mcp-client with {@code npm ci} on first use, runs
 * {@code node client.mjs <url>} and checks what the client saw. Needs node and npm on PATH (and the
 * npm registry on first use); without them it fails, it does not skip.
 */
class McpClientE2ETest extends RestTestBase {
  private static final Path SOURCE = Path.of("src/test/mcp-client");
  private static final Path WORK = Path.of("target/mcp-client");

  record Run(int exit, String out) {}

  static Run run(Path dir, long timeoutSeconds, String... command) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      fail("'" + command[0] + "' is not installed, and the MCP end-to-end test needs node and npm: "
          + "apt-get install -y nodejs npm (" + e.getMessage() + ")");
      throw e;
    }
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes(); // ends when the process closes its output
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s:\n" + new String(out));
    }
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** Copies the client into target/ and runs npm ci unless this exact lock file is installed there. */
  static void install() throws Exception {
    Files.createDirectories(WORK);
    for (String f : List.of("package.json", "package-lock.json", "client.mjs")) {
      Files.copy(SOURCE.resolve(f), WORK.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    String lockHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(Files.readAllBytes(WORK.resolve("package-lock.json"))));
    Path marker = WORK.resolve("node_modules/.installed-lock-sha256");
    if (Files.exists(marker) && Files.readString(marker).equals(lockHash)) {
      return;
    }
    run(WORK, 30, "node", "--version");
    Run ci = run(WORK, 600, "npm", "ci", "--no-audit", "--no-fund");
    assertThat(ci.exit()).as("npm ci in " + WORK + ":\n" + ci.out()).isZero();
    Files.writeString(marker, lockHash);
  }

  @Test
  void theOfficialClientListsAndCallsTools() throws Exception {
    install();
    Run client = run(WORK, 180, "node", "client.mjs", "http://127.0.0.1:" + service.port() + "/mcp");
    assertThat(client.exit()).as("node client.mjs:\n" + client.out()).isZero();
    String[] lines = client.out().strip().split("\n");
    JsonObject seen = new JsonObject(lines[lines.length - 1]);

    assertThat(seen.getString("protocolVersion")).isEqualTo("2025-06-18");
    assertThat(seen.getJsonObject("server").getString("name")).isEqualTo("alphora-sandbox");
    assertThat(seen.getJsonArray("tools").getList()).containsExactlyElementsOf(SandboxTools.toolNames());
    assertThat(seen.getBoolean("sandboxIdInSchemas")).isTrue();

    JsonObject run = seen.getJsonObject("run");
    assertThat(run.getBoolean("isError")).as(run.encode()).isFalse();
    assertThat(run.getJsonObject("structuredContent").getString("output")).isEqualTo("42\n");
    assertThat(new JsonObject(run.getJsonArray("content").getJsonObject(0).getString("text")).getInteger("return_code"))
        .isZero();
    assertThat(seen.getJsonObject("read").getJsonObject("structuredContent").getString("output")).isEqualTo("hello");
    JsonObject invalid = seen.getJsonObject("invalid");
    assertThat(invalid.getBoolean("isError")).isTrue();
    assertThat(invalid.getJsonObject("structuredContent").getString("error")).startsWith("Invalid parameters");
    assertThat(seen.getJsonObject("unknownTool").getInteger("code")).isEqualTo(-32602);

    // the calls ran in the session's own sandbox, and terminateSession (DELETE) destroyed it
    JsonObject status = seen.getJsonObject("status").getJsonObject("structuredContent").getJsonObject("output");
    assertThat(status.getString("name")).isEqualTo("mcp-session-" + seen.getString("sessionId").substring(4, 12));
    assertThat(seen.getValue("sessionAfterTerminate")).isNull();
    expectError(get("/v1/sandboxes/" + status.getString("sandbox_id")), 404, "sandbox_not_found");
  }
}
