package io.alphora.sandbox.backend.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.StreamType;
import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.config.DockerConfig;
import io.alphora.sandbox.workspace.Errors;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code alphora_files.py} (stat, list, delete, copy, move, usage and the path checks around
 * archive reads and writes) as the sandbox's user, on a workspace volume: by {@code docker exec} in
 * the sandbox's running container, or, while it is stopped, in a one-off container of the same image
 * and hardening that mounts only that volume. Its answer becomes the result or the workspace's own
 * error. Blocking.
 */
final class FileHelper {
  private static final String SOURCE = load();
  private static final int TIMEOUT_SECONDS = 60;

  private final DockerClient docker;
  private final DockerConfig cfg;
  private final Containers containers;

  FileHelper(DockerClient docker, DockerConfig cfg, Containers containers) {
    this.docker = docker;
    this.cfg = cfg;
    this.containers = containers;
  }

  private static String load() {
    try (InputStream in = FileHelper.class.getResourceAsStream("/runner/alphora_files.py")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("the jar lacks /runner/alphora_files.py", e);
    }
  }

  /**
   * The helper's {@code ok} value for {@code op args}; its error as the workspace's exception.
   *
   * @param running whether the container runs (else, or if it stopped meanwhile, a one-off container)
   */
  Object call(String cid, boolean running, Place place, String image, String op, String... args) {
    List<String> cmd = new ArrayList<>(List.of("python3", "-I", "-c", SOURCE, place.root(), op));
    cmd.addAll(List.of(args));
    String[] out = null;
    if (running) {
      try {
        out = exec(cid, cmd);
      } catch (ConflictException stopped) {
        // stopped since: fall through to a one-off container
      }
    }
    if (out == null) {
      out = oneOff(place, image, cmd);
    }
    return answer(op, args.length > 0 ? args[0] : "", out);
  }

  private String[] exec(String cid, List<String> cmd) {
    String id = docker.execCreateCmd(cid).withUser(cfg.user()).withAttachStdout(true).withAttachStderr(true)
        .withCmd(cmd.toArray(String[]::new)).exec().getId();
    Collector c = new Collector();
    try {
      docker.execStartCmd(id).exec(c).awaitCompletion(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return c.result();
  }

  private String[] oneOff(Place place, String image, List<String> cmd) {
    HostConfig host = HostConfig.newHostConfig()
        .withMounts(List.of(new Mount().withType(MountType.VOLUME).withSource(place.volume()).withTarget(place.mountPoint())))
        .withNetworkMode("none").withReadonlyRootfs(true).withCapDrop(Capability.ALL)
        .withSecurityOpts(cfg.securityOpt()).withPrivileged(false)
        .withMemory(256L << 20).withMemorySwap(256L << 20).withPidsLimit(32L);
    String id = docker.createContainerCmd(image).withLabels(containers.ownerLabels()).withUser(cfg.user())
        .withWorkingDir(cfg.workingDir()).withNetworkDisabled(true).withHostConfig(host)
        .withEntrypoint(cmd.toArray(String[]::new)).exec().getId();
    try {
      docker.startContainerCmd(id).exec();
      docker.waitContainerCmd(id).exec(new WaitContainerResultCallback()).awaitStatusCode(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      Collector c = new Collector();
      docker.logContainerCmd(id).withStdOut(true).withStdErr(true).exec(c).awaitCompletion(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      return c.result();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new String[] {"", "interrupted"};
    } finally {
      docker.removeContainerCmd(id).withForce(true).exec();
    }
  }

  /**
   * Where the files are: volume {@code volume}, mounted at {@code mountPoint} in the sandbox's
   * container, the tree starting at {@code root} (the mount point or a directory below it).
   */
  record Place(String volume, String mountPoint, String root) {}

  private static Object answer(String op, String path, String[] out) {
    JsonObject o;
    try {
      o = new JsonObject(out[0]);
    } catch (RuntimeException e) {
      throw new SandboxException(ErrorCode.DOCKER_ERROR, "the file helper in the container failed (" + op + " '"
          + path + "'): " + (out[1].isBlank() ? out[0] : out[1]).strip(), Map.of("path", path));
    }
    if (o.containsKey("ok")) {
      return o.getValue("ok");
    }
    String rel = o.getString("path", path);
    String component = o.getString("component");
    String message = o.getString("message");
    throw switch (o.getString("error")) {
      case "file_not_found" -> Errors.notFound(rel);
      case "path_traversal" -> Errors.symlink(rel, component == null ? rel : component);
      case "not_a_directory" -> Errors.notDirectory(rel, component == null ? rel : component);
      case "is_a_directory" -> message == null ? Errors.isDirectory(rel)
          : new SandboxException(ErrorCode.IS_A_DIRECTORY, message, Map.of("path", rel));
      case "not_regular" -> Errors.notRegular(rel);
      case "invalid_request" -> Errors.invalid(message, rel);
      case "no_space" -> new SandboxException(ErrorCode.PAYLOAD_TOO_LARGE, "cannot " + op + " '" + rel + "': "
          + message + " (the workspace volume is full)", Map.of("path", rel));
      default -> new SandboxException(ErrorCode.INTERNAL_ERROR, "cannot " + op + " '" + rel + "': " + message,
          Map.of("path", rel));
    };
  }

  /** stdout and stderr of an exec or a container's log. */
  private static final class Collector extends ResultCallback.Adapter<Frame> {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Override
    public void onNext(Frame f) {
      (f.getStreamType() == StreamType.STDERR ? err : out).writeBytes(f.getPayload());
    }

    String[] result() {
      return new String[] {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }
  }
}
