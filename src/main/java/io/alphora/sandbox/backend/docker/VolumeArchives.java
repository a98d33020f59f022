package io.alphora.sandbox.backend.docker;

import io.alphora.sandbox.workspace.Errors;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The tar streams of the Docker archive API for one file: what {@code PUT /archive} extracts (owned
 * by the sandbox's user, streamed from a host file without a second copy) and the file out of what
 * {@code GET /archive} returns (a single entry named after the file, never followed if it is a link).
 */
final class VolumeArchives {
  private static final int BLOCK = 512;

  private VolumeArchives() {}

  /** A tar holding one empty directory {@code name}, owned by {@code owner} ({uid, gid}; null = root). */
  static byte[] directory(String name, int[] owner) {
    TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
    e.setMode(0755);
    return tar(e, owner, true);
  }

  /** A tar stream of one regular file {@code name} with {@code size} bytes of {@code data}. */
  static InputStream file(String name, long size, int mode, int[] owner, InputStream data) {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(size);
    e.setMode(mode);
    byte[] header = tar(e, owner, false);
    int pad = (int) ((BLOCK - size % BLOCK) % BLOCK);
    return new SequenceInputStream(java.util.Collections.enumeration(List.of(new ByteArrayInputStream(header), data,
        new ByteArrayInputStream(new byte[pad + 2 * BLOCK]))));
  }

  static InputStream file(String name, Path source, int mode, int[] owner) throws IOException {
    return file(name, Files.size(source), mode, owner, Files.newInputStream(source));
  }

  private static byte[] tar(TarArchiveEntry e, int[] owner, boolean finish) {
    if (owner != null) {
      e.setUserId(owner[0]);
      e.setGroupId(owner[1]);
    }
    e.setModTime(System.currentTimeMillis());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      // 512-byte records: the header is out in full before the data, which the caller streams
      TarArchiveOutputStream t = new TarArchiveOutputStream(out, BLOCK);
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      t.putArchiveEntry(e);
      if (finish) {
        t.closeArchiveEntry();
        t.finish();
      }
      t.flush();
    } catch (IOException ex) {
      throw new IllegalStateException(ex);   // in memory
    }
    return out.toByteArray();
  }

  /**
   * The one file {@code GET /archive} of {@code rel} returned: positioned at its data, whose size is
   * checked against {@code maxBytes}. A directory, link or special file is refused as the host
   * workspace refuses it.
   */
  static TarArchiveInputStream openFile(InputStream archive, String rel, long maxBytes) throws IOException {
    TarArchiveInputStream t = new TarArchiveInputStream(archive);
    TarArchiveEntry e = t.getNextEntry();
    if (e == null) {
      t.close();
      throw Errors.notFound(rel);
    }
    RuntimeException refused = e.isDirectory() ? Errors.isDirectory(rel)
        : e.isSymbolicLink() || e.isLink() ? Errors.symlink(rel, rel)
        : !e.isFile() ? Errors.notRegular(rel)
        : e.getSize() > maxBytes ? Errors.tooLarge(rel, maxBytes) : null;
    if (refused != null) {
      t.close();
      throw refused;
    }
    return t;
  }
}
