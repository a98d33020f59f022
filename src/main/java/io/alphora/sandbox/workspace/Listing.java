package io.alphora.sandbox.workspace;

import io.alphora.sandbox.FileInfo;
import java.util.List;

/**
 * A directory listing. {@code truncated} is true when entries were left out: the entry cap was
 * reached, the walk examined its maximum number of entries, or a directory deeper than the walk's
 * depth limit (128 levels) was not entered. Entries are never reordered by truncation.
 */
public record Listing(List<FileInfo> files, boolean truncated) {}
