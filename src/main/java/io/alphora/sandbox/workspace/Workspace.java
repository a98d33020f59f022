package io.alphora.sandbox.workspace;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.FileInfo;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SandboxException.SandboxFileNotFoundException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * Host-side file operations on one sandbox's workspace directory, safe against the hostile code
 * running inside it, which may create links, FIFOs and swap entries at any moment.
 *
 * <p><b>Paths</b> are relative to the root, '/'-separated ({@code \} is an ordinary character).
 * {@code null}, {@code ""} and {@code "."} mean the root; {@code "/workspace"} and
 * {@code "/workspace/…"} are accepted as the container-side spelling of the same root; any other
 * absolute path is refused ({@code path_traversal}). Paths are normalised lexically
 * ({@code a/./b}, {@code a//b}, {@code sub/../ok.txt}); a {@code ..} that climbs above the root is
 * refused ({@code path_traversal}), a NUL byte is {@code invalid_request}.
 *
 * <p><b>Links</b>: a symlink anywhere in a path is refused ({@code path_traversal}), whether it
 * points inside or outside the workspace; only {@link #delete} accepts a link as the last
 * component (it unlinks the link). Listings show links ({@code is_symlink}) without following them.
 * Regular files with more than one hard link are refused for read, write, copy and move (one may be
 * a host file); FIFOs, sockets and devices are refused for read and copy ({@code invalid_request}).
 *
 * <p><b>How</b>: every operation walks from the root holding directory descriptors and works
 * relative to them without following links ({@code openat}, {@code unlinkat}, {@code renameat}
 * through {@link java.nio.file.SecureDirectoryStream}), so swapping a directory for a link while an
 * operation runs cannot redirect it. What the JDK cannot close is documented where it happens:
 * a hard link swapped in and out around an open ({@code FileIo.openVerified}), and creating a
 * missing directory, which is path-based ({@code SecureDir.mkdir}): a swap at that instant can
 * leave an empty directory outside the workspace, never data. Linux (or any OS with openat) only.
 *
 * <p>All methods block: call them on worker threads. Instances are immutable and thread-safe
 * (each call opens its own descriptors); concurrent writes to one file: the last rename wins.
 * Failures are {@link SandboxException}s; an unexpected I/O error is {@code internal_error}, a full
 * disk or quota {@code payload_too_large}.
 */
public final class Workspace implements WorkspaceFiles {
  /** The order of names in listings: Unicode code points, as Python sorts str (and S3 lists keys). */
  public static final java.util.Comparator<String> NAME_ORDER = TreeScanner::compareCodePoints;

  /** Default cap on the entries of one listing. */
  public static final int DEFAULT_MAX_ENTRIES = 10_000;
  /** Name prefix of the temp files of in-flight writes; listings, usage and copies skip them. */
  public static final String TEMP_PREFIX = FileIo.TEMP_PREFIX;

  private final Path root;
  private final int maxEntries;
  private final DirWalker walker;
  private final Transfers transfers;

  /** Opens (creating it if missing) the workspace at {@code root}, listing at most 10,000 entries. */
  public Workspace(Path root) { this(root, DEFAULT_MAX_ENTRIES); }

  /**
   * Opens (creating it if missing) the workspace at {@code root}; listings stop at
   * {@code maxEntries}. The root is canonicalised once and its identity (device, inode) pinned:
   * if the directory is later replaced, operations fail until a new Workspace is made for it.
   *
   * @throws java.io.UncheckedIOException if the directory cannot be created or opened
   * @throws IllegalStateException on a platform without {@code openat} (not Linux/macOS)
   */
  public Workspace(Path root, int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be positive: " + maxEntries);
    }
    try {
      Files.createDirectories(root);
      this.root = root.toRealPath();
      Object key = Files.readAttributes(this.root, BasicFileAttributes.class).fileKey();
      this.walker = new DirWalker(this.root, key);
      walker.openRoot().close(); // fails now, not on first use, where openat is missing
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open workspace '" + root + "'", e);
    }
    this.maxEntries = maxEntries;
    this.transfers = new Transfers(walker);
  }

  /** The canonical absolute root. */
  public Path root() { return root; }

  /**
   * Absolute host path for {@code rel} after all checks (it may not exist). A snapshot: the path
   * can change after this returns, so prefer the operations below over path-based I/O on it.
   */
  public Path resolve(String rel) {
    WorkspacePath p = WorkspacePath.parse(rel);
    try {
      info(p);
    } catch (SandboxFileNotFoundException missing) {
      // fine: resolve does not require existence, and nothing below a missing name can be a link
    }
    return p.under(root);
  }

  /** As {@link #resolve}, but the path must exist ({@code file_not_found}). */
  public Path resolveExisting(String rel) {
    WorkspacePath p = WorkspacePath.parse(rel);
    info(p);
    return p.under(root);
  }

  /** Attributes of a file or directory; the root has name and path {@code ""}. */
  @Override
  public FileInfo info(String rel) { return info(WorkspacePath.parse(rel)); }

  /** False when missing (or a file stands where a directory is needed); bad paths still throw. */
  @Override
  public boolean exists(String rel) {
    try {
      info(rel);
      return true;
    } catch (SandboxFileNotFoundException e) {
      return false;
    }
  }

  /** True for an existing directory (not a link to one); bad paths throw as in {@link #exists}. */
  public boolean isDirectory(String rel) {
    try {
      return info(rel).isDirectory();
    } catch (SandboxFileNotFoundException e) {
      return false;
    }
  }

  /**
   * Opens a regular file for streaming. The descriptor itself is opened without following links
   * and checked (not a FIFO, still the inode that was checked), so what the stream returns is the
   * file inside the workspace. The caller closes the stream.
   */
  public InputStream openRead(String rel) { return Channels.newInputStream(openChannel(rel)); }

  /**
   * As {@link #openRead}, as a channel: {@code size()} is the size of the very file being served
   * (for {@code Content-Length}) and {@code position(long)} serves ranges. The caller closes it.
   */
  public SeekableByteChannel openChannel(String rel) { return openChannel(WorkspacePath.parse(rel)); }

  /**
   * Checks {@code rel} as {@link #openRead} does and returns its path, for zero-copy serving
   * ({@code sendFile}). Weaker: whoever opens the path later follows links and may block on a
   * FIFO if the sandbox swaps the file in between. Prefer {@link #openRead} for running sandboxes.
   */
  public Path readablePath(String rel) {
    WorkspacePath p = WorkspacePath.parse(rel);
    try (SeekableByteChannel ignored = openChannel(p)) {
      return p.under(root);
    } catch (IOException e) {
      throw Errors.io("read", p.rel(), e);
    }
  }

  /** Whole small file; {@code payload_too_large} over {@code maxBytes}, {@code is_a_directory} on a directory. */
  @Override
  public byte[] readBytes(String rel, long maxBytes) {
    WorkspacePath p = WorkspacePath.parse(rel);
    long cap = Math.min(requireLimit(maxBytes), FileIo.MAX_ARRAY);
    return call("read", p, () -> {
      try (SeekableByteChannel ch = openChannel(p)) {
        return FileIo.readAll(ch, cap, p.rel());
      }
    });
  }

  /** As {@link #readBytes}, decoded as UTF-8 (invalid sequences become U+FFFD). */
  @Override
  public String readText(String rel, long maxBytes) {
    return new String(readBytes(rel, maxBytes), StandardCharsets.UTF_8);
  }

  /**
   * Streams {@code in} (not closed) to {@code rel}: parents are created, the data goes to a temp
   * file in the target's directory and is renamed over the target atomically. Over
   * {@code maxBytes} gives {@code payload_too_large} and leaves nothing behind. A replaced file
   * keeps its permission bits. {@code is_a_directory} onto a directory, {@code not_a_directory}
   * when a parent is a file.
   */
  public WriteResult write(String rel, InputStream in, long maxBytes) {
    WorkspacePath p = writable(rel, maxBytes);
    return call("write", p, () -> {
      try (SecureDir d = walker.openParent(p, true)) {
        return FileIo.write(d, p.lastName(), p.rel(), in, maxBytes);
      }
    });
  }

  /** {@link #write} of an in-memory array. */
  @Override
  public WriteResult writeBytes(String rel, byte[] data, long maxBytes) {
    return write(rel, new ByteArrayInputStream(data), maxBytes);
  }

  /** UTF-8. */
  public WriteResult writeText(String rel, String text, long maxBytes) {
    return writeBytes(rel, text.getBytes(StandardCharsets.UTF_8), maxBytes);
  }

  /**
   * Puts a file the caller already streamed to {@code stagedFile} (a host path outside the
   * workspace) at {@code rel}, with the checks of {@link #write}. Same filesystem: one atomic
   * rename; otherwise copied through a temp file, then the staged file is deleted. The staged file
   * gets mode 0644 (or the replaced file's mode). On failure the staged file is left to the caller.
   */
  @Override
  public WriteResult commit(String rel, Path stagedFile, long maxBytes) {
    WorkspacePath p = writable(rel, maxBytes);
    return call("write", p, () -> {
      try (SecureDir d = walker.openParent(p, true)) {
        return FileIo.commit(d, p.lastName(), p.rel(), stagedFile, maxBytes);
      }
    });
  }

  /**
   * Deletes a file, a link (the link itself) or a directory with everything in it, never following
   * a link inside. False when it did not exist. The root cannot be deleted ({@code invalid_request}).
   */
  @Override
  public boolean delete(String rel) {
    WorkspacePath p = WorkspacePath.parse(rel);
    if (p.isRoot()) {
      throw Errors.invalid("refusing to delete the workspace root", "");
    }
    return call("delete", p, () -> TreeDeleter.delete(walker, p));
  }

  /**
   * Binary-safe copy; a directory is copied recursively (refused if it contains a link, a
   * hard-linked or special file) and appears at once, fully. When {@code dst} is an existing
   * directory the source is copied into it under its own name (like {@code cp}). An existing file
   * at the destination is replaced; an existing directory is not (409). Returns the destination.
   */
  @Override
  public FileInfo copy(String src, String dst) {
    WorkspacePath s = WorkspacePath.parse(src);
    return call("copy", s, () -> transfers.copy(s, WorkspacePath.parse(dst)));
  }

  /** Atomic rename, with the destination rules of {@link #copy} ({@code mv}). Returns the destination. */
  @Override
  public FileInfo move(String src, String dst) {
    WorkspacePath s = WorkspacePath.parse(src);
    return call("move", s, () -> transfers.move(s, WorkspacePath.parse(dst)));
  }

  /** {@link #listing}'s entries alone (silently capped). */
  @Override
  public List<FileInfo> list(String rel, boolean recursive, String pattern) {
    return listing(rel, recursive, pattern).files();
  }

  /**
   * Entries of directory {@code rel}: directories first, then by name (code-point order, case
   * sensitive). Recursive listings are depth-first, each level in that order, paths relative to
   * the root ({@code d}, {@code d/a.py}, {@code ok.txt}). {@code pattern} is an fnmatch glob on the
   * entry name, applied to every entry (a directory that does not match is still searched). Links
   * are listed, never entered. At most {@code maxEntries} entries; see {@link Listing#truncated}.
   */
  public Listing listing(String rel, boolean recursive, String pattern) {
    WorkspacePath p = WorkspacePath.parse(rel);
    var match = Glob.compile(pattern);
    return call("list", p, () -> {
      try (SecureDir d = walker.openDirectory(p)) {
        return TreeScanner.list(d, recursive, match, maxEntries);
      }
    });
  }

  @Override
  public byte[] readRange(String rel, long offset, int length) throws IOException {
    try (SeekableByteChannel ch = openChannel(rel)) {
      ch.position(offset);
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(length);
      while (buf.hasRemaining() && ch.read(buf) > 0) {
        // keep reading until the piece is full or the file ends
      }
      return java.util.Arrays.copyOf(buf.array(), buf.position());
    }
  }

  /**
   * {@code rel} after the lexical checks every workspace applies ({@code ..}, absolute paths and
   * bad names refused): '/'-separated, {@code ""} for the root.
   */
  public static String normalize(String rel) { return WorkspacePath.parse(rel).rel(); }

  /** The {@link FileInfo} a workspace reports for an entry with these attributes. */
  public static FileInfo fileInfo(String rel, long size, boolean directory, boolean link, java.time.Instant modified) {
    String name = rel.substring(rel.lastIndexOf('/') + 1);
    return FileInfo.of(name, rel, directory ? 0 : size, directory, link, modified, modified,
        directory ? Infos.DIRECTORY_MIME : MimeTypes.forName(name));
  }

  /** Totals for the whole workspace, walked without following links. */
  @Override
  public Usage usage() {
    return call("measure", WorkspacePath.parse(""), () -> {
      try (SecureDir d = walker.openRoot()) {
        return TreeScanner.usage(d);
      }
    });
  }

  /** For backends: removes the workspace, root included, never following links. No-op if gone. */
  public void destroy() {
    call("delete", WorkspacePath.parse(""), () -> TreeDeleter.destroy(walker, root));
  }

  /**
   * For backends: deletes directory tree {@code dir} as {@link #destroy} does, never following a
   * link (a link at {@code dir} itself is unlinked). Nothing when missing. Use instead of
   * {@code Files.walkFileTree}, which enters a directory swapped for a link mid-walk.
   */
  public static void deleteTree(Path dir) {
    Errors.call("delete", dir.toString(), () -> TreeDeleter.deleteTree(dir));
  }

  private FileInfo info(WorkspacePath p) { return call("stat", p, () -> walker.info(p)); }

  private SeekableByteChannel openChannel(WorkspacePath p) { return call("read", p, () -> walker.openFile(p)); }

  private static WorkspacePath writable(String rel, long maxBytes) {
    requireLimit(maxBytes);
    WorkspacePath p = WorkspacePath.parse(rel);
    if (p.isRoot()) {
      throw new SandboxException(ErrorCode.IS_A_DIRECTORY, "cannot write to the workspace root: it is a directory");
    }
    return p;
  }

  private static long requireLimit(long maxBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
    }
    return maxBytes;
  }

  private static <T> T call(String op, WorkspacePath p, Errors.IoCall<T> body) {
    return Errors.call(op, p.rel(), body);
  }
}
