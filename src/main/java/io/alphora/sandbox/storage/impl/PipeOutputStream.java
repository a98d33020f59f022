package io.alphora.sandbox.storage.impl;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Turns a blocking writer (a worker thread building a tar.gz, say) into a {@link QueueReadStream}
 * on a Vert.x context without holding the data: bytes are cut into 64 KiB buffers and at most
 * {@value #IN_FLIGHT} buffers are queued; a writer that gets ahead of the consumer blocks. When the
 * consumer gives up ({@link QueueReadStream#cancel()}), the next write throws, so the writer stops.
 */
public final class PipeOutputStream extends OutputStream {
  static final int CHUNK = 64 * 1024;
  static final int IN_FLIGHT = 16;

  private final QueueReadStream stream;
  private final Semaphore permits = new Semaphore(IN_FLIGHT);
  private byte[] buf = new byte[CHUNK];
  private int pos;
  private volatile boolean cancelled;
  private boolean closed;

  public PipeOutputStream(Context context) {
    stream = new QueueReadStream(context);
    stream.onConsumed(permits::release).onCancel(() -> {
      cancelled = true;
      permits.release(IN_FLIGHT); // wakes a blocked writer, which then sees the cancel
    });
  }

  /** What the consumer reads; paused until it fetches. */
  public QueueReadStream readStream() { return stream; }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    check();
    while (len > 0) {
      int n = Math.min(len, CHUNK - pos);
      System.arraycopy(b, off, buf, pos, n);
      pos += n;
      off += n;
      len -= n;
      if (pos == CHUNK) {
        send();
      }
    }
  }

  private void send() throws IOException {
    if (pos == 0) {
      return;
    }
    try {
      while (!permits.tryAcquire(1, TimeUnit.SECONDS)) {
        check();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the consumer was slow");
    }
    check();
    stream.write(Buffer.buffer(pos == CHUNK ? buf : java.util.Arrays.copyOf(buf, pos)));
    buf = new byte[CHUNK]; // the queued buffer wraps the old array
    pos = 0;
  }

  private void check() throws IOException {
    if (cancelled) {
      throw new IOException("the reader of this stream gave up");
    }
    if (closed) {
      throw new IOException("stream closed");
    }
  }

  /** Sends what is buffered and ends the stream. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    send();
    closed = true;
    stream.end();
  }

  /** The writer failed: the reader gets {@code t} instead of an end. */
  public void fail(Throwable t) {
    closed = true;
    stream.fail(t);
  }
}
