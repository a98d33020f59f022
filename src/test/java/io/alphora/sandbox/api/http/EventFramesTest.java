package io.alphora.sandbox.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written encoder of output events gives the same JSON as Vert.x's encoder. */
class EventFramesTest {

  static JsonObject output(String data) {
    return new JsonObject().put("type", "stdout").put("exec_id", "exe_abcdefgh12").put("seq", 7L).put("data", data);
  }

  @Test
  void outputEventsEncodeExactlyLikeTheTreeEncoder() {
    String[] samples = {"", "plain\n", "quote \" backslash \\ tab \t cr \r ff \f bs \b", "\u0000\u0001\u001f\u007f",
        "é ü ß €", "日本語", "emoji \uD83D\uDE00 and \uD83E\uDD16", "x".repeat(70_000) + "\n".repeat(5000) + "ü".repeat(9000)};
    for (String s : samples) {
      Buffer b = EventFrames.encode(output(s));
      assertThat(b.toString(StandardCharsets.UTF_8)).isEqualTo(output(s).encode());
    }
    Random r = new Random(42);
    for (int round = 0; round < 200; round++) {
      StringBuilder sb = new StringBuilder();
      for (int i = r.nextInt(3000); i > 0; i--) {
        int kind = r.nextInt(10);
        sb.appendCodePoint(kind < 6 ? 0x20 + r.nextInt(0x60) : kind < 7 ? r.nextInt(0x20)
            : kind < 9 ? 0xa0 + r.nextInt(0xd000) : 0x10000 + r.nextInt(0x1000));
      }
      String s = sb.toString();
      assertThat(EventFrames.encode(output(s)).toString(StandardCharsets.UTF_8)).isEqualTo(output(s).encode());
    }
  }

  @Test
  void loneSurrogatesStayValidUtf8AndOtherEventsUseTheTreeEncoder() {
    Buffer b = EventFrames.encode(output("a\uD800b"));
    assertThat(new JsonObject(b).getString("data")).isEqualTo("a?b");
    JsonObject exit = new JsonObject().put("type", "exit").put("exec_id", "exe_abcdefgh12").put("seq", 3L)
        .put("result", new JsonObject().put("status", "success"));
    assertThat(EventFrames.encode(exit)).isEqualTo(exit.toBuffer());
  }
}
