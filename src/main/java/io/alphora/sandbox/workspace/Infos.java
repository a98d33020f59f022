package io.alphora.sandbox.workspace;

import io.alphora.sandbox.FileInfo;
import java.nio.file.attribute.BasicFileAttributes;

/** Builds {@link FileInfo} from attributes read without following links. */
final class Infos {
  /** The {@code mime_type} reported for directories. */
  static final String DIRECTORY_MIME = "inode/directory";

  private Infos() {}

  static FileInfo of(String name, String rel, BasicFileAttributes a) {
    boolean dir = a.isDirectory();
    return FileInfo.of(name, rel, dir ? 0 : a.size(), dir, a.isSymbolicLink(),
        a.lastModifiedTime().toInstant(), a.creationTime().toInstant(),
        dir ? DIRECTORY_MIME : MimeTypes.forName(name));
  }

  static String child(String parentRel, String name) {
    return parentRel.isEmpty() ? name : parentRel + "/" + name;
  }
}
