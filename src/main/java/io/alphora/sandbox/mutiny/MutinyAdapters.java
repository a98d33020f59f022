package io.alphora.sandbox.mutiny;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.streams.ReadStream;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The two bridges between Vert.x and plain Mutiny (the Vert.x 5 Mutiny bindings do not exist for this
 * Vert.x): a {@link Future} as a {@link Uni}, and a {@link ReadStream} as a {@link Multi} whose
 * downstream requests become {@code fetch(n)} on the stream, so a slow subscriber holds events back
 * instead of receiving them unasked.
 */
public final class MutinyAdapters {
  private MutinyAdapters() {}

  /** A Uni of the future made by {@code future} when the Uni is subscribed (lazy, like every Uni). */
  public static <T> Uni<T> uni(Supplier<Future<T>> future) {
    return Uni.createFrom().completionStage(() -> future.get().toCompletionStage());
  }

  /**
   * A Multi over a stream produced when subscribed: the stream is paused, then fetched as the subscriber
   * requests; its end completes the Multi, its exception fails it. A cancelled subscription stops the
   * delivery (pauses the stream and drops its handlers); it does not stop what produces the events.
   */
  public static <T> Multi<T> multi(Supplier<Future<? extends ReadStream<T>>> stream) {
    return uni(stream::get).onItem().transformToMulti(s -> Multi.createFrom().publisher(publisher(s)));
  }

  /** A single-subscriber {@link Flow.Publisher} over a stream with demand mapped to {@code fetch}. */
  public static <T> Flow.Publisher<T> publisher(ReadStream<T> stream) {
    AtomicBoolean subscribed = new AtomicBoolean();
    return subscriber -> {
      if (!subscribed.compareAndSet(false, true)) {
        subscriber.onSubscribe(new Flow.Subscription() {
          @Override
          public void request(long n) { }

          @Override
          public void cancel() { }
        });
        subscriber.onError(new IllegalStateException("this stream allows one subscriber only"));
        return;
      }
      AtomicBoolean finished = new AtomicBoolean();
      stream.pause();
      stream.exceptionHandler(t -> {
        if (finished.compareAndSet(false, true)) {
          subscriber.onError(t);
        }
      });
      stream.endHandler(v -> {
        if (finished.compareAndSet(false, true)) {
          subscriber.onComplete();
        }
      });
      stream.handler(item -> {
        if (!finished.get()) {
          subscriber.onNext(item);
        }
      });
      subscriber.onSubscribe(new Flow.Subscription() {
        @Override
        public void request(long n) {
          if (n <= 0) {
            if (finished.compareAndSet(false, true)) {
              subscriber.onError(new IllegalArgumentException("request must be positive (rule 3.9), got " + n));
            }
            return;
          }
          stream.fetch(n);
        }

        @Override
        public void cancel() {
          if (finished.compareAndSet(false, true)) {
            stream.pause();
            stream.handler(null);
            stream.endHandler(null);
            stream.exceptionHandler(null);
          }
        }
      });
    };
  }
}
