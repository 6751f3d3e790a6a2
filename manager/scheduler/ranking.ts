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
import type { NodeView } from './node-view.js';
import type { Resources, SchedulerTask, Strategy } from './types.js';

/** The nodes (in the given order) that satisfy the most of the soft rules. */
export function preferred(candidates: readonly NodeView[], soft: readonly Expression[]): readonly NodeView[] {
  if (soft.length === 0) return candidates;
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

/** Spread: fewest live tasks, then fewest of the task's group (looked up only on a tie, once per node). */
function spread(group: number, candidates: readonly NodeView[]): NodeView {
  let chosen = candidates[0] as NodeView;
  let chosenGroup = chosen.groupCount(group);
  for (let i = 1; i < candidates.length; i++) {
    const v = candidates[i] as NodeView;
    if (v.taskCount > chosen.taskCount) continue;
    const inGroup = v.groupCount(group);
    if (v.taskCount < chosen.taskCount || inGroup < chosenGroup) {
      chosen = v;
      chosenGroup = inGroup;
    }
  }
  return chosen;
}

/** Binpack: the highest reserved share once the task is added, then the most live tasks. */
function binpack(task: SchedulerTask, candidates: readonly NodeView[]): NodeView {
  let chosen = candidates[0] as NodeView;
  let chosenShare = reservedShare(chosen, task.reservations);
  for (let i = 1; i < candidates.length; i++) {
    const v = candidates[i] as NodeView;
    const share = reservedShare(v, task.reservations);
    if (share > chosenShare || (share === chosenShare && v.taskCount > chosen.taskCount)) {
      chosen = v;
      chosenShare = share;
    }
  }
  return chosen;
}

/** The node to place `task` (of spread group `group`) on; `candidates` (in id order, at least one) passed every filter. */
export function rank(strategy: Strategy, task: SchedulerTask, group: number, soft: readonly Expression[], candidates: readonly NodeView[], rng: Rng): NodeView {
  const tier = preferred(candidates, soft);
  switch (strategy) {
    case 'spread': return spread(group, tier);
    case 'binpack': return binpack(task, tier);
    case 'random': return tier[rng.int(tier.length)] as NodeView;
  }
}
