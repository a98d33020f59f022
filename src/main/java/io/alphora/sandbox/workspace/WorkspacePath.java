package io.alphora.sandbox.workspace;

import io.alphora.sandbox.SandboxException.InvalidRequestException;
import io.alphora.sandbox.SandboxException.PathTraversalException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A workspace-relative path after lexical normalisation: a list of plain names, none of them
 * {@code ""}, {@code "."} or {@code ".."}. Nothing here touches the disk.
 */
final class WorkspacePath {
  /** Container-style absolute prefix accepted as an alias of the root (the seed's {@code /workspace}). */
  static final String CONTAINER_ROOT = "/workspace";
  private static final int MAX_NAME_BYTES = 255;
  private static final int MAX_PATH_BYTES = 4096;

  private final List<String> parts;
  private final List<Path> names;

  private WorkspacePath(List<String> parts, List<Path> names) {
    this.parts = List.copyOf(parts);
    this.names = List.copyOf(names);
  }

  static WorkspacePath parse(String raw) {
    String s = raw == null ? "" : raw;
    if (s.indexOf('\0') >= 0) {
      String shown = s.replace("\0", "\\0");
      throw new InvalidRequestException("path '" + shown + "' contains a NUL byte", Map.of("path", shown));
    }
    String body = s;
    if (s.startsWith("/")) {
      if (!s.equals(CONTAINER_ROOT) && !s.startsWith(CONTAINER_ROOT + "/")) {
        throw PathTraversalException.forPath(s, "is absolute: absolute paths are not allowed "
            + "(use a path relative to the workspace root, or " + CONTAINER_ROOT + "/...)");
      }
      body = s.substring(CONTAINER_ROOT.length());
    }
    List<String> out = new ArrayList<>();
    // Backslashes are ordinary name characters on Linux, so only '/' separates.
    for (String c : body.split("/", -1)) {
      if (c.isEmpty() || c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        if (out.isEmpty()) {
          throw PathTraversalException.forPath(s, "leaves the workspace");
        }
        out.remove(out.size() - 1);
        continue;
      }
      if (c.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
        throw new InvalidRequestException("path '" + s + "' has a name longer than " + MAX_NAME_BYTES
            + " bytes", Map.of("path", s));
      }
      out.add(c);
    }
    if (String.join("/", out).getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
      throw new InvalidRequestException("path '" + s + "' is longer than " + MAX_PATH_BYTES + " bytes",
          Map.of("path", s));
    }
    return new WorkspacePath(out, toNames(s, out));
  }

  private static List<Path> toNames(String raw, List<String> parts) {
    List<Path> names = new ArrayList<>(parts.size());
    for (String part : parts) {
      try {
        names.add(Path.of(part));
      } catch (InvalidPathException e) {
        // Happens for non-ASCII names when the JVM's sun.jnu.encoding is not UTF-8 (LANG=C).
        throw new InvalidRequestException("path '" + raw + "' cannot be represented on this host: "
            + e.getReason(), Map.of("path", raw));
      }
    }
    return names;
  }

  boolean isRoot() { return parts.isEmpty(); }

  int size() { return parts.size(); }

  /** The i-th component as a single-name relative {@link Path}. */
  Path name(int i) { return names.get(i); }

  Path lastName() { return names.get(names.size() - 1); }

  String last() { return parts.get(parts.size() - 1); }

  /** The '/'-joined first {@code n} components. */
  String prefix(int n) { return String.join("/", parts.subList(0, n)); }

  /** The normalised relative form: '/'-separated, {@code ""} for the root. */
  String rel() { return String.join("/", parts); }

  Path under(Path root) {
    Path p = root;
    for (Path n : names) {
      p = p.resolve(n);
    }
    return p;
  }

  WorkspacePath child(String name, Path asPath) {
    List<String> p = new ArrayList<>(parts);
    p.add(name);
    List<Path> n = new ArrayList<>(names);
    n.add(asPath);
    return new WorkspacePath(p, n);
  }

  /** True when this path equals {@code other} or lies below it. */
  boolean isWithin(WorkspacePath other) {
    return parts.size() >= other.parts.size() && parts.subList(0, other.parts.size()).equals(other.parts);
  }

  @Override
  public boolean equals(Object o) { return o instanceof WorkspacePath w && w.parts.equals(parts); }

  @Override
  public int hashCode() { return parts.hashCode(); }

  @Override
  public String toString() { return rel(); }
}
