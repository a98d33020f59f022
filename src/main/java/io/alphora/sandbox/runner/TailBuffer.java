package io.alphora.sandbox.runner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** The last {@code capacity} bytes written to it: a bounded record of a process's stderr. */
final class TailBuffer {
  private final byte[] ring;
  private long written;

  TailBuffer(int capacity) {
    ring = new byte[capacity];
  }

  /** Copies {@code in} into the buffer until end of stream, then closes it. */
  void drain(InputStream in) {
    byte[] buf = new byte[4096];
    try (in) {
      int n;
      while ((n = in.read(buf)) > 0) {
        write(buf, 0, n);
      }
    } catch (IOException ignored) {
      // the process is gone
    }
  }

  synchronized void write(byte[] b, int off, int len) {
    for (int i = 0; i < len; i++) {
      ring[(int) (written++ % ring.length)] = b[off + i];
    }
  }

  @Override
  public synchronized String toString() {
    int n = (int) Math.min(written, ring.length);
    byte[] out = new byte[n];
    long start = written - n;
    for (int i = 0; i < n; i++) {
      out[i] = ring[(int) ((start + i) % ring.length)];
    }
    return new String(out, StandardCharsets.UTF_8).strip();
  }
}
