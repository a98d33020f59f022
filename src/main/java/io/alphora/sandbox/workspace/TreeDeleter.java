package io.alphora.sandbox.workspace;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SandboxException.SandboxFileNotFoundException;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Recursive delete that never follows a link.
 *
 * <p>Why not {@code Files.walkFileTree}: it opens each sub-directory by path, so a directory the
 * sandbox swaps for a symlink after the walker's lstat is entered and its target (outside the
 * workspace) is emptied; every {@code Files.delete(path)} has the same window. Here each directory
 * is opened relative to its parent's descriptor with O_NOFOLLOW and entries are removed with
 * {@code unlinkat} on that descriptor, so a link is only ever unlinked.
 */
final class TreeDeleter {
  private static final int BATCH = 4096;
  private static final int MAX_ROUNDS = 1000;
  private final SecureDir top;
  private final Deque<Path> hoisted = new ArrayDeque<>();

  private TreeDeleter(SecureDir top) {
    this.top = top;
  }

  /** The public delete: false when {@code p} (not the root) is missing; a link is unlinked itself. */
  static boolean delete(DirWalker walker, WorkspacePath p) throws IOException {
    SecureDir d;
    try {
      d = walker.openParent(p, false);
    } catch (SandboxFileNotFoundException e) {
      return false;
    }
    try (d) {
      BasicFileAttributes a = d.stat(p.lastName());
      if (a == null) {
        return false;
      }
      delete(d, p.lastName(), a, p.rel());
      return true;
    }
  }

  /** Removes the workspace, root included; nothing when it is already gone. */
  static Void destroy(DirWalker walker, Path root) throws IOException {
    if (Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      try (SecureDir d = walker.openRoot()) {
        clear(d, "");
      }
      Files.delete(root);
    }
    return null;
  }

  static Void deleteTree(Path dir) throws IOException {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    }
    if (!a.isDirectory()) {
      Files.delete(dir); // a link or a file: unlinked, never followed
      return null;
    }
    // the walk refuses to start unless the directory it opens is the inode we just lstat'ed
    Path real = dir.toRealPath();
    return destroy(new DirWalker(real, a.fileKey()), real);
  }

  /** Removes entry {@code name} of {@code dir} (whatever it is) and everything below it. */
  static void delete(SecureDir dir, Path name, BasicFileAttributes a, String rel) throws IOException {
    TreeDeleter d = new TreeDeleter(dir);
    d.remove(dir, name, a, rel, 0);
    d.drainHoisted(rel);
  }

  /** Removes everything inside {@code dir}, keeping {@code dir} itself. */
  static void clear(SecureDir dir, String rel) throws IOException {
    TreeDeleter d = new TreeDeleter(dir);
    d.empty(dir, rel, 0);
    d.drainHoisted(rel);
  }

  private void drainHoisted(String rel) throws IOException {
    while (!hoisted.isEmpty()) {
      Path h = hoisted.pop();
      BasicFileAttributes a = top.stat(h);
      if (a != null) {
        remove(top, h, a, rel, 0);
      }
    }
  }

  private void remove(SecureDir parent, Path name, BasicFileAttributes a, String rel, int depth) throws IOException {
    if (!a.isDirectory()) {
      parent.deleteFile(name); // a symlink is unlinked itself, never its target
      return;
    }
    for (int attempt = 0; ; attempt++) {
      try (SecureDir child = DirWalker.openChild(parent, name, rel, rel)) {
        empty(child, rel, depth + 1);
      }
      try {
        parent.deleteDirectory(name);
        return;
      } catch (DirectoryNotEmptyException e) {
        if (attempt >= 2) {
          throw keepsChanging(rel);
        }
        // the running sandbox wrote into it meanwhile: empty it again
      }
    }
  }

  private void empty(SecureDir dir, String rel, int depth) throws IOException {
    for (int round = 0; ; round++) {
      List<Path> names = dir.names(BATCH);
      if (names.isEmpty()) {
        return;
      }
      if (round >= MAX_ROUNDS) {
        throw keepsChanging(rel);
      }
      for (Path n : names) {
        BasicFileAttributes a = dir.stat(n);
        if (a == null) {
          continue;
        }
        String childRel = Infos.child(rel, n.toString());
        if (a.isDirectory() && depth >= Limits.MAX_DEPTH && dir != top) {
          // Why: each level holds a descriptor and a stack frame, and a hostile tree can be deeper
          // than both allow. Moving the deep subtree up to the top directory (renameat, no link
          // followed) and deleting it afterwards keeps both bounded.
          Path h = Path.of(FileIo.tempName());
          dir.moveTo(n, top, h);
          hoisted.push(h);
        } else {
          remove(dir, n, a, childRel, depth);
        }
      }
    }
  }

  private static SandboxException keepsChanging(String rel) {
    return new SandboxException(ErrorCode.INTERNAL_ERROR, "cannot delete '" + rel
        + "': entries keep appearing in it (is the sandbox still writing there?)", Map.of("path", rel));
  }
}
