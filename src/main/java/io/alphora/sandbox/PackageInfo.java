package io.alphora.sandbox;

import java.util.List;

/** A pip package installed into a sandbox's own site directory. */
public record PackageInfo(String name, String version, String summary, String location, List<String> requires) {
  public PackageInfo {
    requires = requires == null ? List.of() : List.copyOf(requires);
  }

  @Override
  public String toString() { return version == null ? name : name + "==" + version; }
}
