package io.alphora.sandbox.workspace;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An open directory of the workspace, used as the anchor of every operation on its entries.
 *
 * <p>Why: every path-based call (open, unlink, rename, opendir) re-resolves all components at the
 * moment of the syscall, so a directory the sandbox swaps for a symlink between our check and our
 * use sends the call outside the workspace. Holding a descriptor and working relative to it
 * ({@code openat}/{@code fstatat}/{@code unlinkat}/{@code renameat} with O_NOFOLLOW, through
 * {@link SecureDirectoryStream}) removes that window for every component: the entry is looked up
 * in this exact directory, and a link there is refused by the kernel. Names are always single
 * relative components.
 */
final class SecureDir implements AutoCloseable {
  private static final Path SELF = Path.of(".");
  private final SecureDirectoryStream<Path> sds;
  /** Where this directory was when opened; used for messages and the few path-based calls. */
  final Path path;
  /** Workspace-relative form of {@link #path}. */
  final String rel;

  private SecureDir(SecureDirectoryStream<Path> sds, Path path, String rel) {
    this.sds = sds;
    this.path = path;
    this.rel = rel;
  }

  /** Opens a host-controlled directory (the workspace root, a staging directory) by path. */
  static SecureDir openTrusted(Path dir, String rel) throws IOException {
    DirectoryStream<Path> ds = Files.newDirectoryStream(dir);
    if (!(ds instanceof SecureDirectoryStream)) {
      ds.close();
      throw new IllegalStateException("this platform has no SecureDirectoryStream (openat); the workspace "
          + "cannot be accessed safely, run the service on Linux");
    }
    @SuppressWarnings("unchecked")
    SecureDirectoryStream<Path> sds = (SecureDirectoryStream<Path>) ds;
    return new SecureDir(sds, dir, rel);
  }

  /** fstat of this directory itself. */
  BasicFileAttributes selfAttributes() throws IOException {
    return sds.getFileAttributeView(BasicFileAttributeView.class).readAttributes();
  }

  /** fstatat without following links; {@code null} when the entry does not exist. */
  PosixFileAttributes stat(Path name) throws IOException {
    try {
      return sds.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .readAttributes();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /**
   * Link count of a regular file, or -1 when the entry is no longer the inode {@code expectedKey}.
   * The JDK exposes {@code nlink} only by path, so we lstat the path and accept the answer only if
   * it describes the same inode as our descriptor-relative stat.
   */
  long linkCount(Path name, Object expectedKey) throws IOException {
    Map<String, Object> a;
    try {
      a = Files.readAttributes(path.resolve(name), "unix:nlink,fileKey", LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return -1;
    }
    return expectedKey != null && expectedKey.equals(a.get("fileKey")) ? ((Number) a.get("nlink")).longValue() : -1;
  }

  /** openat(O_RDONLY|O_NOFOLLOW) of a sub-directory; never follows a link, bounded by {@link OpenGuard}. */
  SecureDir openChild(Path name, String childRel) throws IOException {
    SecureDirectoryStream<Path> child =
        OpenGuard.open(sds, name, () -> sds.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS));
    return new SecureDir(child, path.resolve(name), childRel);
  }

  /** openat(O_RDONLY|O_NOFOLLOW) of a file; the caller still has to check what it got. */
  SeekableByteChannel openRead(Path name) throws IOException {
    return OpenGuard.open(sds, name,
        () -> sds.newByteChannel(name, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)));
  }

  /** openat(O_CREAT|O_EXCL|O_WRONLY): never follows a link, never opens an existing entry. */
  SeekableByteChannel createNew(Path name, FileAttribute<?>... attrs) throws IOException {
    Set<OpenOption> opts = Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW, LinkOption.NOFOLLOW_LINKS);
    SeekableByteChannel ch = sds.newByteChannel(name, opts, attrs);
    inheritOwner(name);
    return ch;
  }

  /**
   * Gives a new entry the owner and group of this directory. Why: a container sandbox runs as its
   * own uid (65534) and owns its workspace; a file the service writes there as root must stay
   * writable by the sandbox's code. Where the service owns the workspace (local sandboxes) this is
   * a no-op; where it may not chown (not root) the entry keeps the service's owner.
   */
  private void inheritOwner(Path name) {
    try {
      PosixFileAttributes dir = sds.getFileAttributeView(PosixFileAttributeView.class).readAttributes();
      PosixFileAttributeView entry = sds.getFileAttributeView(name, PosixFileAttributeView.class,
          LinkOption.NOFOLLOW_LINKS);
      PosixFileAttributes a = entry.readAttributes();
      if (!a.owner().equals(dir.owner())) {
        entry.setOwner(dir.owner());
      }
      if (!a.group().equals(dir.group())) {
        entry.setGroup(dir.group());
      }
    } catch (IOException | UnsupportedOperationException e) {
      // not permitted here: the entry keeps the service's owner
    }
  }

  /**
   * Creates a sub-directory. The JDK has no mkdirat, so this one call is path-based: we first check
   * that our path still names this very directory, which narrows (but cannot close) the window in
   * which a swapped ancestor makes it create an empty directory elsewhere. Whatever it created is
   * only used after {@link #openChild} finds it inside this descriptor.
   */
  void mkdir(Path name, FileAttribute<?>... attrs) throws IOException {
    Object here = selfAttributes().fileKey();
    if (here == null || !here.equals(Files.readAttributes(path, BasicFileAttributes.class).fileKey())) {
      throw new ConcurrentChangeException(rel);
    }
    try {
      Files.createDirectory(path.resolve(name), attrs);
      inheritOwner(name);
    } catch (FileAlreadyExistsException e) {
      // created concurrently; the caller re-stats it
    }
  }

  void deleteFile(Path name) throws IOException { sds.deleteFile(name); }

  void deleteDirectory(Path name) throws IOException { sds.deleteDirectory(name); }

  /** renameat(this, from, target, to): atomic, replaces a file at {@code to}, follows nothing. */
  void moveTo(Path from, SecureDir target, Path to) throws IOException { sds.move(from, target.sds, to); }

  /** Up to {@code limit} entry names (raw bytes preserved), read from a fresh handle on this directory. */
  List<Path> names(int limit) throws IOException {
    List<Path> out = new ArrayList<>();
    try (SecureDirectoryStream<Path> again = sds.newDirectoryStream(SELF, LinkOption.NOFOLLOW_LINKS)) {
      Iterator<Path> it = again.iterator();
      while (out.size() < limit && it.hasNext()) {
        out.add(it.next().getFileName());
      }
    } catch (DirectoryIteratorException e) {
      throw e.getCause();
    }
    return out;
  }

  @Override
  public void close() {
    try {
      sds.close();
    } catch (IOException ignored) {
      // closing a directory descriptor cannot lose data
    }
  }
}
