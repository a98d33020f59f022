package io.alphora.sandbox.backend.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.core.command.WaitContainerResultCallback;
import io.alphora.sandbox.runner.RunnerChannel;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A container's runner reached over the container's attached stdin/stdout (one hijacked HTTP
 * connection to the daemon, multiplexed stdout/stderr frames): no {@code docker exec} per run,
 * a request/reply costs a fraction of a millisecond. Open it before the container starts, so the
 * runner's first event (ready) is not lost. The end of the attach stream is the runner's end.
 */
final class AttachChannel implements RunnerChannel {
  private static final Logger LOG = LoggerFactory.getLogger(AttachChannel.class);
  private static final int PIPE_BYTES = 4 << 20;

  private final DockerClient docker;
  private final String containerId;
  private final BytePipe toRunner = new BytePipe(1 << 20);
  private final BytePipe events = new BytePipe(PIPE_BYTES);
  private final BytePipe errors = new BytePipe(64 << 10);
  private final CountDownLatch attached = new CountDownLatch(1);
  private volatile boolean ended;
  private volatile Closeable stream;

  private AttachChannel(DockerClient docker, String containerId) {
    this.docker = docker;
    this.containerId = containerId;
  }

  /** Attaches to a created (not yet started, or stopped) container; returns once the stream is open. */
  static AttachChannel open(DockerClient docker, String containerId) throws IOException {
    AttachChannel ch = new AttachChannel(docker, containerId);
    docker.attachContainerCmd(containerId).withStdIn(ch.toRunner.source()).withStdOut(true).withStdErr(true)
        .withFollowStream(true).exec(ch.new Callback());
    try {
      if (!ch.attached.await(10, TimeUnit.SECONDS) || ch.ended) {
        ch.kill();
        throw new IOException("could not attach to container " + short12(containerId));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ch.kill();
      throw new java.io.InterruptedIOException("interrupted while attaching to " + short12(containerId));
    }
    return ch;
  }

  private final class Callback extends ResultCallback.Adapter<Frame> {
    @Override
    public void onStart(Closeable c) {
      stream = c;
      attached.countDown();
    }

    @Override
    public void onNext(Frame f) {
      try {
        (f.getStreamType() == StreamType.STDERR ? errors : events).sink().write(f.getPayload());
      } catch (IOException e) {
        LOG.debug("container {}: frame dropped: {}", short12(containerId), e.toString());
      }
    }

    @Override
    public void onError(Throwable t) {
      LOG.debug("container {}: attach stream failed: {}", short12(containerId), t.toString());
      end();
    }

    @Override
    public void onComplete() { end(); }
  }

  private void end() {
    ended = true;
    attached.countDown();
    events.close();
    errors.close();
    toRunner.close();
  }

  @Override
  public OutputStream input() { return toRunner.sink(); }

  @Override
  public InputStream output() { return events.source(); }

  @Override
  public InputStream errors() { return errors.source(); }

  @Override
  public String describe() { return "container " + short12(containerId); }

  @Override
  public long pid() { return -1; }

  @Override
  public boolean isAlive() { return !ended; }

  @Override
  public Integer waitFor(long millis) throws InterruptedException {
    return waitForExit(docker, containerId, millis, ended);
  }

  /**
   * The container's exit code within {@code millis}, else null; -1 when the daemon cannot say (its
   * transport fails with a bare RuntimeException when it is gone) but the channel has {@code ended}.
   * The waits of both runner channels.
   */
  static Integer waitForExit(DockerClient docker, String containerId, long millis, boolean ended)
      throws InterruptedException {
    try {
      return docker.waitContainerCmd(containerId).exec(new WaitContainerResultCallback())
          .awaitStatusCode(millis, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      return ended ? -1 : null;
    }
  }

  @Override
  public void kill() {
    try {
      docker.killContainerCmd(containerId).exec();
    } catch (RuntimeException e) {
      LOG.debug("container {}: kill: {}", short12(containerId), e.getMessage());
    }
    close();
  }

  /** Drops the attach connection (the container is left as it is). */
  void close() {
    Closeable c = stream;
    if (c != null) {
      try {
        c.close();
      } catch (IOException ignored) {
        // the connection is gone either way
      }
    }
    end();
  }

  static String short12(String id) { return id.length() > 12 ? id.substring(0, 12) : id; }
}
