package io.alphora.sandbox.storage.impl;

/** A stream whose consumer can give up early, releasing what feeds it (a file, a download, a thread). */
public interface Cancellable {
  void cancel();
}
