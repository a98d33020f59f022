package io.alphora.sandbox.api.http;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encodes run events for the wire. Output events ({@code stdout}/{@code stderr}: type, exec_id, seq,
 * data) are most of a stream's bytes, so they are written here in the same form as the bus's JSON (same
 * field order, the same escapes as Jackson), without a tree encoder and its intermediate copies: the
 * string is turned into UTF-8 in one bulk call, then only the bytes JSON must escape ({@code "},
 * {@code \}, controls) are rewritten; every other byte, multi-byte UTF-8 included, is copied in runs.
 * Every other event uses {@link JsonObject#toBuffer()}.
 */
final class EventFrames {
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

  private EventFrames() {}

  static Buffer encode(JsonObject e) {
    String type = e.getString("type");
    Object seq = e.getValue("seq");
    Object data = e.getValue("data");
    Object execId = e.getValue("exec_id");
    if (e.size() != 4 || !("stdout".equals(type) || "stderr".equals(type)) || !(seq instanceof Number)
        || !(data instanceof String d) || !(execId instanceof String x)) {
      return e.toBuffer();
    }
    byte[] utf8 = d.getBytes(StandardCharsets.UTF_8); // a lone surrogate becomes '?'
    Out o = new Out(utf8.length + utf8.length / 16 + 96);
    o.ascii("{\"type\":\"").ascii(type).ascii("\",\"exec_id\":").string(x.getBytes(StandardCharsets.UTF_8))
        .ascii(",\"seq\":").ascii(String.valueOf(((Number) seq).longValue())).ascii(",\"data\":").string(utf8).ascii("}");
    // wraps the array as it is: Buffer.buffer(byte[]) would copy it once more
    return BufferInternal.buffer(Unpooled.wrappedBuffer(o.bytes, 0, o.n));
  }

  /** A growable byte array. */
  private static final class Out {
    byte[] bytes;
    int n;

    Out(int capacity) { bytes = new byte[capacity]; }

    private void room(int more) {
      if (n + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, n + more));
      }
    }

    Out ascii(String s) {
      room(s.length());
      for (int i = 0; i < s.length(); i++) {
        bytes[n++] = (byte) s.charAt(i);
      }
      return this;
    }

    /** A JSON string of UTF-8 bytes. */
    Out string(byte[] b) {
      room(b.length + 2);
      bytes[n++] = '"';
      int run = 0;
      for (int i = 0; i < b.length; i++) {
        int c = b[i];
        if (c >= 0x20 && c != '"' && c != '\\' || c < 0) {
          continue; // printable ASCII, or a byte of a multi-byte UTF-8 sequence
        }
        copy(b, run, i);
        room(6 + b.length - i);
        switch (c) {
          case '"' -> two('"');
          case '\\' -> two('\\');
          case '\n' -> two('n');
          case '\r' -> two('r');
          case '\t' -> two('t');
          case '\b' -> two('b');
          case '\f' -> two('f');
          default -> unicode(c);
        }
        run = i + 1;
      }
      copy(b, run, b.length);
      room(1);
      bytes[n++] = '"';
      return this;
    }

    private void copy(byte[] b, int from, int to) {
      room(to - from);
      System.arraycopy(b, from, bytes, n, to - from);
      n += to - from;
    }

    private void two(char c) {
      bytes[n++] = '\\';
      bytes[n++] = (byte) c;
    }

    private void unicode(int c) {
      bytes[n++] = '\\';
      bytes[n++] = 'u';
      bytes[n++] = '0';
      bytes[n++] = '0';
      bytes[n++] = HEX[(c >> 4) & 0xf];
      bytes[n++] = HEX[c & 0xf];
    }
  }
}
