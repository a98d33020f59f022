package io.alphora.sandbox.backend.local;

import java.nio.file.Path;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills runner processes left by an earlier instance of the service on the same base path (for
 * instance after {@code kill -9} of the JVM, before the runners noticed). A runner and the per-run
 * processes it forked share its command line, whose script lives in this instance's runner directory.
 */
public final class StaleRunners {
  private static final Logger LOG = LoggerFactory.getLogger(StaleRunners.class);

  private StaleRunners() {}

  public static int kill(Path runnerDir) {
    String prefix = runnerDir.toAbsolutePath() + "/";
    long self = ProcessHandle.current().pid();
    int[] n = {0};
    ProcessHandle.allProcesses().filter(p -> p.pid() != self).forEach(p -> {
      String[] args = p.info().arguments().orElse(null);
      if (args != null && Arrays.stream(args).anyMatch(a -> a.startsWith(prefix) && a.endsWith(".py"))) {
        if (p.destroyForcibly()) {
          n[0]++;
        }
      }
    });
    if (n[0] > 0) {
      LOG.warn("killed {} runner process(es) left by an earlier instance under {}", n[0], runnerDir);
    }
    return n[0];
  }
}
