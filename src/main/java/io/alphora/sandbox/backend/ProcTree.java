package io.alphora.sandbox.backend;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads /proc to measure a process and all its descendants (Linux only). */
public final class ProcTree {
  private static final Path PROC = Path.of("/proc");
  private static final long PAGE = 4096;
  private static final double HZ = 100.0;

  private ProcTree() {}

  private record Stat(long pid, long ppid, String comm, double cpu, int threads, long rss) {}

  /**
   * Totals for {@code root} and its descendants; {@code processes} excludes the root itself and any
   * process named in {@code helpers} (the runner's idle cells), whose children are still counted.
   */
  public static ProcStats measure(long root, java.util.Set<String> helpers) {
    Map<Long, List<Stat>> children = new HashMap<>();
    Stat rootStat = null;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(PROC)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (!Character.isDigit(name.charAt(0))) {
          continue;
        }
        Stat s = read(p.resolve("stat"));
        if (s == null) {
          continue;
        }
        if (s.pid == root) {
          rootStat = s;
        }
        children.computeIfAbsent(s.ppid, k -> new ArrayList<>()).add(s);
      }
    } catch (IOException e) {
      return ProcStats.NONE;
    }
    if (rootStat == null) {
      return ProcStats.NONE;
    }
    long rss = 0;
    double cpu = 0;
    int procs = -1;
    int threads = 0;
    ArrayDeque<Stat> todo = new ArrayDeque<>();
    todo.add(rootStat);
    while (!todo.isEmpty()) {
      Stat s = todo.poll();
      todo.addAll(children.getOrDefault(s.pid, List.of()));
      cpu += s.cpu;
      if (s != rootStat && helpers.contains(s.comm)) {
        continue;
      }
      rss += s.rss;
      procs++;
      threads += s.threads;
    }
    return new ProcStats(rss, cpu, procs, threads);
  }

  private static Stat read(Path statFile) {
    try {
      String s = new String(Files.readAllBytes(statFile), StandardCharsets.UTF_8);
      // the command name is in parentheses and may itself contain spaces or ')'
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      long pid = Long.parseLong(s.substring(0, s.indexOf(' ')));
      String comm = s.substring(s.indexOf('(') + 1, s.lastIndexOf(')'));
      // fields after comm: state(0) ppid(1) ... utime(11) stime(12) ... num_threads(17) ... rss(21)
      return new Stat(pid, Long.parseLong(f[1]), comm, (Long.parseLong(f[11]) + Long.parseLong(f[12])) / HZ,
          Integer.parseInt(f[17]), Long.parseLong(f[21]) * PAGE);
    } catch (IOException | RuntimeException e) {
      return null; // the process went away while we read it
    }
  }
}
