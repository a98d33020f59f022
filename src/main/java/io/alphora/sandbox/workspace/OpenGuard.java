package io.alphora.sandbox.workspace;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Bounds how long an {@code openat} can block.
 *
 * <p>Why: we stat an entry, see a regular file or directory, then open it. The sandbox can swap
 * the entry for a FIFO in between, and open(2) of a FIFO for reading blocks until a writer
 * appears; the JDK offers neither O_NONBLOCK nor O_DIRECTORY, so a worker thread would hang
 * forever. If the open has not returned after a grace period, we open the same entry (relative to
 * the same trusted directory, without following links) with O_RDWR: on Linux that never blocks
 * on a FIFO and it counts as the writer, so the stuck open returns and the caller's checks refuse
 * the FIFO. The release only fires on an entry that is a FIFO at that moment.
 */
final class OpenGuard {
  static final long GRACE_MILLIS = 1000;
  private static final ScheduledThreadPoolExecutor TIMER = timer();

  private OpenGuard() {}

  interface Opener<T> {
    T open() throws IOException;
  }

  static <T> T open(SecureDirectoryStream<Path> dir, Path name, Opener<T> opener) throws IOException {
    ScheduledFuture<?> release = TIMER.schedule(() -> release(dir, name), GRACE_MILLIS, TimeUnit.MILLISECONDS);
    try {
      return opener.open();
    } finally {
      release.cancel(false);
    }
  }

  private static void release(SecureDirectoryStream<Path> dir, Path name) {
    try {
      // only a FIFO can block an open; anything else is left alone
      if (!dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .readAttributes().isOther()) {
        return;
      }
    } catch (IOException | RuntimeException e) {
      return;
    }
    try (SeekableByteChannel ignored = dir.newByteChannel(name,
        Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))) {
      // opening is all it takes
    } catch (IOException | RuntimeException ignored) {
      // a directory (EISDIR), a link (ELOOP), a closed stream: nothing was blocked on a FIFO
    }
  }

  private static ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
      Thread th = new Thread(r, "alphora-workspace-open-guard");
      th.setDaemon(true);
      return th;
    });
    t.setRemoveOnCancelPolicy(true);
    return t;
  }
}
