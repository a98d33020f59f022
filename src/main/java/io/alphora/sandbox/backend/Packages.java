package io.alphora.sandbox.backend;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.PackageInfo;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.FileInfo;
import io.alphora.sandbox.workspace.WorkspaceFiles;
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
 * {@code *.dist-info} metadata directly; uninstall deletes through the site directory's
 * {@link WorkspaceFiles}, so links planted there by sandbox code are never followed.
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

  /** Whatever is larger than this is no METADATA file of ours to read. */
  private static final long MAX_METADATA = 8L << 20;

  /**
   * The packages installed in a site directory, from their {@code *.dist-info/METADATA}.
   *
   * @param location what {@link PackageInfo#location} says
   */
  public static List<PackageInfo> list(WorkspaceFiles site, String location) {
    List<PackageInfo> out = new ArrayList<>();
    for (String d : distInfos(site)) {
      read(site, d, location).ifPresent(out::add);
    }
    out.sort(Comparator.comparing(p -> normalize(p.name())));
    return out;
  }

  public static Optional<PackageInfo> find(WorkspaceFiles site, String location, String name) {
    String n = normalize(checkName(name));
    return list(site, location).stream().filter(p -> normalize(p.name()).equals(n)).findFirst();
  }

  private static List<String> distInfos(WorkspaceFiles site) {
    try {
      return site.list("", false, "*.dist-info").stream().filter(f -> f.isDirectory() && !f.isSymlink())
          .map(FileInfo::path).toList();
    } catch (SandboxException e) {
      return List.of();   // no site directory yet
    }
  }

  private static Optional<PackageInfo> read(WorkspaceFiles site, String distInfo, String location) {
    String text;
    try {
      text = site.readText(distInfo + "/METADATA", MAX_METADATA);
    } catch (SandboxException e) {
      return Optional.empty();
    }
    String name = null;
    String version = null;
    String summary = null;
    List<String> requires = new ArrayList<>();
    for (String line : text.split("\\R", -1)) {
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
    return name == null ? Optional.empty() : Optional.of(new PackageInfo(name, version, summary, location, requires));
  }

  /**
   * After {@code pip install --target --upgrade}, the replaced version's {@code .dist-info} is left
   * beside the new one (pip only replaces top-level names it installs). Keeps the newest per name.
   */
  public static void dropStaleMetadata(WorkspaceFiles site) {
    Map<String, List<FileInfo>> byName = new java.util.HashMap<>();
    for (FileInfo d : site.list("", false, "*.dist-info")) {
      if (d.isDirectory()) {
        read(site, d.path(), "").ifPresent(p -> byName.computeIfAbsent(normalize(p.name()), k -> new ArrayList<>()).add(d));
      }
    }
    List<String> stale = new ArrayList<>();
    for (List<FileInfo> dirs : byName.values()) {
      dirs.sort(Comparator.comparing(FileInfo::modifiedTime).reversed());
      dirs.subList(1, dirs.size()).forEach(d -> stale.add(d.path()));
    }
    site.deleteAll(stale);
  }

  /** Removes an installed package's files (as listed in its RECORD) and its metadata. */
  public static PackageInfo uninstall(WorkspaceFiles site, String location, String name) {
    PackageInfo info = find(site, location, name).orElseThrow(() -> notFound(name));
    String distInfo = null;
    for (String d : distInfos(site)) {
      Optional<PackageInfo> p = read(site, d, location);
      if (p.isPresent() && normalize(p.get().name()).equals(normalize(info.name()))) {
        distInfo = d;
      }
    }
    List<String> files = new ArrayList<>();
    Set<String> tops = new LinkedHashSet<>();
    String record;
    try {
      record = site.readText(distInfo + "/RECORD", MAX_METADATA);
    } catch (SandboxException.SandboxFileNotFoundException e) {
      record = "";
    }
    for (String line : record.split("\\R")) {
      String rel = line.contains(",") ? line.substring(0, line.indexOf(',')) : line;
      rel = rel.startsWith("\"") ? rel.replace("\"", "") : rel;
      if (rel.isBlank() || rel.startsWith("/") || rel.contains("..")) {
        continue; // only files inside the site directory are ours to remove
      }
      files.add(rel);
      tops.add(rel.contains("/") ? rel.substring(0, rel.indexOf('/')) : rel);
    }
    files.add(distInfo);
    site.deleteAll(files);
    List<String> cachesOnly = new ArrayList<>();
    for (String top : tops) {
      if (onlyCaches(site, top)) {
        cachesOnly.add(top);
      }
    }
    site.deleteAll(cachesOnly);
    return info;
  }

  private static boolean onlyCaches(WorkspaceFiles site, String top) {
    try {
      if (!site.info(top).isDirectory()) {
        return false;
      }
      return site.list(top, true, null).stream().filter(f -> !f.isDirectory())
          .allMatch(f -> f.path().contains("/__pycache__/"));
    } catch (SandboxException gone) {
      return false;
    }
  }

  static SandboxException notFound(String name) {
    return new SandboxException.PackageException(ErrorCode.PACKAGE_NOT_FOUND,
        "package '" + name + "' is not installed in this sandbox", Map.of("package", name));
  }
}
