package io.alphora.sandbox.backend;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.workspace.Workspace;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives each sandbox's workspace a file system of its own, so the kernel enforces
 * {@code resource_limits.disk_mb} (blocks) and {@code security_policy.max_files_count} (inodes): a
 * sparse ext4 image {@code <sandbox dir>/workspace.img} loop-mounted ({@code nosuid,nodev}) on the
 * workspace directory. Code that fills it gets {@code ENOSPC}; the file API answers 413. The image
 * lives beside the workspace, never inside what the sandbox sees.
 *
 * <p>Needs root, loop devices and {@code mkfs.ext4} (e2fsprogs). Mode {@code auto} uses them when
 * present and otherwise leaves workspaces as plain directories with a warning; {@code loop} refuses
 * to start without them; {@code none} never mounts. A mount outlives a killed service: the next
 * instance finds it in {@code /proc/self/mountinfo} and keeps it.
 */
public final class WorkspaceVolumes implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkspaceVolumes.class);
  static final String IMAGE = "workspace.img";
  private static final String ADOPT = ".workspace-adopt";
  /** Inodes ext4 reserves (1-10) besides the files of the workspace; the root directory is one of them. */
  private static final int RESERVED_INODES = 10;
  private static final long MIB = 1024L * 1024L;

  /** How workspaces are bounded ({@code manager.workspace_quota}). */
  public enum Mode {
    AUTO, LOOP, NONE;

    public String value() { return name().toLowerCase(Locale.ROOT); }

    public static Mode parse(String v) { return valueOf(v.trim().toUpperCase(Locale.ROOT)); }
  }

  private final boolean enabled;
  private final String mkfs;
  private final String mount;
  private final String umount;
  private final Set<Path> mounted = ConcurrentHashMap.newKeySet();
  /** Striped: one sandbox's volume operations are serialised, without a lock object per id kept forever. */
  private final Object[] locks = new Object[64];

  private WorkspaceVolumes(boolean enabled, String mkfs, String mount, String umount) {
    this.enabled = enabled;
    this.mkfs = mkfs;
    this.mount = mount;
    this.umount = umount;
    for (int i = 0; i < locks.length; i++) {
      locks[i] = new Object();
    }
  }

  /** Workspaces stay plain directories (no quota). */
  public static WorkspaceVolumes disabled() { return new WorkspaceVolumes(false, null, null, null); }

  /** Checks what the host offers; {@code LOOP} without it fails with what to install or change. */
  public static WorkspaceVolumes create(Mode mode) {
    if (mode == Mode.NONE) {
      LOG.warn("manager.workspace_quota is none: disk_mb and max_files_count do not bound workspaces");
      return disabled();
    }
    String mkfs = firstExecutable("/usr/sbin/mkfs.ext4", "/sbin/mkfs.ext4");
    String mount = firstExecutable("/usr/bin/mount", "/bin/mount");
    String umount = firstExecutable("/usr/bin/umount", "/bin/umount");
    String missing = null;
    if (!isRoot()) {
      missing = "the service does not run as root (mounting needs it)";
    } else if (mkfs == null) {
      missing = "mkfs.ext4 is missing (apt-get install -y e2fsprogs)";
    } else if (mount == null || umount == null) {
      missing = "mount/umount are missing (apt-get install -y mount)";
    } else if (!Files.exists(Path.of("/dev/loop-control")) && !Files.exists(Path.of("/dev/loop0"))) {
      missing = "the host has no loop devices (modprobe loop)";
    }
    if (missing != null) {
      if (mode == Mode.LOOP) {
        throw new SandboxException(ErrorCode.BACKEND_UNAVAILABLE, "manager.workspace_quota is loop but " + missing
            + "; or set manager.workspace_quota: auto / none (SANDBOX_WORKSPACE_QUOTA)");
      }
      LOG.warn("workspace quotas are off: {}; disk_mb bounds only /tmp and max_files_count is not enforced",
          missing);
      return disabled();
    }
    return new WorkspaceVolumes(true, mkfs, mount, umount);
  }

  /** Whether workspaces get their own bounded file system. */
  public boolean enabled() { return enabled; }

  /** Whether the sandbox has a volume already (made earlier, mounted or not). */
  public boolean hasVolume(SandboxSpec spec) { return Files.exists(spec.dir().resolve(IMAGE)); }

  /**
   * Makes {@code spec.workspace()} exist and, when enabled, be the sandbox's own mounted volume
   * (creating the image the first time). Files already in a plain workspace directory (a restored
   * snapshot, or a sandbox from before quotas) are moved into the volume. Idempotent.
   */
  public void prepare(SandboxSpec spec) throws IOException {
    Path ws = spec.workspace();
    if (!enabled) {
      Files.createDirectories(ws);
      return;
    }
    synchronized (lock(spec)) {
      Files.createDirectories(spec.dir());
      if (!isMountPoint(ws)) {
        if (Files.isDirectory(ws, LinkOption.NOFOLLOW_LINKS) && !isEmpty(ws)) {
          Path adopt = spec.dir().resolve(ADOPT);
          if (Files.exists(adopt, LinkOption.NOFOLLOW_LINKS)) {
            Workspace.deleteTree(ws); // an earlier adoption copied part of it: start that copy again
          } else {
            Files.move(ws, adopt, StandardCopyOption.ATOMIC_MOVE);
          }
        }
        Path image = spec.dir().resolve(IMAGE);
        if (!Files.exists(image)) {
          makeImage(image, spec);
        }
        Files.createDirectories(ws);
        run(List.of(mount, "-t", "ext4", "-o", "loop,nosuid,nodev,discard", image.toString(), ws.toString()),
            "mount the workspace volume");
        Files.deleteIfExists(ws.resolve("lost+found")); // ext4's, empty: not the user's
      }
      mounted.add(ws);
      Path adopt = spec.dir().resolve(ADOPT);
      if (Files.exists(adopt, LinkOption.NOFOLLOW_LINKS)) {
        copyInto(adopt, ws);
        Workspace.deleteTree(adopt);
      }
    }
  }

  /** Unmounts and deletes the volume (destroy); the directory itself is left to the caller. */
  public void destroy(SandboxSpec spec) {
    if (!enabled) {
      return;
    }
    synchronized (lock(spec)) {
      unmount(spec.workspace());
      try {
        Files.deleteIfExists(spec.dir().resolve(IMAGE));
      } catch (IOException e) {
        LOG.warn("sandbox {}: cannot delete its workspace image: {}", spec.sandboxId(), e.getMessage());
      }
    }
  }

  /**
   * Gives sandbox {@code to} the workspace prepared under {@code fromDir} (a warm container's, which
   * binds it already): with volumes, {@code to}'s own fresh volume is dropped and the prepared one's
   * mount is moved onto {@code to}'s workspace (a running container keeps its bind of it); without,
   * the directory is renamed. {@code to}'s workspace must be empty.
   */
  public void handOver(Path fromDir, SandboxSpec to) throws IOException {
    Path from = fromDir.resolve("workspace");
    if (!enabled) {
      Files.delete(to.workspace());
      Files.move(from, to.workspace(), StandardCopyOption.ATOMIC_MOVE);
      return;
    }
    synchronized (lock(to)) {
      unmount(to.workspace());
      Files.deleteIfExists(to.dir().resolve(IMAGE));
      Files.createDirectories(to.workspace());
      run(List.of(mount, "--move", from.toString(), to.workspace().toString()), "move the workspace volume");
      mounted.remove(from);
      mounted.add(to.workspace());
      Files.move(fromDir.resolve(IMAGE), to.dir().resolve(IMAGE), StandardCopyOption.ATOMIC_MOVE);
    }
  }

  /** Unmounts every volume mounted below {@code dir} (before deleting a tree that may hold some). */
  public void dropUnder(Path dir) {
    if (!enabled) {
      return;
    }
    String prefix = dir.toAbsolutePath().normalize() + "/";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
        String[] f = line.split(" ");
        if (f.length > 4 && unescape(f[4]).startsWith(prefix)) {
          unmount(Path.of(unescape(f[4])));
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot read the mount table: {}", e.getMessage());
    }
  }

  /** An empty volume again (reset): the old one is dropped and a new one made. */
  public void wipe(SandboxSpec spec) throws IOException {
    if (!enabled) {
      Workspace.deleteTree(spec.workspace());
      Files.createDirectories(spec.workspace());
      return;
    }
    destroy(spec);
    Workspace.deleteTree(spec.workspace());
    prepare(spec);
  }

  private final java.util.concurrent.atomic.AtomicInteger users = new java.util.concurrent.atomic.AtomicInteger();

  /** A backend node uses these volumes (several backends of one node share them). */
  public void retain() { users.incrementAndGet(); }

  /** A backend node is done with them: the last one unmounts them ({@link #close}). */
  public void release() {
    if (users.decrementAndGet() <= 0) {
      close();
    }
  }

  /** Unmounts what this instance mounted (the images stay; the next start mounts them again). */
  @Override
  public void close() {
    for (Path ws : List.copyOf(mounted)) {
      unmount(ws);
    }
  }

  private Object lock(SandboxSpec spec) { return locks[Math.floorMod(spec.sandboxId().hashCode(), locks.length)]; }

  private void makeImage(Path image, SandboxSpec spec) throws IOException {
    long bytes = Math.max(4, spec.limits().diskMb()) * MIB;
    // ext4 needs at least 1 KiB of space per inode; more files than that could never fit anyway
    long inodes = Math.min((long) spec.policy().maxFilesCount() + RESERVED_INODES, bytes / 2048);
    Path tmp = image.resolveSibling(IMAGE + ".new");
    try (RandomAccessFile f = new RandomAccessFile(tmp.toFile(), "rw")) {
      f.setLength(bytes); // sparse: only what is written takes host disk
    }
    try {
      run(List.of(mkfs, "-q", "-F", "-N", Long.toString(Math.max(16, inodes)), "-m", "0", "-O", "^has_journal",
          "-E", "lazy_itable_init=1,nodiscard", tmp.toString()), "make the workspace volume");
      Files.move(tmp, image, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private void unmount(Path ws) {
    mounted.remove(ws);
    if (!isMountPoint(ws)) {
      return;
    }
    try {
      run(List.of(umount, ws.toString()), "unmount the workspace volume");
    } catch (IOException busy) {
      try { // a handle still open (a download in flight): detach now, the kernel frees it after
        run(List.of(umount, "-l", ws.toString()), "unmount the workspace volume");
      } catch (IOException e) {
        LOG.warn("cannot unmount workspace volume {}: {}", ws, e.getMessage());
      }
    }
  }

  /** Whether {@code dir} is a mount point (from this process's mount table). */
  static boolean isMountPoint(Path dir) {
    String want = dir.toAbsolutePath().normalize().toString();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
        String[] f = line.split(" ");
        if (f.length > 4 && unescape(f[4]).equals(want)) {
          return true;
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  /** mountinfo writes space, tab, newline and backslash as {@code \ooo}. */
  private static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length()) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  /** Copies a tree without following links (links are copied as links; special files are skipped). */
  private static void copyInto(Path from, Path to) throws IOException {
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) throws IOException {
        Path target = to.resolve(from.relativize(dir).toString());
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectory(target);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
        if (a.isRegularFile() || a.isSymbolicLink()) {
          Files.copy(file, to.resolve(from.relativize(file).toString()), LinkOption.NOFOLLOW_LINKS,
              StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        }
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static void run(List<String> cmd, String what) throws IOException {
    Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out;
    try {
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("cannot " + what + ": " + cmd.get(0) + " did not finish in 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted while trying to " + what, e);
    }
    if (p.exitValue() != 0) {
      throw new IOException("cannot " + what + ": " + String.join(" ", cmd) + " exited with " + p.exitValue()
          + (out.isEmpty() ? "" : ": " + out));
    }
  }

  private static String firstExecutable(String... paths) {
    for (String p : paths) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    return null;
  }

  private static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[2].equals("0"); // effective uid
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }
}
