package io.alphora.sandbox.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * stdin that a client sends as soon as it sees a run's {@code start}, before the runner has the run,
 * is kept and passed on in order once it does (the runner would drop data for a run it does not know).
 */
class ExecutionStdinTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() { vertx.close(); }

  private Execution execution() {
    return new Execution("sbx_x", "exe_x", "alphora.sbx_x.exec.exe_x", vertx.eventBus(), 10, null);
  }

  @Test
  void stdinBeforeTheRunnerHasTheRunWaitsThenGoesFirstInOrder() {
    Execution ex = execution();
    List<String> sent = new ArrayList<>();
    ex.stdin("one\n", false);
    ex.stdin("two\n", false);
    assertThat(sent).isEmpty();
    ex.submitted((d, eof) -> sent.add(d + (eof ? "<eof>" : "")));
    assertThat(sent).containsExactly("one\n", "two\n");
    ex.stdin("three\n", true);
    assertThat(sent).containsExactly("one\n", "two\n", "three\n<eof>");
  }

  @Test
  void whatWaitsIsBoundedButAnEofIsKept() {
    Execution ex = execution();
    List<String> sent = new ArrayList<>();
    String mib = "x".repeat((int) Execution.EARLY_STDIN_CHARS);
    ex.stdin(mib, false);
    ex.stdin("over the cap", false);
    ex.stdin("", true);
    ex.submitted((d, eof) -> sent.add(d.length() + (eof ? "<eof>" : "")));
    assertThat(sent).containsExactly(String.valueOf(mib.length()), "0", "0<eof>");
  }
}
