package io.alphora.sandbox.workspace;

import io.alphora.sandbox.FileInfo;

/**
 * Outcome of a write: the file as written and whether it is new ({@code 201}) rather than a
 * replacement of an existing file ({@code 200}).
 */
public record WriteResult(FileInfo file, boolean created) {}
