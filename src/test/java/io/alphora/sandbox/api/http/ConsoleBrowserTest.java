package io.alphora.sandbox.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The web console at {@code /}, driven in headless Chromium by playwright-core (src/test/console-e2e):
 * it enters an API key, creates a sandbox, sees the first line of a print-sleep-print run before the run
 * ends, answers {@code input()}, uploads a file, reads it from code and downloads it, sets an env var, cancels a run,
 * and saves a screenshot to {@code target/console-e2e/console.png} (the CI artifact). Needs Debian's
 * {@code chromium} ({@code apt-get install -y chromium}), node and npm; without them it fails.
 */
class ConsoleBrowserTest extends RestTestBase {
  static final String KEY = "console-key-0123456789";
  private static final Path SOURCE = Path.of("src/test/console-e2e");
  private static final Path WORK = Path.of("target/console-e2e");
  private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

  static JsonObject serviceConfig() {
    return new JsonObject().put("auth", new JsonObject().put("api_keys", new JsonObject().put(KEY, "console")));
  }

  /** Copies the script into target/ and runs npm ci unless this exact lock file is installed there. */
  static void install() throws Exception {
    Files.createDirectories(WORK);
    for (String f : List.of("package.json", "package-lock.json", "console.mjs")) {
      Files.copy(SOURCE.resolve(f), WORK.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    String lockHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(Files.readAllBytes(WORK.resolve("package-lock.json"))));
    Path marker = WORK.resolve("node_modules/.installed-lock-sha256");
    if (Files.exists(marker) && Files.readString(marker).equals(lockHash)) {
      return;
    }
    McpClientE2ETest.run(WORK, 30, "node", "--version");
    McpClientE2ETest.Run ci = McpClientE2ETest.run(WORK, 600, "npm", "ci", "--no-audit", "--no-fund");
    assertThat(ci.exit()).as("npm ci in " + WORK + ":\n" + ci.out()).isZero();
    Files.writeString(marker, lockHash);
  }

  @Test
  void theConsoleRunsCodeLiveAnswersInputAndHandlesFiles() throws Exception {
    if (!Files.isExecutable(CHROMIUM)) {
      fail("the console browser test needs Chromium at " + CHROMIUM + ": apt-get install -y chromium "
          + "(scripts/install-deps does it), or set CHROMIUM to another Chromium/Chrome binary");
    }
    install();
    Path shot = WORK.resolve("console.png").toAbsolutePath();
    Files.deleteIfExists(shot);
    McpClientE2ETest.Run run = McpClientE2ETest.run(WORK, 300, "node", "console.mjs",
        "http://127.0.0.1:" + service.port() + "/", KEY, shot.toString());
    assertThat(run.exit()).as("node console.mjs:\n" + run.out()).isZero();
    assertThat(run.out()).contains("ok - the first line is visible before the run ends")
        .contains("ok - input() was answered from the browser").contains("ok - code reads the uploaded file")
        .contains("ok - the file browser downloads the file");
    assertThat(Files.size(shot)).as("screenshot " + shot).isGreaterThan(10_000);
    String[] lines = run.out().strip().split("\n");
    String sandboxId = new JsonObject(lines[lines.length - 1]).getString("sandboxId");
    apiKey = KEY;
    try {
      // what the browser did is visible through the API
      Res file = get("/v1/sandboxes/" + sandboxId + "/files/upload.txt");
      assertThat(file.body()).isEqualTo("uploaded from chromium\n");
      assertThat(get("/v1/sandboxes/" + sandboxId + "/env/GREETING").json().getString("value")).isEqualTo("hi there");
    } finally {
      apiKey = null;
    }
  }
}
