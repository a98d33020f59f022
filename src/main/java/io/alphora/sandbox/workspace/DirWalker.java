package io.alphora.sandbox.workspace;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.FileInfo;
import io.alphora.sandbox.SandboxException;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.Path;

/** Walks from the workspace root to a directory one component at a time, refusing links. */
final class DirWalker {
  private final Path root;
  private final Object rootKey;

  DirWalker(Path root, Object rootKey) {
    this.root = root;
    this.rootKey = rootKey;
  }

  SecureDir openRoot() throws IOException {
    SecureDir dir = SecureDir.openTrusted(root, "");
    Object key = dir.selfAttributes().fileKey();
    if (rootKey != null && !rootKey.equals(key)) {
      dir.close();
      throw new SandboxException(ErrorCode.INTERNAL_ERROR, "workspace root '" + root + "' was replaced");
    }
    return dir;
  }

  /**
   * Opens the directory formed by the first {@code n} components of {@code p}. Missing
   * components are created when {@code create}; otherwise they, and files in the way, give
   * {@code file_not_found} for the whole path. A file in the way of a create gives
   * {@code not_a_directory}; a link anywhere gives {@code path_traversal}.
   */
  SecureDir open(WorkspacePath p, int n, boolean create) throws IOException {
    SecureDir dir = openRoot();
    try {
      for (int i = 0; i < n; i++) {
        SecureDir child = step(dir, p, i, create);
        dir.close();
        dir = child;
      }
      return dir;
    } catch (IOException | RuntimeException e) {
      dir.close();
      throw e;
    }
  }

  /** Opens the parent directory of a non-root path. */
  SecureDir openParent(WorkspacePath p, boolean create) throws IOException {
    return open(p, p.size() - 1, create);
  }

  /** Opens {@code p} itself, which must be a directory ({@code not_a_directory} when it is a file). */
  SecureDir openDirectory(WorkspacePath p) throws IOException {
    if (p.isRoot()) {
      return openRoot();
    }
    try (SecureDir parent = openParent(p, false)) {
      PosixFileAttributes a = parent.stat(p.lastName());
      if (a == null) {
        throw Errors.notFound(p.rel());
      }
      if (a.isSymbolicLink()) {
        throw Errors.symlink(p.rel(), p.rel());
      }
      if (!a.isDirectory()) {
        throw Errors.notDirectory(p.rel(), p.rel());
      }
      return openChild(parent, p.lastName(), p.rel(), p.rel());
    }
  }

  private SecureDir step(SecureDir dir, WorkspacePath p, int i, boolean create) throws IOException {
    Path name = p.name(i);
    String prefix = p.prefix(i + 1);
    BasicFileAttributes a = dir.stat(name);
    if (a == null) {
      if (!create) {
        throw Errors.notFound(p.rel());
      }
      dir.mkdir(name);
      a = dir.stat(name);
      if (a == null) {
        throw Errors.changed(p.rel());
      }
    }
    if (a.isSymbolicLink()) {
      throw Errors.symlink(p.rel(), prefix);
    }
    if (!a.isDirectory()) {
      throw create ? Errors.notDirectory(p.rel(), prefix) : Errors.notFound(p.rel());
    }
    return openChild(dir, name, prefix, p.rel());
  }

  /** A failure here right after a stat said "directory" means the entry was swapped. */
  static SecureDir openChild(SecureDir dir, Path name, String childRel, String rel) throws IOException {
    try {
      return dir.openChild(name, childRel);
    } catch (NotDirectoryException | NoSuchFileException e) {
      throw Errors.changed(rel);
    } catch (FileSystemException e) {
      if (e.getReason() != null && e.getReason().contains("symbolic link")) {
        throw Errors.changed(rel);
      }
      throw e;
    }
  }

  /** Attributes of {@code p} itself; a link as the last component is refused too. */
  FileInfo info(WorkspacePath p) throws IOException {
    if (p.isRoot()) {
      try (SecureDir d = openRoot()) {
        return Infos.of("", "", d.selfAttributes());
      }
    }
    try (SecureDir d = openParent(p, false)) {
      BasicFileAttributes a = d.stat(p.lastName());
      if (a == null) {
        throw Errors.notFound(p.rel());
      }
      if (a.isSymbolicLink()) {
        throw Errors.symlink(p.rel(), p.rel());
      }
      return Infos.of(p.last(), p.rel(), a);
    }
  }

  /** A verified read channel on regular file {@code p} (see {@link FileIo#openVerified}). */
  SeekableByteChannel openFile(WorkspacePath p) throws IOException {
    if (p.isRoot()) {
      throw Errors.isDirectory("");
    }
    try (SecureDir d = openParent(p, false)) {
      return FileIo.openVerified(d, p.lastName(), p.rel());
    }
  }
}
