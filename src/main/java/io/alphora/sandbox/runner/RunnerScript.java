package io.alphora.sandbox.runner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The runner script shipped as the classpath resource {@value #RESOURCE}. It is extracted once
 * per JVM and directory to {@code alphora_runner-<sha256 prefix>.py}: the content hash in the
 * name makes an upgraded jar extract a new file instead of reusing a stale one, and the atomic
 * rename means a concurrent JVM never sees a half-written script.
 */
public final class RunnerScript {
  public static final String RESOURCE = "/runner/alphora_runner.py";

  private static final ConcurrentHashMap<Path, Path> EXTRACTED = new ConcurrentHashMap<>();
  private static volatile byte[] content;
  private static volatile Path tempDir;

  private RunnerScript() {}

  /** Extracts the script into {@code dir} (created if needed) unless already there. */
  public static Path extract(Path dir) throws IOException {
    Path key = dir.toAbsolutePath().normalize();
    Path known = EXTRACTED.get(key);
    if (known != null && Files.isRegularFile(known)) {
      return known;
    }
    synchronized (RunnerScript.class) {   // also re-extracts if a tmp cleaner removed it
      Path written = write(key);
      EXTRACTED.put(key, written);
      return written;
    }
  }

  /** Extracts the script into a per-JVM temporary directory, deleted on exit. */
  public static synchronized Path extract() throws IOException {
    if (tempDir == null) {
      Path dir = Files.createTempDirectory("alphora-runner");
      dir.toFile().deleteOnExit();
      tempDir = dir;
      Path script = extract(dir);
      script.toFile().deleteOnExit();   // registered after the dir, so deleted before it
    }
    return extract(tempDir);
  }

  /** The script's bytes. */
  public static byte[] content() throws IOException {
    byte[] c = content;
    if (c == null) {
      try (InputStream in = RunnerScript.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IOException("classpath resource " + RESOURCE + " is missing");
        }
        c = in.readAllBytes();
      }
      content = c;
    }
    return c;
  }

  private static Path write(Path dir) throws IOException {
    byte[] bytes = content();
    Path target = dir.resolve("alphora_runner-" + hash(bytes) + ".py");
    if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), bytes)) {
      return target;
    }
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".alphora_runner", ".tmp");
    try {
      Files.write(tmp, bytes);
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system: default permissions
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    return target;
  }

  private static String hash(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
