package io.alphora.sandbox.runner;

/** A listener that passes every event on to another; subclasses change what they need (often the exit). */
public abstract class ForwardingRunListener implements RunListener {
  protected final RunListener delegate;

  protected ForwardingRunListener(RunListener delegate) { this.delegate = delegate; }

  @Override
  public void onStart(long pid) { delegate.onStart(pid); }

  @Override
  public void onOutput(int fd, String data) { delegate.onOutput(fd, data); }

  @Override
  public void onError(String message) { delegate.onError(message); }

  @Override
  public void onExit(RunExit exit) { delegate.onExit(exit); }
}
