package io.alphora.sandbox;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.streams.ReadStream;

/**
 * The live events of one run ({@link Sandbox#execStream}): a Vert.x {@link ReadStream} that emits
 * {@code start}, the output pieces as they are printed, and {@code exit}, then ends.
 *
 * <p>Flow control: {@link #pause()}, {@link #resume()} and {@link #fetch(long)} hold events back in a
 * buffer of at most {@link #MAX_BUFFERED_CHARS} output characters. The run itself is not slowed: when a
 * paused consumer lets more than that pile up, the stream fails with a {@link SandboxException}
 * ({@code payload_too_large}) and stops; the run goes on and its result stays available through
 * {@link #result()} and {@link Sandbox#execution(String)}.
 */
public interface ExecStream extends ReadStream<ExecEvent> {
  /** Output characters a paused stream buffers before it fails. */
  int MAX_BUFFERED_CHARS = 8 * 1024 * 1024;

  /** The run's id (chosen before the run started). */
  String execId();

  /** The final result, also when nobody reads the stream. */
  Future<ExecutionResult> result();

  /** Feeds the run's stdin (the run was started with its stdin open). */
  Future<Void> writeStdin(String data);

  /** Closes the run's stdin: the program reads end-of-file. */
  Future<Void> closeStdin();

  /** Cancels the run; the stream still ends with its {@code exit} event. */
  Future<ExecutionResult> cancel();

  @Override
  ExecStream exceptionHandler(Handler<Throwable> handler);

  @Override
  ExecStream handler(Handler<ExecEvent> handler);

  @Override
  ExecStream pause();

  @Override
  ExecStream resume();

  @Override
  ExecStream fetch(long amount);

  @Override
  ExecStream endHandler(Handler<Void> endHandler);
}
