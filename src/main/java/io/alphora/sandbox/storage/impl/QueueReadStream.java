package io.alphora.sandbox.storage.impl;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayDeque;

/**
 * A {@link ReadStream} that a producer feeds ({@link #write}, {@link #end}, {@link #fail}) and a
 * consumer reads with the usual demand: it starts paused, delivers no more than was fetched, and
 * tells the producer through {@link #onConsumed} each time a buffer was handed over, which is how
 * producers that cannot be paused directly (a thread, a reactive publisher) apply backpressure.
 * Everything happens on one context's thread; calls from elsewhere hop onto it. A failure is delivered at
 * once (queued data is dropped): a consumer never mistakes a broken stream for a short one.
 */
public final class QueueReadStream implements ReadStream<Buffer>, Cancellable {
  private final Context context;
  private final ArrayDeque<Buffer> queue = new ArrayDeque<>();
  private long demand;
  private boolean ended;
  private boolean done;
  private boolean emitting;
  private Throwable failure;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private Runnable onConsumed = () -> { };
  private Runnable onCancel = () -> { };

  public QueueReadStream(Context context) { this.context = context; }

  /** A paused stream of exactly {@code data}, then the end. */
  public static QueueReadStream of(Context context, Buffer data) {
    QueueReadStream s = new QueueReadStream(context);
    s.write(data);
    s.end();
    return s;
  }

  public Context context() { return context; }

  /** Called on the context after each buffer was delivered to the handler. */
  public QueueReadStream onConsumed(Runnable r) {
    onConsumed = r;
    return this;
  }

  /** Called on the context when the consumer gives up ({@link #cancel}). */
  public QueueReadStream onCancel(Runnable r) {
    onCancel = r;
    return this;
  }

  public void write(Buffer b) { on(() -> { if (!done) { queue.add(b); drain(); } }); }

  public void end() { on(() -> { ended = true; drain(); }); }

  public void fail(Throwable t) { on(() -> { if (!done && failure == null) { failure = t; drain(); } }); }

  /** Buffers waiting for demand. */
  public int queued() { return queue.size(); }

  /** The consumer gives up: nothing more is delivered and the producer is told. */
  @Override
  public void cancel() {
    on(() -> {
      if (!done) {
        done = true;
        queue.clear();
        onCancel.run();
      }
    });
  }

  @Override
  public QueueReadStream handler(Handler<Buffer> h) {
    handler = h;
    return this;
  }

  @Override
  public QueueReadStream exceptionHandler(Handler<Throwable> h) {
    exceptionHandler = h;
    return this;
  }

  @Override
  public QueueReadStream endHandler(Handler<Void> h) {
    endHandler = h;
    return this;
  }

  @Override
  public QueueReadStream pause() {
    on(() -> demand = 0);
    return this;
  }

  @Override
  public QueueReadStream resume() { return fetch(Long.MAX_VALUE); }

  @Override
  public QueueReadStream fetch(long amount) {
    on(() -> {
      demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
      drain();
    });
    return this;
  }

  private void on(Runnable r) {
    // the context check alone is not enough: executeBlocking runs on a worker thread with the
    // caller's context current, and the queue must only ever be touched by the context's thread
    if (Vertx.currentContext() == context && context.isEventLoopContext() && Context.isOnEventLoopThread()) {
      r.run();
    } else {
      context.runOnContext(v -> r.run());
    }
  }

  private void drain() {
    if (emitting || done) {
      return;
    }
    emitting = true;
    try {
      if (failure != null) {
        done = true;
        queue.clear();
        if (exceptionHandler != null) {
          exceptionHandler.handle(failure);
        }
        return;
      }
      while (demand > 0 && !queue.isEmpty() && !done) {
        Buffer b = queue.poll();
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        if (handler != null) {
          handler.handle(b);
        }
        onConsumed.run();
      }
      if (ended && queue.isEmpty() && !done && failure == null) {
        done = true;
        if (endHandler != null) {
          endHandler.handle(null);
        }
      }
    } finally {
      emitting = false;
    }
    if (failure != null && !done) {
      drain(); // a failure arrived while a handler ran
    }
  }
}
