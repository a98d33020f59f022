package io.alphora.sandbox.workspace;

import io.alphora.sandbox.FileInfo;
import io.alphora.sandbox.SandboxException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/** Single-file reads and writes relative to a trusted {@link SecureDir}. */
final class FileIo {
  static final String TEMP_PREFIX = ".alphora-tmp-";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int BUFFER = 64 * 1024;
  static final int MAX_ARRAY = Integer.MAX_VALUE - 16;
  /** Mode given to a committed staged file that creates a new entry (what write() gets under umask 022). */
  private static final Set<PosixFilePermission> NEW_FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");

  private FileIo() {}

  /**
   * Opens a regular, singly-linked file for reading. The stat and the open both go through the
   * directory descriptor with O_NOFOLLOW, so neither a link in the path nor a link at the name
   * can redirect it. Remaining race, which the JDK cannot close (it has no fstat on a channel): the
   * sandbox swaps the name for a hard link to another file just before our open and back just
   * after; the identity re-check below then passes. With {@code fs.protected_hardlinks=1} the
   * sandbox can only hard-link files it owns or can read and write itself.
   */
  static SeekableByteChannel openVerified(SecureDir dir, Path name, String rel) throws IOException {
    PosixFileAttributes before = dir.stat(name);
    if (before == null) {
      throw Errors.notFound(rel);
    }
    requireRegular(before, rel);
    requireSingleLink(dir, name, before, rel);
    SeekableByteChannel ch = dir.openRead(name);
    boolean ok = false;
    try {
      try {
        // lseek fails with ESPIPE on a FIFO: this checks the descriptor we actually hold.
        ch.position();
      } catch (IOException e) {
        throw Errors.notRegular(rel);
      }
      PosixFileAttributes after = dir.stat(name);
      if (after == null || !before.fileKey().equals(after.fileKey())) {
        throw Errors.changed(rel);
      }
      ok = true;
      return ch;
    } finally {
      if (!ok) {
        ch.close();
      }
    }
  }

  /** Reads a whole verified channel of at most {@code cap} bytes. */
  static byte[] readAll(SeekableByteChannel ch, long cap, String rel) throws IOException {
    if (ch.size() > cap) {
      throw Errors.tooLarge(rel, cap);
    }
    // +1 notices a file that grew after size()
    byte[] data = Channels.newInputStream(ch).readNBytes((int) Math.min(cap + 1, MAX_ARRAY));
    if (data.length > cap) {
      throw Errors.tooLarge(rel, cap);
    }
    return data;
  }

  static void requireRegular(PosixFileAttributes a, String rel) {
    if (a.isSymbolicLink()) {
      throw Errors.symlink(rel, rel);
    }
    if (a.isDirectory()) {
      throw Errors.isDirectory(rel);
    }
    if (!a.isRegularFile()) {
      throw Errors.notRegular(rel);
    }
  }

  static void requireSingleLink(SecureDir dir, Path name, PosixFileAttributes a, String rel) throws IOException {
    long links = dir.linkCount(name, a.fileKey());
    if (links < 0) {
      throw Errors.changed(rel);
    }
    if (links > 1) {
      throw Errors.hardLink(rel, links);
    }
  }

  /**
   * What a write may replace: nothing, a regular singly-linked file, or a FIFO/socket (renaming
   * over those is harmless). Returns the current attributes, {@code null} when absent.
   */
  static PosixFileAttributes checkReplaceable(SecureDir dir, Path name, String rel) throws IOException {
    PosixFileAttributes a = dir.stat(name);
    if (a == null) {
      return null;
    }
    if (a.isSymbolicLink()) {
      throw Errors.symlink(rel, rel);
    }
    if (a.isDirectory()) {
      throw Errors.isDirectory(rel);
    }
    if (a.isRegularFile()) {
      requireSingleLink(dir, name, a, rel);
    }
    return a;
  }

  /**
   * Streams {@code in} into a temp file next to the target, then renames it over the target, so a
   * reader never sees a half-written file and a failed write leaves nothing behind. The rename
   * replaces the name; it never writes through an existing link. A replaced file keeps its mode.
   */
  static WriteResult write(SecureDir dir, Path name, String rel, InputStream in, long maxBytes) throws IOException {
    return write(dir, name, rel, in, maxBytes, null);
  }

