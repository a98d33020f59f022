package io.alphora.sandbox.backend.docker;

import io.alphora.sandbox.backend.CgroupCounters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The counters of a container's cgroup that say which limit ended a run: OOM kills and refused
 * forks. Read on the host (a local daemon): cgroup v1 with the cgroupfs or systemd driver, or the
 * v2 unified hierarchy. When none is visible (remote daemon), the runner reads the same counters
 * inside the container, where its own cgroup is mounted, and names the limit in its exit event.
 */
final class ContainerCgroup {
  private static final Path ROOT = Path.of("/sys/fs/cgroup");

  private final Path memoryEvents;   // v1 memory.oom_control ("oom_kill N") or v2 memory.events
  private final Path pidsEvents;     // pids.events ("max N")

  private ContainerCgroup(Path memoryEvents, Path pidsEvents) {
    this.memoryEvents = memoryEvents;
    this.pidsEvents = pidsEvents;
  }

  /** For containers of a daemon that is not assumed to share this host's cgroups (volume workspaces). */
  static ContainerCgroup none() { return new ContainerCgroup(null, null); }

  static ContainerCgroup find(String containerId) {
    Path mem = null;
    Path pids = null;
    for (String rel : List.of("docker/" + containerId, "system.slice/docker-" + containerId + ".scope")) {
      if (mem == null && Files.isRegularFile(ROOT.resolve("memory").resolve(rel).resolve("memory.oom_control"))) {
        mem = ROOT.resolve("memory").resolve(rel).resolve("memory.oom_control");
      }
      if (pids == null && Files.isRegularFile(ROOT.resolve("pids").resolve(rel).resolve("pids.events"))) {
        pids = ROOT.resolve("pids").resolve(rel).resolve("pids.events");
      }
      if (mem == null && Files.isRegularFile(ROOT.resolve(rel).resolve("memory.events"))) {
        mem = ROOT.resolve(rel).resolve("memory.events");
        pids = ROOT.resolve(rel).resolve("pids.events");
      }
    }
    return new ContainerCgroup(mem, pids);
  }

  boolean visible() { return memoryEvents != null; }

  long oomKills() { return CgroupCounters.field(memoryEvents, "oom_kill"); }

  long pidsRefused() { return CgroupCounters.field(pidsEvents, "max"); }
}
