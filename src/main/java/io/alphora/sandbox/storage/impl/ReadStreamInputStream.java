package io.alphora.sandbox.storage.impl;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Lets a blocking reader (a worker thread unpacking a tar.gz, say) consume a {@link ReadStream} of
 * a Vert.x context without holding it whole: the reader asks for one buffer at a time, with
 * {@value #PREFETCH} buffers fetched ahead. {@link #close()} before the end cancels the source.
 * A source that fails makes {@code read} throw; one that delivers nothing for
 * {@code stallSeconds} makes it throw too, so a dead store cannot hang a worker thread forever.
 */
public final class ReadStreamInputStream extends InputStream {
  static final int PREFETCH = 4;
  private static final Object END = new Object();

  private final Context context;
  private final ReadStream<Buffer> source;
  private final long stallSeconds;
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private Buffer current;
  private int pos;
  private boolean ended;
  private boolean closed;

  /** Call on {@code context}, the source's context, before the source was resumed. */
  public ReadStreamInputStream(Context context, ReadStream<Buffer> source, long stallSeconds) {
    this.context = context;
    this.source = source;
    this.stallSeconds = stallSeconds;
    source.pause();
    source.handler(queue::add);
    source.endHandler(v -> queue.add(END));
    source.exceptionHandler(queue::add);
    source.fetch(PREFETCH);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (current == null || pos >= current.length()) {
      if (ended) {
        return -1;
      }
      next();
    }
    int n = Math.min(len, current.length() - pos);
    current.getBytes(pos, pos + n, b, off);
    pos += n;
    return n;
  }

  private void next() throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
    Object o;
    try {
      o = queue.poll(stallSeconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the store");
    }
    if (o == null) {
      throw new IOException("the store sent nothing for " + stallSeconds + " s");
    }
    if (o == END) {
      ended = true;
      current = null;
      return;
    }
    if (o instanceof Throwable t) {
      ended = true;
      throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
    }
    current = (Buffer) o;
    pos = 0;
    context.runOnContext(v -> source.fetch(1));
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (!ended) {
        context.runOnContext(v -> Streams.discard(source));
      }
    }
  }
}
