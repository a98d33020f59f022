package io.alphora.sandbox.backend.docker;

import io.alphora.sandbox.runner.RunnerProcess;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Started containers of one {@link Shape} (the default image, limits and policy), each with its
 * runner ready, waiting to become a sandbox. A container leaves the pool exactly once, by
 * {@link #take} (it then belongs to a sandbox and is removed with it, never returned) or by being
 * discarded (its runner died, or it reached the maximum age). One background thread refills the
 * pool, one container at a time, and retries while the daemon is away.
 */
final class WarmPool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WarmPool.class);

  /**
   * A warm container: its id, the host directory holding its workspace and site directory (on
   * workspace volumes never made: its name is the token its volumes are named after), its runner.
   */
  record Warm(String containerId, Path dir, RunnerProcess runner, long bornNanos) {}

  /** Makes and disposes of warm containers (the backend knows how). */
  interface Maker {
    Warm make() throws Exception;

    void discard(Warm w);

    /** Called before each refill and at close: finishes discards the daemon could not do at the time. */
    default void tidy() {}
  }

  final Shape shape;
  private final int size;
  private final long maxAgeNanos;
  private final Maker maker;
  private final ArrayDeque<Warm> ready = new ArrayDeque<>();
  private final ScheduledExecutorService filler;
  private volatile boolean closed;
  private volatile long failures;

  WarmPool(Shape shape, int size, long maxAgeSeconds, Maker maker) {
    this.shape = shape;
    this.size = size;
    this.maxAgeNanos = TimeUnit.SECONDS.toNanos(maxAgeSeconds);
    this.maker = maker;
    this.filler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "alphora-docker-pool");
      t.setDaemon(true);
      return t;
    });
  }

  void start() { filler.scheduleWithFixedDelay(this::refill, 0, 1, TimeUnit.SECONDS); }

  /** A warm container with a live runner, or null (empty pool). The caller owns it from now on. */
  Warm take() {
    Warm w;
    while ((w = poll()) != null) {
      if (w.runner().isAlive() && System.nanoTime() - w.bornNanos() < maxAgeNanos) {
        filler.execute(this::refill);
        return w;
      }
      maker.discard(w);
    }
    filler.execute(this::refill);
    return null;
  }

  private synchronized Warm poll() { return ready.poll(); }

  synchronized int available() { return ready.size(); }

  private void refill() {
    if (closed) {
      return;
    }
    maker.tidy();
    expire();
    while (!closed && available() < size) {
      try {
        Warm w = maker.make();
        boolean kept;
        synchronized (this) {
          kept = !closed && ready.add(w);
        }
        if (!kept) {
          maker.discard(w);
          return;
        }
        w.runner().onDeath(() -> {
          if (remove(w)) {
            LOG.info("warm container {} died; replacing it", AttachChannel.short12(w.containerId()));
            maker.discard(w);
          }
        });
        failures = 0;
      } catch (Exception e) {
        if (failures++ % 60 == 0) {   // the daemon may be away for a while: say so once a minute
          LOG.warn("warm pool: could not start a container: {}", DockerClients.rootMessage(e));
        }
        return;
      }
    }
  }

  private synchronized boolean remove(Warm w) { return ready.remove(w); }

  private void expire() {
    long now = System.nanoTime();
    java.util.List<Warm> old = new java.util.ArrayList<>();
    synchronized (this) {
      ready.removeIf(w -> {
        boolean stale = now - w.bornNanos() >= maxAgeNanos || !w.runner().isAlive();
        if (stale) {
          old.add(w);
        }
        return stale;
      });
    }
    old.forEach(maker::discard);
  }

  /** Stops refilling and removes every warm container. Blocking. */
  @Override
  public void close() {
    closed = true;
    filler.shutdown();
    try {
      filler.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Warm w;
    while ((w = poll()) != null) {
      maker.discard(w);
    }
    maker.tidy();
  }
}
