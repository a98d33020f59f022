package io.alphora.sandbox.storage.s3;

import io.alphora.sandbox.storage.impl.QueueReadStream;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * The body of an S3 download (a Reactive Streams publisher on the SDK's threads) as a paused
 * {@link QueueReadStream} on a Vert.x context: one buffer is requested per buffer consumed, two
 * ahead, so a slow reader slows the download instead of filling memory. Cancelling the stream
 * cancels the download.
 */
final class PublisherReadStream {
  private static final int AHEAD = 2;

  private PublisherReadStream() {}

  static QueueReadStream of(Context context, Publisher<ByteBuffer> body, Function<Throwable, Throwable> errors) {
    QueueReadStream q = new QueueReadStream(context);
    AtomicReference<Subscription> sub = new AtomicReference<>();
    q.onConsumed(() -> {
      Subscription s = sub.get();
      if (s != null) {
        s.request(1);
      }
    }).onCancel(() -> {
      Subscription s = sub.get();
      if (s != null) {
        s.cancel();
      }
    });
    body.subscribe(new Subscriber<ByteBuffer>() {
      @Override
      public void onSubscribe(Subscription s) {
        sub.set(s);
        s.request(AHEAD);
      }

      @Override
      public void onNext(ByteBuffer bb) {
        byte[] b = new byte[bb.remaining()];
        bb.get(b);
        q.write(Buffer.buffer(b));
      }

      @Override
      public void onError(Throwable t) { q.fail(errors.apply(t)); }

      @Override
      public void onComplete() { q.end(); }
    });
    return q;
  }
}
