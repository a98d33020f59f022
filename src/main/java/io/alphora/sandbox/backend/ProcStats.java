package io.alphora.sandbox.backend;

/** Memory (resident bytes), CPU seconds, process and thread counts of a sandbox's process tree. */
public record ProcStats(long rssBytes, double cpuSeconds, int processes, int threads) {
  public static final ProcStats NONE = new ProcStats(0, 0, 0, 0);
}
