package io.alphora.sandbox.storage.impl;

import io.alphora.sandbox.SandboxException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.streams.ReadStream;
import java.util.function.LongFunction;

/** Small stream utilities shared by the storages and the HTTP routes. */
public final class Streams {
  private Streams() {}

  /** Reads a whole (paused or fresh) stream into memory, failing as soon as it passes {@code cap}. */
  public static Future<Buffer> collect(ReadStream<Buffer> s, long cap, LongFunction<SandboxException> tooLarge) {
    Promise<Buffer> p = Promise.promise();
    Buffer all = Buffer.buffer();
    s.handler(b -> {
      if (all.length() + (long) b.length() > cap) {
        if (p.tryFail(tooLarge.apply(cap))) {
          discard(s);
        }
        return;
      }
      all.appendBuffer(b);
    });
    s.exceptionHandler(p::tryFail);
    s.endHandler(v -> p.tryComplete(all));
    s.resume();
    return p.future();
  }

  /**
   * Stops reading {@code s} and releases what feeds it: a file is closed, a {@link Cancellable}
   * cancelled, anything else drained into nothing.
   */
  public static void discard(ReadStream<Buffer> s) {
    if (s instanceof Cancellable c) {
      c.cancel();
    } else if (s instanceof AsyncFile f) {
      f.handler(null);
      f.close();
    } else {
      s.exceptionHandler(t -> { });
      s.endHandler(null);
      s.handler(b -> { });
      s.resume();
    }
  }

  /**
   * A {@link QueueReadStream} reading the paused {@code src} on demand (a few buffers ahead), which
   * calls {@code release} once when {@code src} ended, failed, or the consumer cancelled: the way
   * to hand out a file or a download that must be closed whatever the consumer does.
   */
  public static QueueReadStream feed(io.vertx.core.Context context, ReadStream<Buffer> src, Runnable release) {
    QueueReadStream q = new QueueReadStream(context);
    boolean[] released = {false};
    Runnable once = () -> {
      if (!released[0]) {
        released[0] = true;
        release.run();
      }
    };
    src.pause();
    src.handler(q::write);
    src.endHandler(v -> {
      q.end();
      once.run();
    });
    src.exceptionHandler(t -> {
      q.fail(t);
      once.run();
    });
    q.onConsumed(() -> src.fetch(1)).onCancel(once);
    src.fetch(2);
    return q;
  }

  /**
   * {@code s}, failing with {@code tooLarge} (and stopping the source) once more than {@code max}
   * bytes went through.
   */
  public static ReadStream<Buffer> limit(ReadStream<Buffer> s, long max, LongFunction<SandboxException> tooLarge) {
    return new Limited(s, max, tooLarge);
  }

  private static final class Limited implements ReadStream<Buffer> {
    private final ReadStream<Buffer> s;
    private final long max;
    private final LongFunction<SandboxException> tooLarge;
    private long seen;
    private boolean failed;
    private Handler<Throwable> onError;

    Limited(ReadStream<Buffer> s, long max, LongFunction<SandboxException> tooLarge) {
      this.s = s;
      this.max = max;
      this.tooLarge = tooLarge;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> h) {
      if (h == null) {
        s.handler(null);
        return this;
      }
      s.handler(b -> {
        if (failed) {
          return;
        }
        seen += b.length();
        if (seen > max) {
          failed = true;
          s.pause();
          if (onError != null) {
            onError.handle(tooLarge.apply(max));
          }
          return;
        }
        h.handle(b);
      });
      return this;
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> h) {
      onError = h;
      s.exceptionHandler(h);
      return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> h) {
      s.endHandler(h == null ? null : v -> {
        if (!failed) {
          h.handle(v);
        }
      });
      return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
      s.pause();
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      if (!failed) {
        s.resume();
      }
      return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      if (!failed) {
        s.fetch(amount);
      }
      return this;
    }
  }
}
