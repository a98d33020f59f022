package io.alphora.sandbox.backend.local;

import io.alphora.sandbox.backend.SandboxSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The bubblewrap command line that confines one sandbox's runner: new user (uid 65534, no
 * capabilities), PID, IPC, UTS and cgroup namespaces, a new network namespace unless the sandbox may
 * use the network, a read-only {@code /usr}, the workspace at {@code /workspace}, its site directory
 * at {@code /opt/site-packages}, a private {@code /tmp}, a {@code /proc} of its own, and nothing else
 * of the host: not the service's files, not the base path, not other workspaces. bwrap is the
 * runner's parent and dies with the service ({@code --die-with-parent}), taking every process of the
 * sandbox with it (it is PID 1 of the sandbox's namespace).
 */
final class Bwrap {
  static final String WORKSPACE = "/workspace";
  static final String SITE = "/opt/site-packages";
  static final String WHEELS = "/opt/wheels";
  static final String RUNNER = "/opt/alphora/runner.py";
  static final int UID = 65534;

  private Bwrap() {}

  /**
   * The command prefix that starts bwrap with {@link #options}. The options name host paths (the
   * workspace, the base path), so they do not travel on the command line, which the sandbox could
   * read in {@code /proc/1/cmdline}: they are written to {@code <sandbox dir>/bwrap.args} and handed
   * to bwrap on descriptor 3 ({@code --args 3}), which bwrap reads and closes before anything runs.
   */
  static List<String> command(Path bwrap, SandboxSpec spec, Path runnerScript, Path wheels) throws IOException {
    Path file = spec.dir().resolve("bwrap.args");
    StringBuilder b = new StringBuilder();
    for (String o : options(spec, wheels)) {
      b.append(o).append('\0');
    }
    Files.writeString(file, b, StandardCharsets.UTF_8);
    Path etc = identityFiles(spec);
    // descriptors 4-6: files copied into the sandbox (--ro-bind-data), so no bind mount names their
    // host path in the sandbox's /proc/self/mountinfo
    return List.of("/bin/sh", "-c", "exec 3<\"$1\" 4<\"$2\" 5<\"$3\" 6<\"$4\" || exit 96; shift 4; exec \"$@\"",
        "alphora-bwrap", file.toString(), etc.resolve("passwd").toString(), etc.resolve("group").toString(),
        runnerScript.toString(), bwrap.toString(), "--args", "3", "--");
  }

  static List<String> options(SandboxSpec spec, Path wheels) {
    boolean network = spec.limits().networkEnabled() && spec.policy().allowNetwork();
    boolean readOnly = spec.policy().readOnlyMode() || !spec.policy().allowFileWrite();
    List<String> a = new ArrayList<>(List.of(
        "--unshare-user", "--uid", String.valueOf(UID), "--gid", String.valueOf(UID),
        "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
        "--hostname", "sandbox", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
        "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
        "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
        "--proc", "/proc", "--dev", "/dev",
        // a private /tmp, no larger than the sandbox's disk budget (it is memory: the cgroup counts it too)
        "--size", String.valueOf(spec.limits().diskMb() * 1024L * 1024L), "--tmpfs", "/tmp",
        "--dir", "/etc",
        "--ro-bind-data", "4", "/etc/passwd",
        "--ro-bind-data", "5", "/etc/group",
        readOnly ? "--ro-bind" : "--bind", spec.workspace().toString(), WORKSPACE,
        "--bind", spec.siteDir().toString(), SITE,
        "--ro-bind-data", "6", RUNNER));
    if (!network) {
      a.add("--unshare-net");
    } else {
      for (String f : List.of("/etc/resolv.conf", "/etc/hosts", "/etc/ssl", "/etc/ca-certificates")) {
        if (Files.exists(Path.of(f))) {
          a.addAll(List.of("--ro-bind", f, f));
        }
      }
    }
    if (wheels != null && Files.isDirectory(wheels)) {
      a.addAll(List.of("--ro-bind", wheels.toString(), WHEELS));
    }
    for (String p : spec.policy().allowedPaths()) {
      a.addAll(List.of("--ro-bind", p, p)); // checked by AllowedPaths: operator-listed, no link, not ours
    }
    a.addAll(List.of("--chdir", WORKSPACE));
    return a;
  }

  /** A passwd and group naming the sandbox user, so tools that look the user up (pip, getpass) work. */
  private static Path identityFiles(SandboxSpec spec) throws IOException {
    Path etc = spec.dir().resolve("etc");
    Files.createDirectories(etc);
    Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/usr/sbin/nologin\n"
        + "sandbox:x:" + UID + ":" + UID + ":sandbox:" + WORKSPACE + ":/bin/sh\n", StandardCharsets.UTF_8);
    Files.writeString(etc.resolve("group"), "root:x:0:\nsandbox:x:" + UID + ":\n", StandardCharsets.UTF_8);
    return etc;
  }

  /** The in-sandbox path of a host path under the sandbox's workspace or site directory. */
  static String inSandbox(SandboxSpec spec, Path host, Path wheels) {
    Path h = host.toAbsolutePath().normalize();
    if (h.startsWith(spec.workspace())) {
      return join(WORKSPACE, spec.workspace().relativize(h));
    }
    if (h.startsWith(spec.siteDir())) {
      return join(SITE, spec.siteDir().relativize(h));
    }
    if (wheels != null && h.startsWith(wheels)) {
      return join(WHEELS, wheels.relativize(h));
    }
    throw new IllegalArgumentException(host + " is not visible inside the sandbox");
  }

  private static String join(String root, Path rel) {
    String r = rel.toString();
    return r.isEmpty() ? root : root + "/" + r;
  }
}
