package io.alphora.sandbox.bus;

/**
 * Every event-bus address of the service, derived from one configurable prefix (default
 * {@code alphora.sandbox}). No address string is typed anywhere else.
 */
public final class Addresses {
  public static final String DEFAULT_PREFIX = "alphora.sandbox";

  private final String prefix;

  public Addresses(String prefix) { this.prefix = prefix; }

  public static Addresses defaults() { return new Addresses(DEFAULT_PREFIX); }

  public String prefix() { return prefix; }

  /** Manager commands: create, list, status, cleanup… */
  public String manager() { return prefix + ".manager"; }

  /** Everything on one sandbox; registered by the node that hosts it. */
  public String sandbox(String sandboxId) { return prefix + "." + sandboxId; }

  /** Where a run's events ({@code start}, {@code stdout}, {@code stderr}, {@code exit}) are published. */
  public String exec(String sandboxId, String execId) { return sandbox(sandboxId) + ".exec." + execId; }

  /** The audit trail: one record per operation (see docs/security.md). */
  public String audit() { return prefix + ".audit"; }

  /** Storage commands (objects, listings, presigned URLs) of the node's configured store. */
  public String storage() { return prefix + ".storage"; }

  /** Lifecycle events: created, started, stopped, destroyed, idle_cleaned. */
  public String events() { return prefix + ".events"; }

  /**
   * Node-internal notices to the manager (run finished, runner died, drain). Registered as a local
   * consumer, so nothing outside this JVM can send them.
   */
  public String internal(String nodeId) { return prefix + ".internal." + nodeId; }

  /**
   * Clustered: the manager commands of one node (its own sandboxes only). The cluster router on
   * {@link #manager()} places creates and fans look-ups out to these.
   */
  public String node(String nodeId) { return prefix + ".nodes." + nodeId; }

  /**
   * Clustered: this node's cluster router, for its own node only (membership and the other nodes'
   * reachability for {@code /ready}). Registered as a local consumer.
   */
  public String cluster(String nodeId) { return prefix + ".cluster." + nodeId; }

  /** Clustered: the cluster-wide sandbox index (Hazelcast map: sandbox id → owner, tenant, info). */
  public String index() { return prefix + ".index"; }

  /** Clustered: the cluster's nodes (Hazelcast map: node id → Vert.x cluster node id, draining). */
  public String nodes() { return prefix + ".nodes"; }

  /** Clustered: the cluster-wide lock that serialises the limit checks of creates. */
  public String createLock() { return prefix + ".create"; }

  /** The backend worker of one node and type (local delivery only). */
  public String backend(String nodeId, String type) { return prefix + ".backend." + type + "." + nodeId; }

  /**
   * The same backend, one worker context behind it: what must be handled in the order the manager
   * sent it (a run's stdin) goes here; the plain address spreads messages over all worker instances.
   */
  public String backendOrdered(String nodeId, String type) { return backend(nodeId, type) + ".ordered"; }
}
