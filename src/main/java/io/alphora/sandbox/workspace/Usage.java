package io.alphora.sandbox.workspace;

/**
 * What a workspace holds: {@code bytes} is the apparent size of its regular files, {@code files}
 * counts every non-directory entry (links, FIFOs included), {@code directories} excludes the root.
 * The walk never follows links and stops after 200,000 entries, so huge trees give lower bounds.
 */
public record Usage(long bytes, long files, long directories) {}
