package io.alphora.sandbox.backend.docker;

import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.SecurityPolicy;
import io.alphora.sandbox.backend.SandboxSpec;

/**
 * Everything about a sandbox that is fixed when its container is created: two sandboxes of the
 * same shape can use interchangeable containers (that is what lets the warm pool hand one out).
 *
 * @param pids the container's pids limit: the sandbox's processes and threads plus the runner's own
 */
record Shape(String image, long memoryMb, double cpuCores, long diskMb, long pids, long openFiles,
    boolean network, boolean readOnlyWorkspace, boolean socket) {

  /** Tasks the runner needs besides the sandbox's code: docker-init, runner, cells and spares. */
  static final int RUNNER_TASKS = 16;

  /** @param socket the runner connects to a unix socket ({@link SocketLink}), else it is attached to */
  static Shape of(String image, ResourceLimits l, SecurityPolicy p, int pidsCap, boolean socket) {
    long pids = Math.min(pidsCap, (long) l.maxProcesses() + l.maxThreads() + RUNNER_TASKS);
    return new Shape(image, l.memoryMb(), l.cpuCores(), l.diskMb(), pids, l.maxOpenFiles(),
        l.networkEnabled() && p.allowNetwork(), p.readOnlyMode() || !p.allowFileWrite(), socket);
  }

  static Shape of(SandboxSpec spec, String defaultImage, int pidsCap, boolean socket) {
    return of(spec.image() == null ? defaultImage : spec.image(), spec.limits(), spec.policy(), pidsCap, socket);
  }
}
