package io.alphora.sandbox.api.http;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;

/**
 * Encodes run events for the wire. Output events ({@code stdout}/{@code stderr}: type, exec_id, seq,
 * data) are most of a stream's bytes, so they are written straight to UTF-8 here, in the same form as
 * the bus's JSON (same field order, standard escapes), without going through a tree encoder and its
 * intermediate copies; every other event uses {@link JsonObject#toBuffer()}.
 */
final class EventFrames {
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

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
    Out o = new Out(d.length() + d.length() / 8 + 96);
    o.ascii("{\"type\":\"").ascii(type).ascii("\",\"exec_id\":").string(x).ascii(",\"seq\":")
        .ascii(String.valueOf(((Number) seq).longValue())).ascii(",\"data\":").string(d).ascii("}");
    // wraps the array as it is: Buffer.buffer(byte[]) would copy it once more
    return BufferInternal.buffer(Unpooled.wrappedBuffer(o.bytes, 0, o.n));
  }

  /** A growable byte array with JSON string escaping to UTF-8. */
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

    Out string(String s) {
      room(s.length() + 2);
      bytes[n++] = '"';
      int len = s.length();
      for (int i = 0; i < len; i++) {
        char c = s.charAt(i);
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
          if (n == bytes.length) {
            room(len - i + 8);
          }
          bytes[n++] = (byte) c;
        } else {
          room(len - i + 12);
          escaped(s, i, c);
          if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
            i++;
          }
        }
      }
      room(1);
      bytes[n++] = '"';
      return this;
    }

    private void escaped(String s, int i, char c) {
      switch (c) {
        case '"' -> two('"');
        case '\\' -> two('\\');
        case '\n' -> two('n');
        case '\r' -> two('r');
        case '\t' -> two('t');
        case '\b' -> two('b');
        case '\f' -> two('f');
        default -> {
          if (c < 0x20) {
            unicode(c);
          } else if (c < 0x800) {
            bytes[n++] = (byte) (0xc0 | (c >> 6));
            bytes[n++] = (byte) (0x80 | (c & 0x3f));
          } else if (Character.isSurrogate(c)) {
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
              int cp = Character.toCodePoint(c, s.charAt(i + 1));
              bytes[n++] = (byte) (0xf0 | (cp >> 18));
              bytes[n++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
              bytes[n++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
              bytes[n++] = (byte) (0x80 | (cp & 0x3f));
            } else {
              unicode(c); // a lone surrogate: escaped, so the bytes stay valid UTF-8
            }
          } else {
            bytes[n++] = (byte) (0xe0 | (c >> 12));
            bytes[n++] = (byte) (0x80 | ((c >> 6) & 0x3f));
            bytes[n++] = (byte) (0x80 | (c & 0x3f));
          }
        }
      }
    }

    private void two(char c) {
      bytes[n++] = '\\';
      bytes[n++] = (byte) c;
    }

    private void unicode(char c) {
      bytes[n++] = '\\';
      bytes[n++] = 'u';
      bytes[n++] = HEX[(c >> 12) & 0xf];
      bytes[n++] = HEX[(c >> 8) & 0xf];
      bytes[n++] = HEX[(c >> 4) & 0xf];
      bytes[n++] = HEX[c & 0xf];
    }
  }
}
