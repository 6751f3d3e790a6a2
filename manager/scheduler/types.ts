// The scheduler's own input and output. The wiring fills these from the store (a node object and
// the live tasks the tasks-by-node index gives for it; a pending task object) so that the
// scheduler reads nothing but plain data and can be tested with literals. DESIGN.md, "Input",
// says which store field goes where.

import type { NodeAvailability, NodeRole, NodeState, PortProtocol, Strategy } from '../store/types.js';
import { TEXT_CHARS_MAX } from '../store/validate.js';

// The strategies and port protocols are the store's (a cluster setting, a task's published
// ports), defined once there.
export { PORT_PROTOCOLS, STRATEGIES, type PortProtocol, type Strategy } from '../store/types.js';

export type Labels = Readonly<Record<string, string>>;

/** How a cluster ranks the nodes that can take a task (a cluster setting; `spread` by default). */
export const DEFAULT_STRATEGY: Strategy = 'spread';

/** CPUs are counted in billionths, as Docker's and swarmkit's NanoCPUs: `--cpus 0.5` is 500,000,000. */
export const NANO_CPUS_PER_CPU = 1_000_000_000;

/** What a node offers, or what a task reserves (0 = nothing reserved). Whole numbers. */
export interface Resources {
  readonly memoryBytes: number;
  readonly nanoCpus: number;
}
export const NO_RESOURCES: Resources = { memoryBytes: 0, nanoCpus: 0 };

/** A port published on the host (`-p 8080:80` publishes 8080/tcp); container-only ports are not listed. */
export interface HostPort {
  readonly port: number;
  readonly protocol: PortProtocol;
}

/**
 * A live task already on a node: one that holds (or is about to hold) its name, its host ports
 * and its reservations there. The wiring passes the node's tasks whose desired state is
 * `running` and whose observed state is not past `running` (DESIGN.md, "Input").
 */
export interface NodeTask {
  readonly name: string;
  readonly serviceId?: string;
  readonly image: string;
  readonly hostPorts: readonly HostPort[];
  readonly reservations: Resources;
}

/**
 * A node's state as the store has it, or `no-agent`: no agent has reported for the node (a
 * manager's own node, today), so nothing would run a task there; it counts as not ready.
 */
export type SchedulerNodeState = NodeState | 'no-agent';

export interface SchedulerNode {
  readonly id: string;
  readonly hostname: string;
  readonly role: NodeRole;
  /** Only `active` nodes take new tasks. */
  readonly availability: NodeAvailability;
  /** Only `ready` nodes take new tasks. */
  readonly state: SchedulerNodeState;
  /** The node's labels (`shoal node update --label-add`): `node.labels.K`. */
  readonly labels: Labels;
  /** The agent's own labels (`shoal agent --label K=V`): `engine.labels.K`, and Swarm classic's `constraint:K==V`. */
  readonly engineLabels: Labels;
  /** What the node offers (as its agent reports it); a task that reserves a resource needs it free here. */
  readonly capacity: Resources;
  /** Images the node has or ran (as the agent reports them), for `affinity:image==IMAGE`. */
  readonly images: readonly string[];
  /** Its live tasks (see NodeTask). */
  readonly tasks: readonly NodeTask[];
}

/** A task to place, with its placement rules as the user wrote them (parsed by the scheduler). */
export interface SchedulerTask {
  readonly id: string;
  readonly name: string;
  /** Tasks of one service spread apart; a standalone container spreads apart from tasks of its name. */
  readonly serviceId?: string;
  readonly image: string;
  /** `--constraint EXPR` values: `node.labels.zone==b`, `node.role!=manager`, ... */
  readonly constraints: readonly string[];
  /** The `-e` entries; only `constraint:...` and `affinity:...` ones are read (Swarm classic). */
  readonly env: readonly string[];
  /** Read: `com.docker.swarm.constraints` and `com.docker.swarm.affinities` (JSON arrays, Swarm classic). */
  readonly labels: Labels;
  readonly hostPorts: readonly HostPort[];
  readonly reservations: Resources;
}

/**
 * The step of the filter chain that removed a node, in the chain's order; `expression` is a
 * task whose rules do not parse, `nodes` a cluster without nodes.
 */
export const FILTER_STEPS = ['nodes', 'expression', 'ready', 'availability', 'constraint', 'affinity', 'ports', 'memory', 'cpu'] as const;
export type FilterStep = (typeof FILTER_STEPS)[number];

export type Decision =
  | { readonly taskId: string; readonly outcome: 'assigned'; readonly nodeId: string }
  | {
      readonly taskId: string;
      readonly outcome: 'pending';
      /** One line for `shoal ps`: which step removed the last nodes, and what the others lacked. */
      readonly reason: string;
      readonly step: FilterStep;
    };

export interface ScheduleResult {
  /** One per task considered, in the order the tasks were given. */
  readonly decisions: readonly Decision[];
  /** Ids of the tasks past `tasksPerCallMax`, untouched: schedule them in the next call. */
  readonly deferred: readonly string[];
}

export interface SchedulerLimits {
  /** Most tasks one `schedule` call considers (it runs synchronously); the rest are deferred. */
  readonly tasksPerCallMax: number;
  /** Most constraints plus affinities one task may carry. */
  readonly expressionsPerTaskMax: number;
  /** Longest constraint or affinity, in characters. */
  readonly expressionCharsMax: number;
  /** Longest pending reason, in characters (a longer one is cut, ending in "…"): what a task's status message may hold. */
  readonly reasonCharsMax: number;
}

export const SCHEDULER_LIMITS: SchedulerLimits = {
  tasksPerCallMax: 1_000,
  expressionsPerTaskMax: 64,
  expressionCharsMax: 1_024,
  reasonCharsMax: TEXT_CHARS_MAX,
};
