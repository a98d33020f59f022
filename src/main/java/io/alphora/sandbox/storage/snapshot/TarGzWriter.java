package io.alphora.sandbox.storage.snapshot;

import io.alphora.sandbox.FileInfo;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.workspace.Listing;
import io.alphora.sandbox.workspace.Workspace;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes a workspace as a tar.gz stream, reading it only through {@link Workspace}'s safe listing
 * and opening (never following a link). Directories and regular files go in, with mode 0755 or
 * 0644 (executable bits kept) and modification times; links, FIFOs, sockets, devices and
 * hard-linked files are left out and reported. Blocking: run it on a worker thread.
 */
final class TarGzWriter {
  /** Most entries a snapshot takes; a larger workspace is refused rather than cut short. */
  static final int MAX_ENTRIES = 1_000_000;

  /** What went in, and what was left out (path and reason). */
  record Result(long files, long directories, List<String> skipped) {}

  private TarGzWriter() {}

  static Result write(Path workspaceDir, OutputStream out) throws IOException {
    Workspace ws = new Workspace(workspaceDir, MAX_ENTRIES);
    Listing listing = ws.listing("", true, null);
    if (listing.truncated()) {
      throw new SandboxException.InvalidRequestException("the workspace has more than " + MAX_ENTRIES
          + " entries or is nested deeper than 128 levels: a snapshot would be incomplete, so none was made",
          Map.of());
    }
    long files = 0;
    long dirs = 0;
    List<String> skipped = new ArrayList<>();
    GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024) {
      { def.setLevel(Deflater.BEST_SPEED); } // snapshots are taken while a request waits: speed over size
    };
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(gz, 64 * 1024)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      tar.setAddPaxHeadersForNonAsciiNames(true);
      for (FileInfo f : listing.files()) {
        if (f.isSymlink()) {
          skipped.add(f.path() + ": symbolic link");
        } else if (f.isDirectory()) {
          TarArchiveEntry e = new TarArchiveEntry(f.path() + "/", true);
          e.setMode(040755);
          stamp(e, f);
          tar.putArchiveEntry(e);
          tar.closeArchiveEntry();
          dirs++;
        } else if (addFile(tar, ws, f, skipped)) {
          files++;
        }
      }
      tar.finish();
    }
    return new Result(files, dirs, List.copyOf(skipped));
  }

  private static boolean addFile(TarArchiveOutputStream tar, Workspace ws, FileInfo f, List<String> skipped)
      throws IOException {
    SeekableByteChannel ch;
    try {
      ch = ws.openChannel(f.path()); // refuses FIFOs, devices, hard links and swapped-in links
    } catch (SandboxException refused) {
      skipped.add(f.path() + ": " + refused.getMessage());
      return false;
    }
    try (ch) {
      long size = ch.size();
      TarArchiveEntry e = new TarArchiveEntry(f.path(), true);
      e.setSize(size);
      e.setMode(executable(ws.root().resolve(f.path())) ? 0100755 : 0100644);
      stamp(e, f);
      tar.putArchiveEntry(e);
      ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
      long left = size;
      while (left > 0) {
        buf.clear().limit((int) Math.min(buf.capacity(), left));
        int n = ch.read(buf);
        if (n < 0) {
          // the header already promised `size` bytes: the archive cannot be finished honestly
          throw new SandboxException.InvalidRequestException("file '" + f.path() + "' shrank while the snapshot "
              + "was taken: retry, or stop the sandbox first", Map.of("path", f.path()));
        }
        tar.write(buf.array(), 0, n);
        left -= n;
      }
      tar.closeArchiveEntry();
      return true;
    }
  }

  private static void stamp(TarArchiveEntry e, FileInfo f) {
    if (f.modifiedTime() != null) {
      e.setModTime(java.nio.file.attribute.FileTime.from(f.modifiedTime()));
    }
  }

  /** Any execute bit set (read without following a link; a failure just means 0644). */
  private static boolean executable(Path p) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
      return perms.contains(PosixFilePermission.OWNER_EXECUTE) || perms.contains(PosixFilePermission.GROUP_EXECUTE)
          || perms.contains(PosixFilePermission.OTHERS_EXECUTE);
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
