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
export interface NodeStatus {
  readonly state: NodeState;
  readonly addr?: string;
  readonly message?: string;
  /** A manager's place in Raft: its Raft member id and the address its peers dial. */
  readonly raft?: { readonly id: number; readonly addr: string };
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

/**
 * A standalone container is a task without `serviceId`. `name` is unique among live tasks, so a
 * replacement with the same name is created in the same transaction that deletes (or renames) the
 * task it replaces. `nodeId` is set by the scheduler; `desiredState` by the orchestrator.
 */
export interface TaskSpec {
  readonly name: string;
  readonly serviceId?: string;
  readonly nodeId?: string;
  readonly image: string;
  readonly desiredState: TaskState;
  readonly labels: Labels;
}
export interface TaskStatus {
  readonly state: TaskState;
  readonly message?: string;
  readonly containerId?: string;
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

export interface ClusterSpec {
  readonly name: string;
  readonly heartbeatPeriodMs: number;
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

/** The name that is unique per kind among live objects: a node's hostname, else spec.name. */
export function nameOf(o: Pick<StoreObject, 'kind' | 'spec'>): string {
  return o.kind === 'node' ? (o.spec as NodeSpec).hostname : (o.spec as { name: string }).name;
}
