package io.alphora.sandbox.backend.local;

import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.backend.CgroupCounters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-sandbox cgroups (v1: memory, pids, cpu) where the host lets the service create them: the hard
 * memory limit (the kernel OOM-kills inside the group, never the service), a task limit that stops
 * fork and thread bombs, and a CPU quota. Root ignores RLIMIT_NPROC, so only a pids cgroup bounds
 * processes. The runner enters the groups before anything else runs (see {@link #wrapper}).
 */
final class Cgroups {
  private static final Logger LOG = LoggerFactory.getLogger(Cgroups.class);
  static final Path ROOT = Path.of("/sys/fs/cgroup");
  /** Tasks the runner itself needs besides the sandbox's code: bubblewrap, runner, idle cells. */
  static final int RUNNER_TASKS = 16;

  private final Path memory;
  private final Path pids;
  private final Path cpu;

  private Cgroups(Path memory, Path pids, Path cpu) {
    this.memory = memory;
    this.pids = pids;
    this.cpu = cpu;
  }

  /** The service's cgroup parents, or null when this host does not let it create cgroups (v1 only). */
  static Cgroups detect(String nodeId) {
    Path mem = ROOT.resolve("memory");
    Path pid = ROOT.resolve("pids");
    if (!Files.isRegularFile(mem.resolve("memory.limit_in_bytes")) || !Files.isDirectory(pid)) {
      LOG.warn("cgroup v1 memory/pids controllers not found under {}: memory_mb, cpu_cores, max_processes "
          + "and max_threads are not enforced by cgroups on this host", ROOT);
      return null;
    }
    for (Path controller : List.of(mem, pid, ROOT.resolve("cpu"))) {
      sweep(controller.resolve("alphora"), 60_000);
    }
    String name = "alphora/" + nodeId;
    Cgroups c = new Cgroups(mem.resolve(name), pid.resolve(name),
        Files.isRegularFile(ROOT.resolve("cpu/cpu.cfs_quota_us")) ? ROOT.resolve("cpu").resolve(name) : null);
    try {
      Files.createDirectories(c.memory);
      Files.createDirectories(c.pids);
      if (c.cpu != null) {
        Files.createDirectories(c.cpu);
      }
      return c;
    } catch (IOException e) {
      LOG.warn("cannot create cgroups under {} ({}): memory_mb, cpu_cores, max_processes and max_threads are "
          + "not enforced by cgroups", ROOT, e.getMessage());
      return null;
    }
  }

  /** Removes this node's parent groups (when the backend closes; they are empty by then). */
  void close() {
    for (Path d : new Path[] {memory, pids, cpu}) {
      if (d != null) {
        sweep(d, 0); // this node's own: all of them
        try {
          Files.deleteIfExists(d);
        } catch (IOException e) {
          LOG.debug("cgroup {} still busy: {}", d, e.getMessage());
        }
      }
    }
  }

  /**
   * Deletes the empty groups below {@code dir}, deepest first: those of earlier instances (also
   * after {@code kill -9}) whose processes are all gone. A group still in use cannot be deleted; one
   * made in the last minute is left alone too: another instance on this host (a cluster node, a
   * test) may have just made it for a runner that is about to enter it.
   */
  private static void sweep(Path dir, long minAgeMillis) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    long recent = System.currentTimeMillis() - minAgeMillis;
    try (var s = Files.walk(dir, 3)) {
      s.filter(p -> !p.equals(dir) && Files.isDirectory(p) && olderThan(p, recent))
          .sorted(java.util.Comparator.reverseOrder())
          .forEach(p -> {
            try {
              Files.delete(p);
            } catch (IOException busy) {
              // in use by a running instance
            }
          });
    } catch (IOException | java.io.UncheckedIOException e) {
      LOG.debug("cannot sweep {}: {}", dir, e.getMessage());
    }
  }

  private static boolean olderThan(Path p, long millis) {
    try {
      return Files.getLastModifiedTime(p).toMillis() < millis;
    } catch (IOException gone) {
      return false;
    }
  }

  /** One sandbox's groups. */
  final class Group {
    final Path mem;
    final Path pid;
    final Path cpuDir;
    final int maxProcesses;

    private Group(String sandboxId, int maxProcesses) {
      this.maxProcesses = maxProcesses;
      mem = memory.resolve(sandboxId);
      pid = pids.resolve(sandboxId);
      cpuDir = cpu == null ? null : cpu.resolve(sandboxId);
    }

    List<Path> dirs() {
      List<Path> d = new ArrayList<>(List.of(mem, pid));
      if (cpuDir != null) {
        d.add(cpuDir);
      }
      return d;
    }

    /** How many times the kernel OOM-killed inside the group. */
    long oomKills() { return CgroupCounters.field(mem.resolve("memory.oom_control"), "oom_kill"); }

    /** How many times a fork or clone was refused at pids.max. */
    long pidsRefused() { return CgroupCounters.field(pid.resolve("pids.events"), "max"); }

    long memoryBytes() { return number(mem.resolve("memory.usage_in_bytes")); }

    /**
     * Processes of the sandbox's code: those of the group below one of the runner's cells, the
     * runner's own (bubblewrap, runner, idle cells and spares) not counted. Cheap when the group
     * has few processes: only then is nothing but {@code cgroup.procs} read.
     */
    int codeProcesses() {
      List<String> tgids;
      try {
        tgids = Files.readAllLines(pid.resolve("cgroup.procs"), StandardCharsets.US_ASCII);
      } catch (IOException e) {
        return 0;
      }
      if (tgids.size() <= maxProcesses) {
        return tgids.size(); // an upper bound, already within the limit
      }
      java.util.Map<Long, long[]> parent = new java.util.HashMap<>(); // pid -> {ppid, isCell, isHelper}
      for (String t : tgids) {
        try {
          String stat = Files.readString(Path.of("/proc", t, "stat"), StandardCharsets.UTF_8);
          String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          long ppid = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ", 3)[1]);
          boolean helper = io.alphora.sandbox.runner.RunnerProcess.HELPER_PROCESS_NAMES.contains(comm);
          parent.put(Long.parseLong(t.trim()), new long[] {ppid, "alphora-cell".equals(comm) ? 1 : 0, helper ? 1 : 0});
        } catch (IOException | RuntimeException gone) {
          // exited while we looked
        }
      }
      int n = 0;
      for (var e : parent.entrySet()) {
        if (e.getValue()[2] == 1) {
          continue;
        }
        long up = e.getValue()[0];
        for (int depth = 0; depth < 64 && parent.containsKey(up); depth++) {
          long[] p = parent.get(up);
          if (p[1] == 1) {
            n++;
            break;
          }
          up = p[0];
        }
      }
      return n;
    }

    /** Removes the groups once their tasks are gone (the kernel may report EBUSY for a moment). */
    void remove() {
      for (Path d : dirs()) {
        for (int i = 0; i < 50 && Files.exists(d); i++) {
          try {
            Files.delete(d);
          } catch (IOException e) {
            sleep();
          }
        }
      }
    }
  }

  Group create(String sandboxId, ResourceLimits l) throws IOException {
    Group g = new Group(sandboxId, l.maxProcesses());
    for (Path d : g.dirs()) {
      Files.createDirectories(d);
    }
    long bytes = l.memoryMb() * 1024L * 1024L;
    write(g.mem.resolve("memory.limit_in_bytes"), bytes);
    Path memsw = g.mem.resolve("memory.memsw.limit_in_bytes");
    if (Files.exists(memsw)) {
      write(memsw, bytes); // no swap beyond the limit
    }
    // tasks = threads (a process is at least one): max_threads is the kernel's hard cap, max_processes
    // is counted by the ProcessWatch below it
    write(g.pid.resolve("pids.max"), (long) Math.max(l.maxProcesses(), l.maxThreads()) + RUNNER_TASKS);
    if (g.cpuDir != null) {
      write(g.cpuDir.resolve("cpu.cfs_period_us"), 100_000);
      write(g.cpuDir.resolve("cpu.cfs_quota_us"), Math.max(1000, Math.round(l.cpuCores() * 100_000)));
    }
    return g;
  }

  /**
   * A command prefix that moves itself into the groups and then execs the rest, so the runner and
   * everything it forks are inside from their first instruction.
   */
  static List<String> wrapper(Group g) {
    List<String> a = new ArrayList<>(List.of("/bin/sh", "-c",
        "n=$1; shift; while [ \"$n\" -gt 0 ]; do echo $$ > \"$1/cgroup.procs\" || exit 97; shift; n=$((n-1)); done; "
            + "exec \"$@\"", "alphora-cgroup", String.valueOf(g.dirs().size())));
    g.dirs().forEach(d -> a.add(d.toString()));
    return a;
  }

  private static void write(Path file, long value) throws IOException {
    Files.writeString(file, Long.toString(value), StandardCharsets.US_ASCII);
  }

  private static long number(Path file) {
    try {
      return Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
