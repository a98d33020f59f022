package io.alphora.sandbox.runner;

import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a stream into '\n'-terminated lines without unbounded buffering: a line longer than
 * {@code maxLine} is skipped (and counted) instead of being accumulated.
 */
final class LineReader {
  private final InputStream in;
  private final int maxLine;
  private final byte[] chunk = new byte[65536];
  private int pos;
  private int lim;
  private byte[] line = new byte[4096];
  private int len;
  private long skipped;

  LineReader(InputStream in, int maxLine) {
    this.in = in;
    this.maxLine = maxLine;
  }

  /** Reads the next complete line into {@link #line()}; false at end of stream. */
  boolean next() throws IOException {
    len = 0;
    boolean overflow = false;
    while (true) {
      if (pos == lim) {
        int n = in.read(chunk);
        if (n <= 0) {
          return false;                 // a final unterminated fragment is not a frame
        }
        pos = 0;
        lim = n;
      }
      int i = pos;
      while (i < lim && chunk[i] != '\n') {
        i++;
      }
      int n = i - pos;
      if (!overflow && len + n > maxLine) {
        overflow = true;
      }
      if (!overflow) {
        if (len + n > line.length) {
          byte[] bigger = new byte[Math.min(maxLine, Math.max(line.length * 2, len + n))];
          System.arraycopy(line, 0, bigger, 0, len);
          line = bigger;
        }
        System.arraycopy(chunk, pos, line, len, n);
        len += n;
      }
      pos = i;
      if (i < lim) {
        pos++;
        if (!overflow) {
          return true;
        }
        overflow = false;
        len = 0;
        skipped++;
      }
    }
  }

  byte[] line() { return line; }

  int length() { return len; }

  long skipped() { return skipped; }
}
