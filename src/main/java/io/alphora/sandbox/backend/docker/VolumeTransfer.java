package io.alphora.sandbox.backend.docker;

import com.github.dockerjava.api.DockerClient;
import io.alphora.sandbox.workspace.Workspace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A whole workspace between a volume and a host directory, for snapshots: out of the volume into a
 * new directory the snapshot is written from ({@code GET /archive} of {@code /workspace}), and a
 * restored snapshot's files from the host directory into a new sandbox's volume ({@code PUT
 * /archive}). Only directories and regular files travel; links and special files are left out, as
 * a snapshot leaves them out.
 */
final class VolumeTransfer {
  private VolumeTransfer() {}

  /** Copies the volume's files at {@code root} in container {@code cid} into {@code dir} (made here). */
  static Path export(DockerClient docker, String cid, String root, Path dir) throws IOException {
    Files.createDirectories(dir);
    String top = root.substring(root.lastIndexOf('/') + 1) + "/";
    try (InputStream in = docker.copyArchiveFromContainerCmd(cid, root).exec();
        TarArchiveInputStream t = new TarArchiveInputStream(in)) {
      TarArchiveEntry e;
      while ((e = t.getNextEntry()) != null) {
        String name = e.getName();
        if (!name.startsWith(top) || !(e.isDirectory() || e.isFile())) {
          continue;
        }
        String rel = Workspace.normalize(name.substring(top.length()));   // refuses '..' and the like
        if (rel.isEmpty()) {
          continue;
        }
        Path target = dir.resolve(rel);
        if (e.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(t, target);
        }
      }
    } catch (IOException | RuntimeException e) {
      Workspace.deleteTree(dir);
      throw e;
    }
    return dir;
  }

  /**
   * Puts the files under host directory {@code dir} into {@code root} of container {@code cid},
   * owned by {@code owner}, then empties {@code dir}. False when it was empty (nothing done).
   */
  static boolean importAndEmpty(DockerClient docker, String cid, String root, Path dir, int[] owner) throws IOException {
    List<Path> entries;
    try (Stream<Path> s = Files.walk(dir)) {
      entries = s.filter(p -> !p.equals(dir)).sorted().toList();
    }
    if (entries.isEmpty()) {
      return false;
    }
    Path tar = Files.createTempFile(dir.getParent(), "import-", ".tar");
    try {
      try (OutputStream out = Files.newOutputStream(tar); TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
        t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        t.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        for (Path p : entries) {
          boolean isDir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
          if (!isDir && !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            continue;
          }
          String rel = dir.relativize(p).toString();
          TarArchiveEntry e = new TarArchiveEntry(isDir ? rel + "/" : rel);
          e.setMode(isDir ? 0755 : 0644);
          e.setModTime(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis());
          if (owner != null) {
            e.setUserId(owner[0]);
            e.setGroupId(owner[1]);
          }
          if (!isDir) {
            e.setSize(Files.size(p));
          }
          t.putArchiveEntry(e);
          if (!isDir) {
            Files.copy(p, t);
          }
          t.closeArchiveEntry();
        }
      }
      try (InputStream in = Files.newInputStream(tar)) {
        docker.copyArchiveToContainerCmd(cid).withRemotePath(root).withTarInputStream(in).exec();
      }
    } finally {
      Files.deleteIfExists(tar);
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        Workspace.deleteTree(p);
      }
    }
    return true;
  }
}
