package io.alphora.sandbox.workspace;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.FileInfo;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SandboxException.SandboxFileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Map;

/**
 * Copy and move inside one workspace, with {@code cp}/{@code mv} destination rules: when the
 * destination is an existing directory the source goes inside it under its own name.
 */
final class Transfers {
  private final DirWalker walker;

  Transfers(DirWalker walker) {
    this.walker = walker;
  }

  FileInfo copy(WorkspacePath s, WorkspacePath t) throws IOException {
    if (s.isRoot()) {
      throw Errors.invalid("refusing to copy the workspace root", "");
    }
    try (SecureDir sd = walker.openParent(s, false)) {
      PosixFileAttributes a = source(sd, s);
      WorkspacePath target = destination(t, s);
      if (a.isDirectory()) {
        if (target.isWithin(s)) {
          throw Errors.invalid("cannot copy '" + s + "' into itself ('" + target + "')", s.rel());
        }
        try (SecureDir td = walker.openParent(target, true)) {
          return TreeCopier.copyDirectory(sd, s.lastName(), s.rel(), td, target.lastName(), target.rel());
        }
      }
      try (SeekableByteChannel ch = FileIo.openVerified(sd, s.lastName(), s.rel());
          InputStream in = Channels.newInputStream(ch);
          SecureDir td = walker.openParent(target, true)) {
        // like cp: a new file gets the source's mode (keeps +x), a replaced one keeps its own
        return FileIo.write(td, target.lastName(), target.rel(), in, Long.MAX_VALUE, a.permissions()).file();
      }
    }
  }

  FileInfo move(WorkspacePath s, WorkspacePath t) throws IOException {
    if (s.isRoot()) {
      throw Errors.invalid("refusing to move the workspace root", "");
    }
    WorkspacePath target;
    try (SecureDir sd = walker.openParent(s, false)) {
      PosixFileAttributes a = source(sd, s);
      if (a.isRegularFile()) {
        FileIo.requireSingleLink(sd, s.lastName(), a, s.rel());
      }
      target = destination(t, s);
      if (target.equals(s)) {
        return Infos.of(s.last(), s.rel(), a);
      }
      if (a.isDirectory() && target.isWithin(s)) {
        throw Errors.invalid("cannot move '" + s + "' into itself ('" + target + "')", s.rel());
      }
      try (SecureDir td = walker.openParent(target, true)) {
        checkMoveTarget(td, target, a.isDirectory());
        try {
          sd.moveTo(s.lastName(), td, target.lastName());
        } catch (AtomicMoveNotSupportedException e) {
          return crossDevice(s, target);
        }
        PosixFileAttributes now = td.stat(target.lastName());
        return Infos.of(target.last(), target.rel(), now != null ? now : a);
      }
    }
  }

  /** A mount inside the workspace: rename cannot cross it, so copy then delete (not atomic). */
  private FileInfo crossDevice(WorkspacePath s, WorkspacePath target) throws IOException {
    FileInfo info = copy(s, target);
    try (SecureDir sd = walker.openParent(s, false)) {
      PosixFileAttributes a = sd.stat(s.lastName());
      if (a != null) {
        TreeDeleter.delete(sd, s.lastName(), a, s.rel());
      }
    }
    return info;
  }

  private static void checkMoveTarget(SecureDir td, WorkspacePath target, boolean sourceIsDirectory)
      throws IOException {
    if (!sourceIsDirectory) {
      FileIo.checkReplaceable(td, target.lastName(), target.rel());
      return;
    }
    PosixFileAttributes existing = td.stat(target.lastName());
    if (existing == null) {
      return;
    }
    if (existing.isSymbolicLink()) {
      throw Errors.symlink(target.rel(), target.rel());
    }
    throw existing.isDirectory()
        ? new SandboxException(ErrorCode.IS_A_DIRECTORY, "cannot move a directory to '" + target
            + "': the destination already exists", Map.of("path", target.rel()))
        : Errors.notDirectory(target.rel(), target.rel());
  }

  private static PosixFileAttributes source(SecureDir sd, WorkspacePath s) throws IOException {
    PosixFileAttributes a = sd.stat(s.lastName());
    if (a == null) {
      throw Errors.notFound(s.rel());
    }
    if (a.isSymbolicLink()) {
      throw Errors.symlink(s.rel(), s.rel());
    }
    return a;
  }

  /** {@code t}, or {@code t/<source name>} when {@code t} is an existing directory (a link is not). */
  private WorkspacePath destination(WorkspacePath t, WorkspacePath s) throws IOException {
    if (t.isRoot()) {
      return t.child(s.last(), s.lastName());
    }
    try (SecureDir d = walker.openParent(t, false)) {
      PosixFileAttributes a = d.stat(t.lastName());
      return a != null && a.isDirectory() ? t.child(s.last(), s.lastName()) : t;
    } catch (SandboxFileNotFoundException e) {
      return t;
    }
  }
}
