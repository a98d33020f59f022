package io.alphora.sandbox;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Builds a tiny pure-Python wheel, so package tests need no index and no network. */
public final class Wheels {
  private Wheels() {}

  /** Writes {@code <name>-<version>-py3-none-any.whl} into {@code dir}; its module has VALUE = version. */
  public static Path build(Path dir, String name, String version) throws Exception {
    String dist = name + "-" + version + ".dist-info";
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(name + "/__init__.py", ("VALUE = '" + version + "'\n").getBytes(StandardCharsets.UTF_8));
    files.put(dist + "/METADATA", ("Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version
        + "\nSummary: tiny test package\nRequires-Dist: nothing-else ; extra == 'x'\n\nA description.\n")
        .getBytes(StandardCharsets.UTF_8));
    files.put(dist + "/WHEEL", "Wheel-Version: 1.0\nGenerator: alphora-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        .getBytes(StandardCharsets.UTF_8));
    StringBuilder record = new StringBuilder();
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(e.getValue());
      record.append(e.getKey()).append(",sha256=").append(Base64.getUrlEncoder().withoutPadding().encodeToString(h))
          .append(',').append(e.getValue().length).append('\n');
    }
    record.append(dist).append("/RECORD,,\n");
    files.put(dist + "/RECORD", record.toString().getBytes(StandardCharsets.UTF_8));
    Files.createDirectories(dir);
    Path whl = dir.resolve(name + "-" + version + "-py3-none-any.whl");
    try (OutputStream out = Files.newOutputStream(whl); ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw e;
    }
    return whl;
  }
}
