// The scheduler's one entry point: a batch of tasks, the nodes (with their live tasks), the
// cluster's strategy and a seeded Rng in; a decision per task out. Pure: the same input and seed
// give the same decisions. For each task, in the order given:
//
//   parse its rules ──bad──▶ pending (the parse error)
//        │
//   filter chain (filters.ts) ──no node left──▶ pending (why the last nodes went, and the others)
//        │   (reused from the task before when its rules, ports and reservations are the same)
//        │ the nodes that passed
//   rank (ranking.ts): soft rules first, then the strategy
//        │ one node
//   assign, and count the task on that node for the tasks after it (names, ports, images,
//   reservations, spread counts)

import { assert, ShoalError } from '../../shared/errors.js';
import type { Rng } from '../../shared/rng.js';
import { AFFINITIES_LABEL, CONSTRAINTS_LABEL, parsePlacement, type Placement } from './expression.js';
import { explain, NODE_FILTERS, passesAll, taskFilters, type Filter } from './filters.js';
import { Interned, NodeView } from './node-view.js';
import { rank } from './ranking.js';
import { SCHEDULER_LIMITS, STRATEGIES, type Decision, type FilterStep, type ScheduleResult, type SchedulerLimits, type SchedulerNode, type SchedulerTask, type Strategy } from './types.js';

const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);


function checkUniqueIds(items: readonly { id: string }[], what: string): void {
  const seen = new Set<string>();
  for (const { id } of items) {
    assert(!seen.has(id), `scheduler: ${what} ${id} given twice`);
    seen.add(id);
  }
}

/** What a task's filter chain depends on: its rules, host ports and reservations (not its name or service). */
function feasibilityKey(task: SchedulerTask): string {
  const rules = task.env.filter((e) => e.startsWith('constraint:') || e.startsWith('affinity:'));
  return JSON.stringify([task.constraints, rules, task.labels[CONSTRAINTS_LABEL] ?? null, task.labels[AFFINITIES_LABEL] ?? null, task.hostPorts, task.reservations]);
}

/**
 * The filter results of one kind of task (one feasibility key). Placing a task changes only the
 * node it goes on, so for the next task of the same kind — the replicas of a service come one
 * after another — the nodes that passed still pass, except perhaps that one, which is checked
 * again; the chain runs over all nodes once per run of alike tasks, not once per task.
 */
interface Feasible {
  readonly key: string;
  readonly placement: Placement;
  /** The chain after NODE_FILTERS. */
  readonly taskChain: readonly Filter[];
  /** The nodes that pass, in id order. */
  readonly candidates: NodeView[];
  /** Why not, once no node passes (nothing changes until a task of another kind is placed). */
  why?: { reason: string; step: FilterStep };
}

type Outcome = Feasible | { readonly key: string; readonly refusal: string };

/** `usable`: the nodes that pass NODE_FILTERS (ready and active), which no placement changes. */
function filterAll(task: SchedulerTask, key: string, usable: readonly NodeView[], limits: SchedulerLimits): Outcome {
  let placement: Placement;
  try {
    placement = parsePlacement(task, limits);
  } catch (err) {
    if (!(err instanceof ShoalError)) throw err;
    return { key, refusal: err.message };
  }
  const taskChain = taskFilters(task, placement);
  return { key, placement, taskChain, candidates: usable.filter((v) => passesAll(taskChain, v)) };
}

class Batch {
  private last: Outcome | undefined;
  private readonly usable: readonly NodeView[];

  constructor(
    private readonly views: readonly NodeView[],
    private readonly interned: Interned,
    private readonly strategy: Strategy,
    private readonly rng: Rng,
    private readonly limits: SchedulerLimits,
  ) {
    this.usable = views.filter((v) => passesAll(NODE_FILTERS, v));
  }

  decide(task: SchedulerTask): Decision {
    if (this.views.length === 0) return this.pending(task, 'no node has joined the cluster', 'nodes');
    const key = feasibilityKey(task);
    const outcome = this.last?.key === key ? this.last : filterAll(task, key, this.usable, this.limits);
    this.last = outcome;
    if ('refusal' in outcome) return this.pending(task, outcome.refusal, 'expression');
    if (outcome.candidates.length === 0) {
      outcome.why ??= explain([...NODE_FILTERS, ...outcome.taskChain], this.views);
      return this.pending(task, outcome.why.reason, outcome.why.step);
    }
    const chosen = rank(this.strategy, task, this.interned.group(task), outcome.placement.soft, outcome.candidates, this.rng);
    chosen.place(task);
    if (!passesAll(outcome.taskChain, chosen)) outcome.candidates.splice(outcome.candidates.indexOf(chosen), 1);
    return { taskId: task.id, outcome: 'assigned', nodeId: chosen.node.id };
  }

  private pending(task: SchedulerTask, reason: string, step: FilterStep): Decision {
    const max = this.limits.reasonCharsMax;
    return { taskId: task.id, outcome: 'pending', reason: reason.length > max ? `${reason.slice(0, max - 1)}…` : reason, step };
  }
}

/**
 * Places up to `limits.tasksPerCallMax` tasks, each counting against the next; the rest are
 * returned in `deferred`. Bad input from the store (a duplicate id, a negative or fractional
 * resource) is a bug and fails an assertion; a task whose rules do not parse stays pending.
 */
export function schedule(
  tasks: readonly SchedulerTask[],
  nodes: readonly SchedulerNode[],
  strategy: Strategy,
  rng: Rng,
  limits: SchedulerLimits = SCHEDULER_LIMITS,
): ScheduleResult {
  assert(STRATEGIES.includes(strategy), `scheduler: unknown strategy ${JSON.stringify(strategy)}`);
  checkUniqueIds(tasks, 'task');
  checkUniqueIds(nodes, 'node');
  const interned = new Interned();
  const views = [...nodes].sort(byId).map((n) => new NodeView(n, interned));
  const considered = tasks.slice(0, limits.tasksPerCallMax);
  const batch = new Batch(views, interned, strategy, rng, limits);
  return {
    decisions: considered.map((task) => batch.decide(task)),
    deferred: tasks.slice(limits.tasksPerCallMax).map((t) => t.id),
  };
}
