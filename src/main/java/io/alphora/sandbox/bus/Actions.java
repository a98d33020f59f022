package io.alphora.sandbox.bus;

/**
 * The {@code action} header values. Names follow the seed's method names (snake_case) so a reader
 * of the Python API recognises them; see docs/event-bus.md for bodies and replies.
 */
public final class Actions {
  public static final String HEADER = "action";
  /** Header carrying the tenant on whose behalf a request is made (set by the front ends). */
  public static final String TENANT_HEADER = "tenant";

  // manager address
  public static final String CREATE = "create";
  public static final String GET_OR_CREATE = "get_or_create";
  public static final String GET = "get";
  public static final String GET_BY_NAME = "get_by_name";
  public static final String LIST = "list";
  public static final String STATUS = "status";
  public static final String TOTAL_USAGE = "total_usage";
  public static final String HEALTH_ALL = "health_check_all";
  public static final String STOP_ALL = "stop_all";
  public static final String DESTROY_ALL = "destroy_all";
  public static final String CLEANUP = "cleanup";
  public static final String CLEANUP_STOPPED = "cleanup_stopped";
  public static final String CLEANUP_IDLE = "cleanup_idle";

  // sandbox address: lifecycle
  public static final String INFO = "info";
  public static final String START = "start";
  public static final String STOP = "stop";
  public static final String RESTART = "restart";
  public static final String RESET = "reset";
  public static final String DESTROY = "destroy";
  public static final String HEALTH = "health_check";
  public static final String USAGE = "get_resource_usage";
  public static final String KEEPALIVE = "keepalive";
  /** Saves the workspace as a tar.gz object in the storage: body {@code {key?}}. */
  public static final String SNAPSHOT = "snapshot";

  // sandbox address: runs
  public static final String EXEC = "exec";
  public static final String EXEC_STATUS = "get_execution";
  public static final String CANCEL = "cancel";
  public static final String STDIN = "stdin";
  /** The events of a run still buffered for replay: body {@code {exec_id, from_seq?}}. */
  public static final String EVENTS = "get_events";

  // sandbox address: files
  public static final String LIST_FILES = "list_files";
  public static final String FILE_INFO = "get_file_info";
  public static final String FILE_EXISTS = "file_exists";
  public static final String READ_FILE = "read_file";
  public static final String WRITE_FILE = "write_file";
  public static final String COMMIT_FILE = "commit_file";
  public static final String READ_CHUNK = "read_chunk";
  public static final String DELETE_FILE = "delete_file";
  public static final String COPY_FILE = "copy_file";
  public static final String MOVE_FILE = "move_file";

  // sandbox address: packages
  public static final String LIST_PACKAGES = "list_packages";
  public static final String GET_PACKAGE = "get_package";
  public static final String INSTALL_PACKAGES = "install_packages";
  public static final String UNINSTALL_PACKAGE = "uninstall_package";

  // sandbox address: environment
  public static final String GET_ENV = "get_env_vars";
  public static final String SET_ENV = "set_env_vars";
  public static final String GET_ENV_VAR = "get_env_var";
  public static final String SET_ENV_VAR = "set_env_var";
  public static final String DELETE_ENV_VAR = "delete_env_var";

  // storage address (see docs/storage.md)
  public static final String PUT_OBJECT = "put_object";
  public static final String GET_OBJECT = "get_object";
  public static final String DELETE_OBJECT = "delete_object";
  public static final String OBJECT_EXISTS = "object_exists";
  public static final String OBJECT_INFO = "object_info";
  public static final String LIST_OBJECTS = "list_objects";
  public static final String COPY_OBJECT = "copy_object";
  public static final String MOVE_OBJECT = "move_object";
  public static final String DELETE_PREFIX = "delete_prefix";
  public static final String STORAGE_SIZE = "storage_size";
  public static final String PRESIGN = "presign";
  public static final String STORAGE_INFO = "storage_info";
  public static final String STORAGE_HEALTH = "storage_health";

  // internal address (node-local)
  public static final String RUN_FINISHED = "run_finished";
  public static final String RUNNER_DIED = "runner_died";
  public static final String SHUTDOWN = "shutdown";
  /** Clustered: write every sandbox of this node into the cluster index again (after a rejoin). */
  public static final String REINDEX = "reindex";
  /**
   * This node's load: clustered, on {@code <prefix>.nodes.<node_id>} for placing creates; on the
   * internal address for {@code /ready}.
   */
  public static final String NODE_LOAD = "node_load";
  /** On {@link Addresses#cluster}: this node's membership and which other nodes answer, for {@code /ready}. */
  public static final String CLUSTER_HEALTH = "cluster_health";

  // backend worker address (node-local)
  public static final String BACKEND_START = "backend_start";
  public static final String BACKEND_STOP = "backend_stop";
  public static final String BACKEND_DESTROY = "backend_destroy";
  public static final String BACKEND_HEALTH = "backend_health";
  public static final String BACKEND_WIPE = "backend_wipe";
  /** The backend itself (no sandbox): {available, ...}; the Docker backend says whether the daemon answers. */
  public static final String BACKEND_STATUS = "backend_status";
  public static final String DISK_USAGE = "disk_usage";
  /**
   * The host directory a snapshot of the sandbox's workspace is written from: {@code {"dir", "copy"}};
   * with {@code copy} true it is a copy made for the snapshot, which the caller deletes.
   */
  public static final String WORKSPACE_EXPORT = "workspace_export";

  private Actions() {}
}
