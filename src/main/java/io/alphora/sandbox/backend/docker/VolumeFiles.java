package io.alphora.sandbox.backend.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.FileInfo;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.backend.SandboxSpec;
import io.alphora.sandbox.workspace.Errors;
import io.alphora.sandbox.workspace.Usage;
import io.alphora.sandbox.workspace.Workspace;
import io.alphora.sandbox.workspace.WorkspaceFiles;
import io.alphora.sandbox.workspace.WriteResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A sandbox's files on its workspace volume ({@code docker.workspace: volume}), for a daemon that
 * need not see this host. File contents travel as tar streams of the Docker archive API
 * ({@code copyArchiveFromContainerCmd} / {@code copyArchiveToContainerCmd}); what that API cannot do
 * (list, stat, delete, copy, move, usage) and the no-link checks of paths below the root are done
 * inside the container by {@link FileHelper}. Paths are normalised as on a host workspace first, so
 * the same paths are refused with the same errors. No disk quota: a volume of the local driver has
 * none, so {@code disk_mb} is not enforced (per-file limits are).
 */
final class VolumeFiles implements WorkspaceFiles {
  private final DockerClient docker;
  private final FileHelper helper;
  private final SandboxSpec spec;
  private final Supplier<FileHelper.Place> place;
  private final String root;
  private final String image;
  private final int[] owner;
  private final BooleanSupplier running;
  private final Supplier<RuntimeException> unavailable;
  private final Map<String, Path> downloads = new ConcurrentHashMap<>();
  private volatile Usage lastUsage = new Usage(0, 0, 0);

  VolumeFiles(DockerClient docker, FileHelper helper, SandboxSpec spec, Supplier<FileHelper.Place> place,
      String image, int[] owner, BooleanSupplier running, Supplier<RuntimeException> unavailable) {
    this.docker = docker;
    this.helper = helper;
    this.spec = spec;
    this.place = place;
    this.root = place.get().root();
    this.image = image;
    this.owner = owner;
    this.running = running;
    this.unavailable = unavailable;
  }

  private String container() {
    String cid = ContainerFile.id(spec);
    if (cid == null) {
      throw new SandboxException(ErrorCode.SANDBOX_NOT_RUNNING, "sandbox '" + spec.sandboxId() + "' has no "
          + "container (and so no workspace volume) yet: start it first", Map.of("sandbox_id", spec.sandboxId()));
    }
    return cid;
  }

  /** Runs a Docker call; a daemon that does not answer is {@code 503 backend_unavailable}. */
  private <T> T docker(Supplier<T> call) {
    try {
      return call.get();
    } catch (SandboxException e) {
      throw e;
    } catch (RuntimeException e) {
      if (!DockerClients.ping(docker)) {
        throw unavailable.get();
      }
      throw new SandboxException(ErrorCode.DOCKER_ERROR, "file operation on the workspace volume of sandbox '"
          + spec.sandboxId() + "' failed: " + DockerClients.rootMessage(e), Map.of("sandbox_id", spec.sandboxId()), e);
    }
  }

  private Object help(String op, String... args) {
    String cid = container();
    return docker(() -> helper.call(cid, running.getAsBoolean(), place.get(), image, op, args));
  }

  private static FileInfo info(JsonObject e) {
    long mtime = Math.round(e.getDouble("mtime", 0.0) * 1000);
    return Workspace.fileInfo(e.getString("path"), e.getLong("size", 0L), e.getBoolean("dir", false),
        e.getBoolean("link", false), Instant.ofEpochMilli(mtime));
  }

  @Override
  public List<FileInfo> list(String rel, boolean recursive, String pattern) {
    JsonObject r = (JsonObject) help("list", Workspace.normalize(rel), recursive ? "1" : "0",
        pattern == null ? "" : pattern, String.valueOf(Workspace.DEFAULT_MAX_ENTRIES));
    List<FileInfo> out = new ArrayList<>();
    r.getJsonArray("files", new JsonArray()).forEach(o -> out.add(info((JsonObject) o)));
    return out;
  }

  @Override
  public FileInfo info(String rel) { return info((JsonObject) help("stat", Workspace.normalize(rel))); }

  @Override
  public boolean exists(String rel) { return (Boolean) help("exists", Workspace.normalize(rel)); }

  /** Normalised {@code rel} of a file to read; one below the root is first checked for links inside the container. */
  private String readable(String raw) {
    String rel = Workspace.normalize(raw);
    if (rel.isEmpty()) {
      throw Errors.isDirectory(rel);
    }
    if (rel.contains("/")) {
      // the daemon resolves the directories of an archive path itself, following links (inside the
      // container): refuse any on the way, as on a host workspace
      help("readable", rel);
    }
    return rel;
  }

  private InputStream archive(String rel) {
    String cid = container();
    return docker(() -> {
      try {
        return docker.copyArchiveFromContainerCmd(cid, root + "/" + rel).exec();
      } catch (NotFoundException e) {
        throw Errors.notFound(rel);
      }
    });
  }

