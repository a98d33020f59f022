package io.alphora.sandbox.tools;

import static io.alphora.sandbox.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.ExecutionResult;
import io.alphora.sandbox.ExecutionStatus;
import io.alphora.sandbox.FileInfo;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SandboxTools;
import io.alphora.sandbox.ToolResult;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Long outputs: what the model sees, and that the whole text lands in the workspace. */
class OutputLimiterTest {
  final FakeSandbox fake = new FakeSandbox()
      .answer("writeFile", a -> Future.succeededFuture(FileInfo.of("x", (String) a[0], 1, false, false, null, null, null)));
  final SandboxTools tools = new SandboxTools(fake.sandbox(), 1000);

  static ExecutionResult run(String out, String err) {
    return new ExecutionResult("exe_1", true, ExecutionStatus.SUCCESS, out, err, 0, 0.1, null, null, false, null, null);
  }

  @Test
  void shortResultsAreUntouched() {
    fake.answer("execute", run("a".repeat(1000), "b".repeat(1000)));
    ToolResult r = await(tools.runPythonCode("x"));
    assertThat(r.output()).isEqualTo("a".repeat(1000));
    assertThat(r.extra()).doesNotContainKey("truncated");
    assertThat(fake.methods()).doesNotContain("writeFile");
  }

  @Test
  void longOutputKeepsHeadAndTailWithAMarkerAndTheFullTextIsSaved() {
    String out = "H".repeat(600) + "M".repeat(5000) + "T".repeat(600);
    fake.answer("execute", run(out, "short"));
    ToolResult r = await(tools.runPythonCode("x"));
    String path = (String) r.extra().get("full_output_path");
    assertThat(path).matches("\\.tool_outputs/run_python_code-\\d{8}T\\d{6}-[A-Za-z0-9]{6}\\.out\\.txt");
    assertThat((String) r.output()).startsWith("H".repeat(500) + "\n… [output truncated: 1000 of 6200 characters shown, "
        + "the first 500 and the last 500; full output saved to " + path + "]\n" + "T".repeat(500))
        .doesNotContain("MM");
    assertThat(r.extra()).containsEntry("truncated", true).containsEntry("return_code", 0);
    assertThat(r.error()).isEqualTo("short");
    FakeSandbox.Call write = fake.only("writeFile");
    assertThat(write.args()).containsExactly(path, out);
  }

  @Test
  void longStderrIsSavedSeparately() {
    fake.answer("execute", run("ok", "E".repeat(3000)));
    ToolResult r = await(tools.runShellCommand("x"));
    assertThat(r.output()).isEqualTo("ok");
    assertThat(r.error()).contains("[error truncated: 1000 of 3000 characters shown").hasSizeLessThan(1200);
    assertThat((String) r.extra().get("full_error_path")).endsWith(".err.txt");
    assertThat(r.extra()).doesNotContainKey("full_output_path");
  }

  @Test
  void countsCharactersNotUtf16UnitsAndNeverSplitsASurrogatePair() {
    String emoji = "😀".repeat(3000);
    fake.answer("execute", run(emoji, ""));
    String shown = (String) await(tools.runPythonCode("x")).output();
    assertThat(shown).contains("1000 of 3000 characters");
    String head = shown.substring(0, shown.indexOf('\n'));
    assertThat(head).isEqualTo("😀".repeat(500));
  }

  @Test
  void aReadFileResultPointsAtTheFileItselfInsteadOfACopy() {
    fake.answer("readFile", "r".repeat(5000));
    ToolResult r = await(tools.readFile("data/big.csv"));
    assertThat(r.extra()).containsEntry("full_output_path", "data/big.csv").containsEntry("truncated", true);
    assertThat((String) r.output()).contains("full output in data/big.csv]");
    assertThat(fake.methods()).doesNotContain("writeFile");
  }

  @Test
  void longListsKeepTheirFirstEntries() {
    List<FileInfo> files = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      files.add(FileInfo.of("f" + i + ".txt", "f" + i + ".txt", i, false, false, null, null, "text/plain"));
    }
    fake.answer("listFiles", files);
    ToolResult r = await(tools.listFiles());
    List<?> kept = (List<?>) r.output();
    assertThat(kept).isNotEmpty().hasSizeLessThan(100);
    assertThat(((Map<?, ?>) kept.get(0)).get("name")).isEqualTo("f0.txt");
    assertThat(new io.vertx.core.json.JsonArray(List.copyOf(kept)).encode().length()).isLessThanOrEqualTo(1000);
    assertThat((String) r.extra().get("full_output_path")).endsWith(".json");
    assertThat((String) r.extra().get("note")).isEqualTo("output truncated: " + kept.size() + " of 100 entries shown; "
        + "full list saved to " + r.extra().get("full_output_path"));
    assertThat((String) fake.only("writeFile").args()[1]).contains("\"f99.txt\"");
  }

  @Test
  void whenTheFullTextCannotBeSavedTheMarkerSaysWhy() {
    fake.answer("writeFile", a -> Future.failedFuture(new SandboxException(ErrorCode.SECURITY_VIOLATION,
        "the sandbox is read-only (security_policy.read_only_mode)")));
    fake.answer("execute", run("x".repeat(5000), ""));
    ToolResult r = await(tools.runPythonCode("x"));
    assertThat(r.success()).isTrue();
    assertThat((String) r.output()).contains("; the full output could not be saved: the sandbox is read-only");
    assertThat(r.extra()).containsEntry("truncated", true).doesNotContainKey("full_output_path");
  }

  @Test
  void theLimitHasAFloor() {
    assertThatThrownBy(() -> new SandboxTools(fake.sandbox(), 10)).hasMessageContaining("at least 100");
  }
}
