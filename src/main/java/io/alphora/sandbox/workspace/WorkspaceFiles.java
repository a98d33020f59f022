package io.alphora.sandbox.workspace;

import io.alphora.sandbox.FileInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The file operations of one sandbox's workspace, wherever it lives: a host directory
 * ({@link Workspace}) or somewhere only the sandbox's backend reaches (a Docker named volume). Every
 * implementation resolves paths the same way (relative, {@code ..} and absolute paths refused, links
 * never followed) and fails with the same error codes. Blocking.
 */
public interface WorkspaceFiles {
  /** Entries of directory {@code rel}, as {@link Workspace#list}. */
  List<FileInfo> list(String rel, boolean recursive, String pattern);

  /** Attributes of a file or directory; the root has name and path {@code ""}. */
  FileInfo info(String rel);

  /** False when missing (or a file stands where a directory is needed); bad paths still throw. */
  boolean exists(String rel);

  /** Whole small file; {@code payload_too_large} over {@code maxBytes}, {@code is_a_directory} on a directory. */
  byte[] readBytes(String rel, long maxBytes);

  /** As {@link #readBytes}, decoded as UTF-8 (invalid sequences become U+FFFD). */
  String readText(String rel, long maxBytes);

  /** Up to {@code length} bytes of a regular file from {@code offset}; fewer means its end. */
  byte[] readRange(String rel, long offset, int length) throws IOException;

  /** Writes {@code data} to {@code rel}, parents created; see {@link Workspace#write}. */
  WriteResult writeBytes(String rel, byte[] data, long maxBytes);

  /** Puts a file streamed to {@code stagedFile} (a host path outside the workspace) at {@code rel}. */
  WriteResult commit(String rel, Path stagedFile, long maxBytes);

  /** Deletes a file, a link or a directory tree; false when it did not exist. */
  boolean delete(String rel);

  /** Deletes each of {@code rels} as {@link #delete} does (a missing one is no error). */
  default void deleteAll(List<String> rels) {
    rels.forEach(this::delete);
  }

  /** {@code cp} with the rules of {@link Workspace#copy}. */
  FileInfo copy(String src, String dst);

  /** {@code mv} with the rules of {@link Workspace#move}. */
  FileInfo move(String src, String dst);

  /** Totals for the whole workspace. */
  Usage usage();
}
