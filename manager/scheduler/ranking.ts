// Ranking the nodes that passed every filter. First the soft rules: only the nodes that satisfy
// the most of the task's soft constraints and affinities stay in the running (none of them
// filters a node out when no node satisfies it). Then the strategy picks one:
//   spread   fewest live tasks; ties: fewest tasks of the task's spread group; then lowest id
//   binpack  the most reserved after placing it (memory share + CPU share); ties: most live tasks; then lowest id
//   random   one drawn from the seeded Rng, the nodes taken in id order
// The nodes come in id order, and a node replaces the best so far only when strictly better, so
// "lowest id" is the last tie-break without being compared.

import type { Rng } from '../../shared/rng.js';
import type { Expression } from './expression.js';
import { satisfies } from './filters.js';
import { spreadGroupOf, type NodeView } from './node-view.js';
import type { Resources, SchedulerTask, Strategy } from './types.js';

/** The nodes (in the given order) that satisfy the most of the soft rules. */
export function preferred(candidates: readonly NodeView[], soft: readonly Expression[]): NodeView[] {
  if (soft.length === 0) return candidates.slice();
  let best = -1;
  let tier: NodeView[] = [];
  for (const v of candidates) {
    let score = 0;
    for (const e of soft) if (satisfies(e, v)) score++;
    if (score > best) {
      best = score;
      tier = [v];
    } else if (score === best) {
      tier.push(v);
    }
  }
  return tier;
}

/** A node's share of its capacity reserved once `need` is added: 0 to 2 (memory and CPU), 0 for a resource it does not report. */
export function reservedShare(view: NodeView, need: Resources): number {
  const share = (reserved: number, capacity: number): number => (capacity > 0 ? reserved / capacity : 0);
  return share(view.memoryReservedBytes + need.memoryBytes, view.node.capacity.memoryBytes)
    + share(view.nanoCpusReserved + need.nanoCpus, view.node.capacity.nanoCpus);
}

type Better = (a: NodeView, b: NodeView) => boolean;

function spreadBetter(task: SchedulerTask): Better {
  const group = spreadGroupOf(task);
  return (a, b) => a.taskCount < b.taskCount || (a.taskCount === b.taskCount && a.groupCount(group) < b.groupCount(group));
}

function binpackBetter(task: SchedulerTask): Better {
  return (a, b) => {
    const shareA = reservedShare(a, task.reservations);
    const shareB = reservedShare(b, task.reservations);
    return shareA > shareB || (shareA === shareB && a.taskCount > b.taskCount);
  };
}

function best(candidates: readonly NodeView[], better: Better): NodeView {
  let chosen = candidates[0] as NodeView;
  for (let i = 1; i < candidates.length; i++) {
    const v = candidates[i] as NodeView;
    if (better(v, chosen)) chosen = v;
  }
  return chosen;
}

/** The node to place `task` on; `candidates` (in id order, at least one) passed every filter. */
export function rank(strategy: Strategy, task: SchedulerTask, soft: readonly Expression[], candidates: readonly NodeView[], rng: Rng): NodeView {
  const tier = preferred(candidates, soft);
  switch (strategy) {
    case 'spread': return best(tier, spreadBetter(task));
    case 'binpack': return best(tier, binpackBetter(task));
    case 'random': return tier[rng.int(tier.length)] as NodeView;
  }
}
