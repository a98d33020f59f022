package io.alphora.sandbox.workspace;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.FileInfo;
import io.alphora.sandbox.SandboxException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * Recursive directory copy. The copy is built under a temp name next to the destination and
 * renamed into place at the end, so a refused or failed copy leaves nothing behind. Links,
 * hard-linked files and special files anywhere in the source refuse the whole copy.
 */
final class TreeCopier {
  private int examined;

  private TreeCopier() {}

  static FileInfo copyDirectory(SecureDir srcParent, Path srcName, String srcRel, SecureDir dstParent,
      Path dstName, String dstRel) throws IOException {
    PosixFileAttributes existing = dstParent.stat(dstName);
    if (existing != null) {
      if (existing.isSymbolicLink()) {
        throw Errors.symlink(dstRel, dstRel);
      }
      throw existing.isDirectory()
          ? new SandboxException(ErrorCode.IS_A_DIRECTORY, "cannot copy directory '" + srcRel + "' to '"
              + dstRel + "': the destination already exists", Map.of("path", dstRel))
          : Errors.notDirectory(dstRel, dstRel);
    }
    Path tmp = Path.of(FileIo.tempName());
    dstParent.mkdir(tmp); // default mode: a read-only source directory must stay writable for us
    boolean ok = false;
    try {
      try (SecureDir from = DirWalker.openChild(srcParent, srcName, srcRel, srcRel);
          SecureDir to = DirWalker.openChild(dstParent, tmp, dstRel, dstRel)) {
        new TreeCopier().copyContents(from, to, srcRel, dstRel, 1);
      }
      dstParent.moveTo(tmp, dstParent, dstName);
      ok = true;
      return FileIo.infoOf(dstParent, dstName, dstRel);
    } finally {
      if (!ok) {
        discard(dstParent, tmp, dstRel);
      }
    }
  }

  private void copyContents(SecureDir from, SecureDir to, String rel, String dstRel, int depth) throws IOException {
    if (depth > Limits.MAX_DEPTH) {
      throw Errors.invalid("cannot copy '" + rel + "': nested deeper than " + Limits.MAX_DEPTH + " levels", rel);
    }
    for (Path n : from.names(Limits.SCAN_LIMIT - examined + 1)) {
      if (++examined > Limits.SCAN_LIMIT) {
        throw Errors.invalid("cannot copy '" + rel + "': more than " + Limits.SCAN_LIMIT + " entries", rel);
      }
      String name = n.toString();
      if (name.startsWith(FileIo.TEMP_PREFIX)) {
        continue; // another operation's half-written file
      }
      String childRel = Infos.child(rel, name);
      PosixFileAttributes a = from.stat(n);
      if (a == null) {
        continue;
      }
      if (a.isSymbolicLink()) {
        throw Errors.symlink(childRel, childRel);
      }
      if (a.isDirectory()) {
        to.mkdir(n);
        try (SecureDir f = DirWalker.openChild(from, n, childRel, childRel);
            SecureDir t = DirWalker.openChild(to, n, Infos.child(dstRel, name), Infos.child(dstRel, name))) {
          copyContents(f, t, childRel, Infos.child(dstRel, name), depth + 1);
        }
      } else {
        copyFile(from, n, childRel, to, modeOf(a));
      }
    }
  }

  /** openVerified refuses hard links, FIFOs and other special files. */
  private static void copyFile(SecureDir from, Path n, String rel, SecureDir to, FileAttribute<?> mode)
      throws IOException {
    try (SeekableByteChannel in = FileIo.openVerified(from, n, rel);
        InputStream stream = Channels.newInputStream(in);
        SeekableByteChannel out = to.createNew(n, mode)) {
      FileIo.pump(stream, out, Long.MAX_VALUE, rel);
    }
  }

  static FileAttribute<?> modeOf(PosixFileAttributes a) {
    return PosixFilePermissions.asFileAttribute(a.permissions());
  }

  private static void discard(SecureDir dir, Path tmp, String rel) {
    try {
      PosixFileAttributes a = dir.stat(tmp);
      if (a != null) {
        TreeDeleter.delete(dir, tmp, a, rel);
      }
    } catch (IOException | RuntimeException ignored) {
      // best effort; temp entries are hidden from listings
    }
  }
}
