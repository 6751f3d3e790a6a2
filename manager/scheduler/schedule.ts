// The scheduler's one entry point: a batch of tasks, the nodes (with their live tasks), the
// cluster's strategy and a seeded Rng in; a decision per task out. Pure: the same input and seed
// give the same decisions. For each task, in the order given:
//
//   parse its rules ──bad──▶ pending (the parse error)
//        │
//   filter chain (filters.ts) ──no node left──▶ pending (why the last nodes went, and the others)
//        │ the nodes that passed
//   rank (ranking.ts): soft rules first, then the strategy
//        │ one node
//   assign, and count the task on that node for the tasks after it (names, ports, images,
//   reservations, spread counts)

import { assert, ShoalError } from '../../shared/errors.js';
import type { Rng } from '../../shared/rng.js';
import { parsePlacement, type Placement } from './expression.js';
import { explain, filterChain, passesAll } from './filters.js';
import { ImageNames, NodeView } from './node-view.js';
import { rank } from './ranking.js';
import { SCHEDULER_LIMITS, type Decision, type FilterStep, type ScheduleResult, type SchedulerLimits, type SchedulerNode, type SchedulerTask, type Strategy } from './types.js';

const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function pending(task: SchedulerTask, reason: string, step: FilterStep): Decision {
  return { taskId: task.id, outcome: 'pending', reason, step };
}

function checkUniqueIds(items: readonly { id: string }[], what: string): void {
  const seen = new Set<string>();
  for (const { id } of items) {
    assert(!seen.has(id), `scheduler: ${what} ${id} given twice`);
    seen.add(id);
  }
}

function decide(task: SchedulerTask, views: readonly NodeView[], strategy: Strategy, rng: Rng, limits: SchedulerLimits): Decision {
  let placement: Placement;
  try {
    placement = parsePlacement(task, limits);
  } catch (err) {
    if (!(err instanceof ShoalError)) throw err;
    return pending(task, err.message, 'expression');
  }
  if (views.length === 0) return pending(task, 'no node has joined the cluster', 'nodes');
  const chain = filterChain(task, placement);
  const candidates = views.filter((v) => passesAll(chain, v));
  if (candidates.length === 0) {
    const { reason, step } = explain(chain, views);
    return pending(task, reason, step);
  }
  const chosen = rank(strategy, task, placement.soft, candidates, rng);
  chosen.place(task);
  return { taskId: task.id, outcome: 'assigned', nodeId: chosen.node.id };
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
  checkUniqueIds(tasks, 'task');
  checkUniqueIds(nodes, 'node');
  const imageNames = new ImageNames();
  const views = [...nodes].sort(byId).map((n) => new NodeView(n, imageNames));
  const considered = tasks.slice(0, limits.tasksPerCallMax);
  return {
    decisions: considered.map((task) => decide(task, views, strategy, rng, limits)),
    deferred: tasks.slice(limits.tasksPerCallMax).map((t) => t.id),
  };
}
