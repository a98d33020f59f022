package io.alphora.sandbox.backend.docker;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;

/**
 * An in-memory byte pipe between two threads, unlike {@link java.io.PipedInputStream} indifferent
 * to which threads write (docker-java calls back on pooled threads that come and go). A reader
 * blocks until bytes arrive or the pipe is closed; a writer blocks while {@code capacity} bytes
 * are unread, so a runner that floods output slows down instead of filling the heap.
 */
final class BytePipe {
  private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
  private final int capacity;
  private byte[] head;
  private int headPos;
  private int buffered;
  private boolean closed;

  BytePipe(int capacity) { this.capacity = capacity; }

  private synchronized void put(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return;
    }
    try {
      while (!closed && buffered >= capacity) {
        wait();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing to the pipe");
    }
    if (closed) {
      throw new IOException("pipe closed");
    }
    byte[] copy = new byte[len];
    System.arraycopy(b, off, copy, 0, len);
    chunks.add(copy);
    buffered += len;
    notifyAll();
  }

  private synchronized int take(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    try {
      while (head == null && chunks.isEmpty() && !closed) {
        wait();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading from the pipe");
    }
    int n = 0;
    while (n < len) {
      if (head == null) {
        head = chunks.poll();
        headPos = 0;
        if (head == null) {
          break;
        }
      }
      int k = Math.min(len - n, head.length - headPos);
      System.arraycopy(head, headPos, b, off + n, k);
      headPos += k;
      n += k;
      if (headPos == head.length) {
        head = null;
      }
    }
    if (n == 0) {
      return -1; // closed and drained
    }
    buffered -= n;
    notifyAll();
    return n;
  }

  /** Ends the pipe: readers get the bytes already written, then end of stream; writers fail. */
  synchronized void close() {
    closed = true;
    notifyAll();
  }

  OutputStream sink() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException { put(new byte[] {(byte) b}, 0, 1); }

      @Override
      public void write(byte[] b, int off, int len) throws IOException { put(b, off, len); }

      @Override
      public void close() { BytePipe.this.close(); }
    };
  }

  InputStream source() {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return take(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException { return take(b, off, len); }

      @Override
      public int available() {
        synchronized (BytePipe.this) {
          return buffered;
        }
      }

      @Override
      public void close() { BytePipe.this.close(); }
    };
  }
}
