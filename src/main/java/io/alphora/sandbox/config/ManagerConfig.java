package io.alphora.sandbox.config;

import io.alphora.sandbox.backend.WorkspaceVolumes;
import io.vertx.core.json.JsonObject;

/**
 * The sandbox manager ({@code manager:} in the config file). The seed's top-level
 * {@code auto_cleanup} and {@code persist_files} land here too.
 *
 * @param maxSandboxes most sandboxes at once, cluster-wide ({@code max_sandboxes}, env
 *     {@code SANDBOX_MAX_SANDBOXES}, default 100)
 * @param idleTimeoutSeconds a sandbox idle this long is cleaned up, 0 = never
 *     ({@code idle_timeout_seconds}, env {@code SANDBOX_IDLE_TIMEOUT}, default 3600)
 * @param idleSweepSeconds how often idleness is checked, 0 = no timer (only explicit cleanup
 *     requests) ({@code idle_sweep_seconds}, env {@code SANDBOX_IDLE_SWEEP}, default 60)
 * @param autoCleanup delete a sandbox's workspace when it stops, the seed's flag
 *     ({@code auto_cleanup}, env {@code SANDBOX_AUTO_CLEANUP}, default false)
 * @param persistFiles save each workspace to storage when its sandbox stops or is idle-cleaned and
 *     restore it on get_or_create ({@code persist_files}, env {@code SANDBOX_PERSIST_FILES}, default
 *     false: an archive per stop is a cost to opt into; workspaces survive restarts regardless)
 * @param workspaceQuota how workspaces are bounded ({@code workspace_quota}, env
 *     {@code SANDBOX_WORKSPACE_QUOTA}, default {@code auto}): {@code loop} gives each workspace its
 *     own loop-mounted ext4 volume of {@code disk_mb} with about {@code max_files_count} inodes
 *     (needs root and loop devices; the service refuses to start without them), {@code auto} does
 *     so where the host allows it (else a warning), {@code none} leaves workspaces unbounded
 */
public record ManagerConfig(
    int maxSandboxes, int idleTimeoutSeconds, int idleSweepSeconds, boolean autoCleanup,
    boolean persistFiles, WorkspaceVolumes.Mode workspaceQuota) {

  /** The built-in defaults. */
  public static ManagerConfig defaults() {
    return new ManagerConfig(100, 3600, 60, false, false, WorkspaceVolumes.Mode.AUTO);
  }

  static ManagerConfig parse(Section s) {
    ManagerConfig d = defaults();
    ManagerConfig c = new ManagerConfig(
        s.integer("max_sandboxes", d.maxSandboxes(), 1, Integer.MAX_VALUE),
        s.integer("idle_timeout_seconds", d.idleTimeoutSeconds(), 0, Integer.MAX_VALUE),
        s.integer("idle_sweep_seconds", d.idleSweepSeconds(), 0, Integer.MAX_VALUE),
        s.bool("auto_cleanup", d.autoCleanup()),
        s.bool("persist_files", d.persistFiles()),
        quota(s, d.workspaceQuota()));
    s.done();
    return c;
  }

  JsonObject toJson() {
    return new JsonObject().put("max_sandboxes", maxSandboxes).put("idle_timeout_seconds", idleTimeoutSeconds)
        .put("idle_sweep_seconds", idleSweepSeconds).put("auto_cleanup", autoCleanup)
        .put("persist_files", persistFiles).put("workspace_quota", workspaceQuota.value());
  }

  private static WorkspaceVolumes.Mode quota(Section s, WorkspaceVolumes.Mode def) {
    String v = s.string("workspace_quota", null);
    if (v == null) {
      return def;
    }
    try {
      return WorkspaceVolumes.Mode.parse(v);
    } catch (IllegalArgumentException e) {
      throw ConfigErrors.invalid(s.key("workspace_quota"), v, "must be one of auto, loop, none");
    }
  }
}
