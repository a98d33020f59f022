package io.alphora.sandbox;

import java.util.Map;

/**
 * How to create a sandbox; every field is optional (null: the service's default). Use
 * {@link #defaults()} and the {@code with*} methods.
 */
public record CreateOptions(
    String name, String sandboxId, BackendType backend, String image, ResourceLimits resourceLimits,
    SecurityPolicy securityPolicy, Map<String, String> env, Long idleTimeoutSeconds,
    Map<String, String> metadata, Boolean autoStart) {

  public static CreateOptions defaults() {
    return new CreateOptions(null, null, null, null, null, null, null, null, null, null);
  }

  public CreateOptions withName(String v) {
    return new CreateOptions(v, sandboxId, backend, image, resourceLimits, securityPolicy, env, idleTimeoutSeconds,
        metadata, autoStart);
  }

  public CreateOptions withSandboxId(String v) {
    return new CreateOptions(name, v, backend, image, resourceLimits, securityPolicy, env, idleTimeoutSeconds,
        metadata, autoStart);
  }

  public CreateOptions withBackend(BackendType v) {
    return new CreateOptions(name, sandboxId, v, image, resourceLimits, securityPolicy, env, idleTimeoutSeconds,
        metadata, autoStart);
  }

  public CreateOptions withImage(String v) {
    return new CreateOptions(name, sandboxId, backend, v, resourceLimits, securityPolicy, env, idleTimeoutSeconds,
        metadata, autoStart);
  }

  public CreateOptions withResourceLimits(ResourceLimits v) {
    return new CreateOptions(name, sandboxId, backend, image, v, securityPolicy, env, idleTimeoutSeconds, metadata,
        autoStart);
  }

  public CreateOptions withSecurityPolicy(SecurityPolicy v) {
    return new CreateOptions(name, sandboxId, backend, image, resourceLimits, v, env, idleTimeoutSeconds, metadata,
        autoStart);
  }

  public CreateOptions withEnv(Map<String, String> v) {
    return new CreateOptions(name, sandboxId, backend, image, resourceLimits, securityPolicy, v, idleTimeoutSeconds,
        metadata, autoStart);
  }

  public CreateOptions withIdleTimeoutSeconds(long v) {
    return new CreateOptions(name, sandboxId, backend, image, resourceLimits, securityPolicy, env, v, metadata,
        autoStart);
  }

  public CreateOptions withMetadata(Map<String, String> v) {
    return new CreateOptions(name, sandboxId, backend, image, resourceLimits, securityPolicy, env, idleTimeoutSeconds,
        v, autoStart);
  }

  public CreateOptions withAutoStart(boolean v) {
    return new CreateOptions(name, sandboxId, backend, image, resourceLimits, securityPolicy, env, idleTimeoutSeconds,
        metadata, v);
  }
}
