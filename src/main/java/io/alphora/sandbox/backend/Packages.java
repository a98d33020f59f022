package io.alphora.sandbox.backend;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.PackageInfo;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.workspace.Workspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * pip packages of one sandbox, kept in its own site directory. Requirement strings are validated
 * against a PEP 508 subset (name, extras, version specifiers; no URLs, markers or options), so nothing
 * a caller sends can become a pip option or reach a shell. Listing and uninstalling read the
 * {@code *.dist-info} metadata directly; uninstall deletes through a {@link Workspace} rooted at the
 * site directory, so links planted there by sandbox code are never followed.
 */
public final class Packages {
  private static final String NAME = "[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?";
  private static final String OP = "(?:===|==|!=|<=|>=|~=|<|>)";
  private static final String VERSION = "[A-Za-z0-9.*+!_-]+";
  private static final Pattern NAME_RE = Pattern.compile(NAME);
  private static final Pattern VERSION_RE = Pattern.compile(VERSION);
  private static final Pattern REQUIREMENT = Pattern.compile(
      NAME + "(?:\\[" + NAME + "(?:\\s*,\\s*" + NAME + ")*\\])?"
          + "(?:\\s*" + OP + "\\s*" + VERSION + "(?:\\s*,\\s*" + OP + "\\s*" + VERSION + ")*)?");

  private Packages() {}

  /** A requirement as pip takes it, or invalid_request naming the offending string. */
  public static String requirement(String spec) {
    String s = spec == null ? "" : spec.trim();
    if (s.isEmpty() || s.length() > 300 || !REQUIREMENT.matcher(s).matches()) {
      throw new SandboxException.InvalidRequestException("'" + spec + "' is not a valid package requirement: use "
          + "a PEP 508 name with optional extras and version specifiers, e.g. 'requests' or 'pandas==2.0.0'",
          Map.of("package", String.valueOf(spec)));
    }
    return s;
  }

  public static String requirement(String name, String version) {
    checkName(name);
    if (version == null || version.isBlank()) {
      return name.trim();
    }
    String v = version.trim();
    if (!VERSION_RE.matcher(v).matches()) {
      throw new SandboxException.InvalidRequestException("'" + version + "' is not a valid version",
          Map.of("version", version));
    }
    return name.trim() + "==" + v;
  }

  public static String checkName(String name) {
    if (name == null || !NAME_RE.matcher(name.trim()).matches()) {
      throw new SandboxException.InvalidRequestException("'" + name + "' is not a valid package name",
          Map.of("package", String.valueOf(name)));
    }
    return name.trim();
  }

