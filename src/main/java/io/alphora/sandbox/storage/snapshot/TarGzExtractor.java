package io.alphora.sandbox.storage.snapshot;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SandboxException.InvalidRequestException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Unpacks a tar.gz into a fresh directory that nothing else writes to, refusing (with
 * {@code invalid_request}) any entry that would leave it: absolute names, {@code ..}, symbolic and
 * hard links, devices, FIFOs, sparse or unknown entry types, duplicates. Sizes and entry counts are
 * capped ({@code payload_too_large}), so a small archive cannot fill the disk. The caller deletes
 * the directory on any failure, so a refused archive leaves nothing behind. Blocking.
 */
final class TarGzExtractor {
  /** What was unpacked. */
  record Result(long files, long directories, long bytes) {}

  private TarGzExtractor() {}

  static Result extract(InputStream in, Path dir, long maxBytes, int maxEntries) throws IOException {
    long files = 0;
    long dirs = 0;
    long bytes = 0;
    int entries = 0;
    Files.createDirectory(dir);
    try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(in, 64 * 1024))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        if (++entries > maxEntries) {
          throw new SandboxException(ErrorCode.PAYLOAD_TOO_LARGE, "the snapshot has more than " + maxEntries
              + " entries", Map.of("limit", maxEntries));
        }
        String name = safeName(e.getName());
        checkType(e, name);
        if (name == null) {
          continue; // "./": the root itself
        }
        Path target = dir.resolve(name).normalize();
        if (!target.startsWith(dir) || target.equals(dir)) {
          throw refused(name, "leaves the workspace");
        }
        if (e.isDirectory()) {
          mkdirs(dir, target, name);
          dirs++;
          continue;
        }
        mkdirs(dir, target.getParent(), name);
        bytes += copy(tar, target, name, maxBytes - bytes);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(
            (e.getMode() & 0111) != 0 ? "rwxr-xr-x" : "rw-r--r--"));
        Files.setLastModifiedTime(target, FileTime.from(e.getModTime().toInstant()));
        files++;
      }
    } catch (ZipException | java.io.EOFException corrupt) {
      throw new InvalidRequestException("the snapshot is not a valid tar.gz: " + corrupt.getMessage(), Map.of());
    } catch (IllegalArgumentException badHeader) {
      throw new InvalidRequestException("the snapshot has a malformed tar header: " + badHeader.getMessage(), Map.of());
    }
    return new Result(files, dirs, bytes);
  }

  /** The entry's relative name, "/"-joined without "." segments; null for the root itself. */
  static String safeName(String raw) {
    if (raw.indexOf('\0') >= 0) {
      throw refused(raw.replace("\0", "\\0"), "contains a NUL byte");
    }
    if (raw.startsWith("/")) {
      throw refused(raw, "is an absolute path");
    }
    List<String> parts = new ArrayList<>();
    for (String seg : raw.split("/")) {
      if (seg.equals("..")) {
        throw refused(raw, "leaves the workspace ('..')");
      }
      if (!seg.isEmpty() && !seg.equals(".")) {
        parts.add(seg);
      }
    }
    return parts.isEmpty() ? null : String.join("/", parts);
  }

  private static void checkType(TarArchiveEntry e, String name) {
    String shown = name == null ? e.getName() : name;
    if (e.isSymbolicLink() || e.isLink()) {
      throw refused(shown, "is a " + (e.isLink() ? "hard" : "symbolic") + " link to '" + e.getLinkName()
          + "'; snapshots with links are refused");
    }
    if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
      throw refused(shown, "is a device or FIFO; only files and directories are restored");
    }
    byte flag = e.getLinkFlag();
    boolean plain = flag == TarConstants.LF_NORMAL || flag == TarConstants.LF_OLDNORM
        || flag == TarConstants.LF_CONTIG || flag == TarConstants.LF_DIR;
    if (!plain || e.isSparse()) {
      throw refused(shown, "has entry type '" + (char) flag + "'; only files and directories are restored");
    }
  }

  private static void mkdirs(Path root, Path d, String name) throws IOException {
    try {
      Files.createDirectories(d);
    } catch (FileAlreadyExistsException e) {
      throw refused(name, "needs a directory where the archive has a file");
    }
    if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS) || !d.startsWith(root)) {
      throw refused(name, "needs a directory where the archive has a file");
    }
  }

  private static long copy(InputStream in, Path target, String name, long budget) throws IOException {
    long n = 0;
    byte[] buf = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS)) {
      int r;
      while ((r = in.read(buf)) > 0) {
        n += r;
        if (n > budget) {
          throw new SandboxException(ErrorCode.PAYLOAD_TOO_LARGE, "the snapshot unpacks to more than the "
              + "sandbox's disk limit (resource_limits.disk_mb)", Map.of("path", name));
        }
        out.write(buf, 0, r);
      }
    } catch (FileAlreadyExistsException dup) {
      throw refused(name, "appears twice, or where the archive already has a directory");
    }
    return n;
  }

  private static InvalidRequestException refused(String name, String why) {
    return new InvalidRequestException("snapshot entry '" + name + "' " + why + "; nothing was restored",
        Map.of("entry", name));
  }
}