  /** As {@link #write}, giving a new file {@code newMode} (null: the default, 0666 less umask). */
  static WriteResult write(SecureDir dir, Path name, String rel, InputStream in, long maxBytes,
      Set<PosixFilePermission> newMode) throws IOException {
    PosixFileAttributes before = checkReplaceable(dir, name, rel);
    Set<PosixFilePermission> perms = before != null ? before.permissions() : newMode;
    FileAttribute<?>[] mode = perms == null ? new FileAttribute<?>[0]
        : new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(perms)};
    Path tmp = null;
    try {
      tmp = createTemp(dir, in, maxBytes, rel, mode);
      PosixFileAttributes written = dir.stat(tmp);
      try {
        dir.moveTo(tmp, dir, name);
      } catch (IOException e) {
        PosixFileAttributes now = dir.stat(name);
        if (now != null && now.isDirectory()) {
          throw Errors.isDirectory(rel); // made a directory after our check
        }
        throw e;
      }
      tmp = null;
      return new WriteResult(Infos.of(name.toString(), rel, written), before == null);
    } finally {
      if (tmp != null) {
        deleteQuietly(dir, tmp);
      }
    }
  }

  /**
   * Moves a file the caller already streamed to {@code staged} (a host path the sandbox cannot
   * reach) onto the target with one renameat; across filesystems it is copied through a temp file
   * instead and then deleted. On failure the staged file is left for the caller.
   */
  static WriteResult commit(SecureDir dir, Path name, String rel, Path staged, long maxBytes) throws IOException {
    BasicFileAttributes s = Files.readAttributes(staged, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!s.isRegularFile()) {
      throw Errors.invalid("staged file for '" + rel + "' is not a regular file", rel);
    }
    if (s.size() > maxBytes) {
      throw Errors.tooLarge(rel, maxBytes);
    }
    PosixFileAttributes before = checkReplaceable(dir, name, rel);
    try {
      Files.setPosixFilePermissions(staged, before == null ? NEW_FILE_MODE : before.permissions());
    } catch (UnsupportedOperationException e) {
      // not a POSIX filesystem: keep whatever mode it has
    }
    Path parent = staged.toAbsolutePath().getParent();
    try (SecureDir from = SecureDir.openTrusted(parent, parent.toString())) {
      from.moveTo(staged.getFileName(), dir, name);
      return new WriteResult(Infos.of(name.toString(), rel, s), before == null);
    } catch (AtomicMoveNotSupportedException e) {
      WriteResult r;
      try (InputStream in = Files.newInputStream(staged, LinkOption.NOFOLLOW_LINKS)) {
        r = write(dir, name, rel, in, maxBytes);
      }
      Files.deleteIfExists(staged);
      return r;
    }
  }

  /** Writes a new file under a fresh temp name in {@code dir} and returns that name. */
  static Path createTemp(SecureDir dir, InputStream in, long maxBytes, String rel, FileAttribute<?>... mode)
      throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path tmp = Path.of(tempName());
      SeekableByteChannel out;
      try {
        out = dir.createNew(tmp, mode);
      } catch (FileAlreadyExistsException e) {
        if (attempt < 5) {
          continue;
        }
        throw e;
      }
      boolean ok = false;
      try (out) {
        pump(in, out, maxBytes, rel);
        ok = true;
        return tmp;
      } finally {
        if (!ok) {
          deleteQuietly(dir, tmp);
        }
      }
    }
  }

  static String tempName() {
    byte[] b = new byte[8];
    RANDOM.nextBytes(b);
    return TEMP_PREFIX + HexFormat.of().formatHex(b);
  }

  /** Copies with a byte counter; the limit is enforced on what arrives, not on what was announced. */
  static long pump(InputStream in, WritableByteChannel out, long maxBytes, String rel) throws IOException {
    byte[] buf = new byte[BUFFER];
    long total = 0;
    for (int n; (n = in.read(buf)) != -1; ) {
      total += n;
      if (total > maxBytes) {
        throw Errors.tooLarge(rel, maxBytes);
      }
      ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
      while (bb.hasRemaining()) {
        out.write(bb);
      }
    }
    return total;
  }

  static void deleteQuietly(SecureDir dir, Path name) {
    try {
      dir.deleteFile(name);
    } catch (IOException | SandboxException ignored) {
      // best effort: a leftover temp file is hidden from listings
    }
  }

  static FileInfo infoOf(SecureDir dir, Path name, String rel) throws IOException {
    PosixFileAttributes a = dir.stat(name);
    if (a == null) {
      throw Errors.notFound(rel);
    }
    return Infos.of(name.toString(), rel, a);
  }
}
