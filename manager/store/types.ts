// The objects the store holds, after swarmkit's shape: `{id, meta, spec, status}`. `spec` is what
// a user or the orchestrator asked for; `status` is what was observed. Both are plain data (they
// travel as JSON in commands and snapshots); the next steps extend these types field by field,
// and each new field gets its check in validate.ts.

export const KINDS = ['node', 'task', 'service', 'network', 'cluster'] as const;
export type Kind = (typeof KINDS)[number];

export type Labels = Readonly<Record<string, string>>;

/** `version`: the Raft index of the write that last changed the object (optimistic concurrency). */
export interface Meta {
  readonly version: number;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

// ---- node -------------------------------------------------------------------------------------

export const NODE_ROLES = ['manager', 'worker'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];
/** active: takes new tasks; pause: keeps its tasks, takes none; drain: its tasks move elsewhere. */
export const NODE_AVAILABILITIES = ['active', 'pause', 'drain'] as const;
export type NodeAvailability = (typeof NODE_AVAILABILITIES)[number];
/** unknown (just joined or a new leader's grace period) → ready ⇄ down; disconnected: left on purpose. */
export const NODE_STATES = ['unknown', 'ready', 'down', 'disconnected'] as const;
export type NodeState = (typeof NODE_STATES)[number];

/** A node's name (unique among nodes) is its hostname: a host is one node (ARCHITECTURE.md). */
export interface NodeSpec {
  readonly hostname: string;
  readonly role: NodeRole;
  readonly availability: NodeAvailability;
  readonly labels: Labels;
}
/** Memory bytes and CPUs × 10⁹ (Docker's NanoCPUs: `--cpus 0.5` is 500,000,000). Whole numbers ≥ 0. */
export interface Resources {
  readonly memoryBytes: number;
  readonly nanoCpus: number;
}

/**
 * What a node's agent reported when its session opened (proto NodeDescription), for the
 * scheduler. Absent until an agent has reported: a manager's own node today, which therefore
 * takes no task (nothing would run it).
 */
export interface NodeDescription {
  readonly agentVersion?: string;
  /** The agent's own labels (`shoal agent --label K=V`): `engine.labels.K`. */
  readonly engineLabels: Labels;
  /** What the host offers (its memory and CPUs). */
  readonly capacity: Resources;
  /** Images the agent has or ran (canonical references), for `affinity:image==`; not reported yet. */
  readonly images?: readonly string[];
}

export interface NodeStatus {
  readonly state: NodeState;
  readonly addr?: string;
  readonly message?: string;
  /** A manager's place in Raft: its Raft member id and the address its peers dial. */
  readonly raft?: { readonly id: number; readonly addr: string };
  readonly description?: NodeDescription;
  /** While down: when the leader declared it (its wall clock, ms), for `--stop-on-disconnect` waits. */
  readonly downAtMs?: number;
}

// ---- task -------------------------------------------------------------------------------------

// Task states only move forward (swarmkit's task model):
//   new → pending → assigned → accepted → preparing → starting → running
//       → complete | failed | shutdown | rejected | orphaned
// The managers move a task up to `assigned`; only the agent moves it further (ARCHITECTURE.md).
export const TASK_STATES = [
  'new', 'pending', 'assigned', 'accepted', 'preparing', 'starting', 'running',
  'complete', 'failed', 'shutdown', 'rejected', 'orphaned',
] as const;
export type TaskState = (typeof TASK_STATES)[number];
/** Observed states a task does not leave: it holds no name, port or reservation on its node any more. */
export const TERMINAL_TASK_STATES: readonly TaskState[] = ['complete', 'failed', 'shutdown', 'rejected', 'orphaned'];
/**
 * What a task should be: a task state, or `remove` (swarmkit's): shut it down, then delete the
 * object (`shoal rm -f`), which `shutdown` alone does not (a stopped container stays listed).
 */
export const DESIRED_STATES = [...TASK_STATES, 'remove'] as const;
export type DesiredState = (typeof DESIRED_STATES)[number];

/** `--restart`: no | on-failure[:N] | always (Docker's; N = most restarts, absent or 0 = no limit, as Docker's MaximumRetryCount). */
export const RESTART_CONDITIONS = ['no', 'on-failure', 'always'] as const;
export type RestartCondition = (typeof RESTART_CONDITIONS)[number];
export interface RestartPolicy {
  readonly condition: RestartCondition;
  /** Only with on-failure. */
  readonly maxRetries?: number;
}

/** `--stop-on-disconnect`: at most a day (a replacement held back longer is no longer fencing, it is an outage). */
export const STOP_ON_DISCONNECT_MS_MAX = 24 * 3_600_000;

/**
 * Swarm 1.2's rescheduling of a standalone container (`-e reschedule:on-node-failure` or the
 * label `com.docker.swarm.reschedule-policies=["on-node-failure"]`): a replacement elsewhere when
 * its node is declared down. Its absence is Swarm's `off`: the task is orphaned instead.
 */
export const RESCHEDULE_POLICIES = ['on-node-failure'] as const;
export type ReschedulePolicy = (typeof RESCHEDULE_POLICIES)[number];

export const PORT_PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
export type PortProtocol = (typeof PORT_PROTOCOLS)[number];
/** `-p HOST:CONTAINER[/PROTO]`: a container port published on the node's host port. */
export interface PublishedPort {
  readonly hostPort: number;
  readonly containerPort: number;
  readonly protocol: PortProtocol;
}

export interface TaskResources {
  /** Hard limits (`--memory`, `--cpus`); 0 = none. */
  readonly limits: Resources;
  /** What the scheduler counts against a node's capacity (as Swarm classic counted `--memory` and the CPU flags); 0 = nothing. */
  readonly reservations: Resources;
}

/** Where a task may go, as the user typed it (parsed by manager/scheduler's parsePlacement). */
export interface TaskPlacement {
  /** `--constraint EXPR` values (swarm mode's keys). */
  readonly constraints: readonly string[];
  /**
   * The `-e constraint:EXPR` and `-e affinity:EXPR` entries (Swarm classic's forms), kept out of
   * the container's environment. The label forms (`com.docker.swarm.constraints`, `...affinities`)
   * stay in the task's labels.
   */
  readonly env: readonly string[];
}

/**
 * A standalone container is a task without `serviceId`. `name` is unique among live tasks, so a
 * replacement with the same name is created in the same transaction that deletes (or renames) the
 * task it replaces. `nodeId` is set by the scheduler; `desiredState` by the orchestrator.
 * The container's fields are optional: tasks written before they existed load as they were.
 */
export interface TaskSpec {
  readonly name: string;
  readonly serviceId?: string;
  readonly nodeId?: string;
  /** As the user typed it (a valid reference: shared/image-reference.ts). */
  readonly image: string;
  readonly desiredState: DesiredState;
  readonly labels: Labels;
  /** `shoal run IMAGE ARGS...`: replaces the image's Cmd (its Entrypoint stays), Docker's Config.Cmd. */
  readonly args?: readonly string[];
  /** KEY=VALUE entries of the container's environment (Swarm's constraint:/affinity:/reschedule: entries are not among them). */
  readonly env?: readonly string[];
  readonly restart?: RestartPolicy;
  /**
   * `--stop-on-disconnect D`, in ms (opt-in fencing): the agent stops the container after D without
   * a working session with any manager, and the managers start its replacement only after D on
   * their side, so that not even a partition shows two copies running.
   */
  readonly stopOnDisconnectMs?: number;
  /**
   * `shoal stop -t SECONDS`: how long its agent waits after the stop signal before SIGKILL when it
   * shuts the container down; absent = the container's own (10 s).
   */
  readonly stopGracePeriodMs?: number;
  readonly ports?: readonly PublishedPort[];
  readonly resources?: TaskResources;
  readonly reschedule?: ReschedulePolicy;
  readonly placement?: TaskPlacement;
  /**
   * Set by the orchestrator on a task it replaced (its node went down, or was drained): the id of
   * the replacement, which holds the name from then on (this task holds none: `nameOf`).
   */
  readonly replacedBy?: string;
  /** On a replacement: the id of the task it replaces (for `shoal ps -a` and the events timeline). */
  readonly replaces?: string;
}
export interface TaskStatus {
  readonly state: TaskState;
  readonly message?: string;
  readonly containerId?: string;
  /** While pending: why no node takes it, in the scheduler's words (rewritten only when it changes). */
  readonly pendingReason?: string;
  /**
   * Ended without ending on its own: lost with its host (the agent, restarted, found it gone) or
   * stopped by --stop-on-disconnect. With the reschedule policy it gets a copy (manager/orchestrator).
   */
  readonly lost?: true;
}

// ---- service, network, cluster ------------------------------------------------------------------

export interface ServiceSpec {
  readonly name: string;
  readonly image: string;
  readonly replicas: number;
  readonly labels: Labels;
}
export interface ServiceStatus {
  readonly message?: string;
}

export const NETWORK_DRIVERS = ['overlay', 'bridge'] as const;
export type NetworkDriver = (typeof NETWORK_DRIVERS)[number];
export interface NetworkSpec {
  readonly name: string;
  readonly driver: NetworkDriver;
  /** CIDR asked for; the allocator picks one when absent. */
  readonly subnet?: string;
  readonly labels: Labels;
}
export interface NetworkStatus {
  readonly subnet?: string;
  readonly vni?: number;
}

/** How the scheduler ranks the nodes that can take a task (manager/scheduler, "Ranking"). */
export const STRATEGIES = ['spread', 'binpack', 'random'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface ClusterSpec {
  readonly name: string;
  readonly heartbeatPeriodMs: number;
  /** `spread` when absent. */
  readonly strategy?: Strategy;
  /** How long node certificates are valid (90 days when absent); each is renewed at 50-80% of it. */
  readonly certExpiryMs?: number;
}

/** The join tokens (`SHOAL-1-<CA fingerprint>-<secret>`, manager/ca): who may join, as what. */
export interface JoinTokens {
  readonly worker: string;
  readonly manager: string;
}
export interface ClusterStatus {
  readonly message?: string;
  /** The root CA's certificate (PEM), and its key, with which any manager signs node certificates. */
  readonly rootCaPem?: string;
  /**
   * The CA key travels with the store, as in swarmkit, so that every manager can let nodes
   * join; it is in the Raft log and snapshots (data dirs 0700, files 0600) and never leaves
   * through an API.
   */
  readonly rootCaKeyPem?: string;
  readonly joinTokens?: JoinTokens;
}

// ---- the object -------------------------------------------------------------------------------

export interface SpecByKind {
  node: NodeSpec;
  task: TaskSpec;
  service: ServiceSpec;
  network: NetworkSpec;
  cluster: ClusterSpec;
}
export interface StatusByKind {
  node: NodeStatus;
  task: TaskStatus;
  service: ServiceStatus;
  network: NetworkStatus;
  cluster: ClusterStatus;
}

export interface StoreObjectOf<K extends Kind> {
  readonly kind: K;
  readonly id: string;
  readonly meta: Meta;
  readonly spec: SpecByKind[K];
  readonly status: StatusByKind[K];
}
/** Any object: a union, so that `kind` narrows spec and status. */
export type StoreObject = { [K in Kind]: StoreObjectOf<K> }[Kind];

/**
 * The name that is unique per kind among live objects: a node's hostname, else spec.name. A task
 * that was replaced (`replacedBy`) holds no name any more: its replacement carries it.
 */
export function nameOf(o: Pick<StoreObject, 'kind' | 'spec'>): string | undefined {
  if (o.kind === 'node') return (o.spec as NodeSpec).hostname;
  if (o.kind === 'task' && (o.spec as TaskSpec).replacedBy !== undefined) return undefined;
  return (o.spec as { name: string }).name;
}
