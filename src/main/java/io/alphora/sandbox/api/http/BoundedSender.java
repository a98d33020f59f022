package io.alphora.sandbox.api.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Writes text frames to a socket or response without ever buffering more than a fixed amount for a
 * slow client. While the stream's own write queue is below its mark, frames go straight out; when it
 * is full they wait here, and the drain handler sends them on. If more than {@code maxBytes} wait, the
 * sender gives up once: it drops what waits and calls {@code onOverflow} (which tells the client and
 * closes). Runs are never slowed by a client; they keep going and their results stay readable.
 */
final class BoundedSender {
  private final WriteStream<?> stream;
  private final Consumer<Buffer> write;
  private final long maxBytes;
  private final Runnable onOverflow;
  private final ArrayDeque<Buffer> waiting = new ArrayDeque<>();
  private long waitingBytes;
  private boolean stopped;
  private Runnable afterFlush;

  BoundedSender(WriteStream<?> stream, Consumer<Buffer> write, long maxBytes, Runnable onOverflow) {
    this.stream = stream;
    this.write = write;
    this.maxBytes = maxBytes;
    this.onOverflow = onOverflow;
    stream.drainHandler(v -> flush());
  }

  void send(String frame) { send(Buffer.buffer(frame)); }

  void send(Buffer frame) {
    if (stopped) {
      return;
    }
    if (waiting.isEmpty() && !stream.writeQueueFull()) {
      write.accept(frame);
      return;
    }
    waiting.addLast(frame);
    waitingBytes += frame.length();
    if (waitingBytes > maxBytes) {
      stopped = true;
      waiting.clear();
      waitingBytes = 0;
      onOverflow.run();
    }
  }

  /** Sends a last frame even past the limit (the overflow notice), then nothing more. */
  void sendFinal(String frame) {
    write.accept(Buffer.buffer(frame));
    stopped = true;
  }

  private void flush() {
    while (!waiting.isEmpty() && !stream.writeQueueFull()) {
      Buffer f = waiting.pollFirst();
      waitingBytes -= f.length();
      write.accept(f);
    }
    if (waiting.isEmpty() && afterFlush != null) {
      Runnable r = afterFlush;
      afterFlush = null;
      r.run();
    }
  }

  /** Runs {@code r} once everything waiting has been handed to the stream (now, if nothing waits). */
  void afterFlush(Runnable r) {
    if (waiting.isEmpty()) {
      r.run();
    } else {
      afterFlush = r;
    }
  }

  /** Bytes waiting for the client right now. */
  long waiting() { return waitingBytes; }

  boolean stopped() { return stopped; }

  void stop() {
    stopped = true;
    waiting.clear();
    waitingBytes = 0;
  }
}