  @Override
  public byte[] readBytes(String raw, long maxBytes) {
    String rel = readable(raw);
    try (TarArchiveInputStream t = VolumeArchives.openFile(archive(rel), rel, maxBytes)) {
      return t.readAllBytes();
    } catch (IOException e) {
      throw new SandboxException(ErrorCode.DOCKER_ERROR, "cannot read '" + rel + "' from the workspace volume: "
          + e.getMessage(), Map.of("path", rel), e);
    }
  }

  @Override
  public String readText(String rel, long maxBytes) {
    return new String(readBytes(rel, maxBytes), java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * Downloads go in pieces: the first ({@code offset} 0) fetches the file once into the sandbox's
   * directory on this host, the others read that copy, and the one that reaches its end deletes it.
   */
  @Override
  public byte[] readRange(String raw, long offset, int length) throws IOException {
    String rel = Workspace.normalize(raw);
    Path copy = offset == 0 ? null : downloads.get(rel);
    if (copy == null || !Files.exists(copy)) {
      copy = fetch(rel);
    }
    try (FileChannel ch = FileChannel.open(copy)) {
      ByteBuffer buf = ByteBuffer.allocate(length);
      ch.position(offset);
      while (buf.hasRemaining() && ch.read(buf) > 0) {
        // until the piece is full or the file ends
      }
      if (ch.position() >= ch.size() && downloads.remove(rel, copy)) {   // the last piece
        Files.deleteIfExists(copy);
      }
      return java.util.Arrays.copyOf(buf.array(), buf.position());
    }
  }

  private Path fetch(String raw) throws IOException {
    String rel = readable(raw);
    Path dir = Files.createDirectories(spec.dir().resolve("downloads"));
    Path tmp = Files.createTempFile(dir, "dl-", ".part");
    try (TarArchiveInputStream t = VolumeArchives.openFile(archive(rel), rel, Long.MAX_VALUE)) {
      Files.copy(t, tmp, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Path old = downloads.put(rel, tmp);
    if (old != null) {
      Files.deleteIfExists(old);
    }
    return tmp;
  }

  @Override
  public WriteResult writeBytes(String rel, byte[] data, long maxBytes) {
    return put(rel, data.length, () -> new ByteArrayInputStream(data), maxBytes);
  }

  @Override
  public WriteResult commit(String rel, Path stagedFile, long maxBytes) {
    long size;
    try {
      size = Files.size(stagedFile);
    } catch (IOException e) {
      throw new SandboxException(ErrorCode.INTERNAL_ERROR, "staged upload is gone: " + e.getMessage());
    }
    WriteResult r = put(rel, size, () -> {
      try {
        return Files.newInputStream(stagedFile);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, maxBytes);
    try {
      Files.deleteIfExists(stagedFile);
    } catch (IOException ignored) {
      // the staging directory is swept
    }
    return r;
  }

  private WriteResult put(String raw, long size, Supplier<InputStream> data, long maxBytes) {
    String rel = Workspace.normalize(raw);
    if (rel.isEmpty()) {
      throw Errors.isDirectory(rel);
    }
    if (size > maxBytes) {
      throw Errors.tooLarge(rel, maxBytes);
    }
    // parents made and checked (no links) inside the container; the target is no directory
    JsonObject target = (JsonObject) help("writable", rel);
    boolean existed = target.getBoolean("exists", false);
    int slash = rel.lastIndexOf('/');
    String dir = slash < 0 ? root : root + "/" + rel.substring(0, slash);
    String cid = container();
    docker(() -> {
      try (InputStream in = data.get();
          InputStream tar = VolumeArchives.file(rel.substring(slash + 1), size, target.getInteger("mode", 0644), owner, in)) {
        docker.copyArchiveToContainerCmd(cid).withRemotePath(dir).withTarInputStream(tar).exec();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return null;
    });
    return new WriteResult(Workspace.fileInfo(rel, size, false, false, Instant.now()), !existed);
  }

  @Override
  public boolean delete(String rel) { return (Boolean) help("delete", Workspace.normalize(rel)); }

  /** One helper call for all (an uninstall removes hundreds of files). */
  @Override
  public void deleteAll(List<String> rels) {
    if (!rels.isEmpty()) {
      help("delete_all", rels.stream().map(Workspace::normalize).toArray(String[]::new));
    }
  }

  @Override
  public FileInfo copy(String src, String dst) {
    return info((JsonObject) help("copy", Workspace.normalize(src), Workspace.normalize(dst)));
  }

  @Override
  public FileInfo move(String src, String dst) {
    return info((JsonObject) help("move", Workspace.normalize(src), Workspace.normalize(dst)));
  }

  /**
   * Measured inside the running container; while it is stopped, the last figures (measuring would
   * start a container for every listing of sandboxes).
   */
  @Override
  public Usage usage() {
    if (!running.getAsBoolean() || ContainerFile.id(spec) == null) {
      return lastUsage;
    }
    JsonObject u = (JsonObject) help("usage");
    lastUsage = new Usage(u.getLong("bytes", 0L), u.getLong("files", 0L), u.getLong("dirs", 0L));
    return lastUsage;
  }
}