  /** Requirements from a file in the workspace: one per line, comments allowed, options refused. */
  public static List<String> requirementsFile(String rel, String text) {
    List<String> out = new ArrayList<>();
    String[] lines = text.split("\\R");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int hash = line.indexOf('#');
      if (hash >= 0) {
        line = line.substring(0, hash);
      }
      line = line.trim();
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("-")) {
        throw new SandboxException.InvalidRequestException(rel + " line " + (i + 1) + ": pip options such as '"
            + line.split("\\s")[0] + "' are not allowed in a requirements file here; the service sets the index",
            Map.of("path", rel, "line", i + 1));
      }
      try {
        out.add(requirement(line));
      } catch (SandboxException e) {
        throw new SandboxException.InvalidRequestException(rel + " line " + (i + 1) + ": " + e.getMessage(),
            Map.of("path", rel, "line", i + 1));
      }
    }
    if (out.isEmpty()) {
      throw new SandboxException.InvalidRequestException(rel + " lists no requirements", Map.of("path", rel));
    }
    return out;
  }

  /** PEP 503 normalised name: lower case, runs of -_. become one '-'. */
  public static String normalize(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
  }

  public static List<PackageInfo> list(Path site) {
    List<PackageInfo> out = new ArrayList<>();
    if (!Files.isDirectory(site, LinkOption.NOFOLLOW_LINKS)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(site, "*.dist-info")) {
      for (Path d : ds) {
        read(site, d).ifPresent(out::add);
      }
    } catch (IOException e) {
      throw new SandboxException(ErrorCode.INTERNAL_ERROR, "cannot list packages: " + e.getMessage());
    }
    out.sort(Comparator.comparing(p -> normalize(p.name())));
    return out;
  }

  public static Optional<PackageInfo> find(Path site, String name) {
    String n = normalize(checkName(name));
    return list(site).stream().filter(p -> normalize(p.name()).equals(n)).findFirst();
  }

  private static Optional<PackageInfo> read(Path site, Path distInfo) {
    Path meta = distInfo.resolve("METADATA");
    if (Files.isSymbolicLink(distInfo) || !Files.isRegularFile(meta, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    try {
      String name = null;
      String version = null;
      String summary = null;
      List<String> requires = new ArrayList<>();
      for (String line : Files.readAllLines(meta, StandardCharsets.UTF_8)) {
        if (line.isEmpty()) {
          break; // the headers end at the first blank line; the description follows
        }
        int colon = line.indexOf(':');
        if (colon <= 0 || Character.isWhitespace(line.charAt(0))) {
          continue;
        }
        String key = line.substring(0, colon);
        String value = line.substring(colon + 1).trim();
        switch (key) {
          case "Name" -> name = value;
          case "Version" -> version = value;
          case "Summary" -> summary = value;
          case "Requires-Dist" -> requires.add(value);
          default -> { }
        }
      }
      return name == null ? Optional.empty()
          : Optional.of(new PackageInfo(name, version, summary, site.toString(), requires));
    } catch (IOException | java.io.UncheckedIOException e) {
      return Optional.empty();
    }
  }

  /**
   * After {@code pip install --target --upgrade}, the replaced version's {@code .dist-info} is left
   * beside the new one (pip only replaces top-level names it installs). Keeps the newest per name.
   */
  public static void dropStaleMetadata(Path site) {
    Map<String, List<Path>> byName = new java.util.HashMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(site, "*.dist-info")) {
      for (Path d : ds) {
        read(site, d).ifPresent(p -> byName.computeIfAbsent(normalize(p.name()), k -> new ArrayList<>()).add(d));
      }
      Workspace ws = new Workspace(site);
      for (List<Path> dirs : byName.values()) {
        if (dirs.size() < 2) {
          continue;
        }
        dirs.sort(Comparator.comparing(Packages::mtime).reversed());
        for (Path stale : dirs.subList(1, dirs.size())) {
          ws.delete(stale.getFileName().toString());
        }
      }
    } catch (IOException e) {
      throw new SandboxException(ErrorCode.INTERNAL_ERROR, "cannot tidy packages: " + e.getMessage());
    }
  }

  private static long mtime(Path p) {
    try {
      return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  /** Removes an installed package's files (as listed in its RECORD) and its metadata. */
  public static PackageInfo uninstall(Path site, String name) {
    PackageInfo info = find(site, name).orElseThrow(() -> notFound(name));
    Workspace ws = new Workspace(site);
    String distInfo = null;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(site, "*.dist-info")) {
      for (Path d : ds) {
        Optional<PackageInfo> p = read(site, d);
        if (p.isPresent() && normalize(p.get().name()).equals(normalize(info.name()))) {
          distInfo = d.getFileName().toString();
        }
      }
      Set<String> tops = new LinkedHashSet<>();
      Path record = site.resolve(distInfo).resolve("RECORD");
      if (Files.isRegularFile(record, LinkOption.NOFOLLOW_LINKS)) {
        for (String line : Files.readAllLines(record, StandardCharsets.UTF_8)) {
          String rel = line.contains(",") ? line.substring(0, line.indexOf(',')) : line;
          rel = rel.startsWith("\"") ? rel.replace("\"", "") : rel;
          if (rel.isBlank() || rel.startsWith("/") || rel.contains("..")) {
            continue; // only files inside the site directory are ours to remove
          }
          ws.delete(rel);
          tops.add(rel.contains("/") ? rel.substring(0, rel.indexOf('/')) : rel);
        }
      }
      ws.delete(distInfo);
      for (String top : tops) {
        removeIfOnlyCaches(ws, site, top);
      }
    } catch (IOException e) {
      throw new SandboxException(ErrorCode.INTERNAL_ERROR, "cannot uninstall " + name + ": " + e.getMessage());
    }
    return info;
  }

  private static void removeIfOnlyCaches(Workspace ws, Path site, String top) throws IOException {
    Path dir = site.resolve(top);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var s = Files.walk(dir)) {
      boolean onlyCaches = s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .allMatch(p -> p.toString().contains("/__pycache__/"));
      if (onlyCaches) {
        ws.delete(top);
      }
    }
  }

  static SandboxException notFound(String name) {
    return new SandboxException.PackageException(ErrorCode.PACKAGE_NOT_FOUND,
        "package '" + name + "' is not installed in this sandbox", Map.of("package", name));
  }
}
