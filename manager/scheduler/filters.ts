// The feasibility chain: the filters a node must pass to take a task, in order —
//   ready → active → each hard constraint → each hard affinity → host ports → memory → CPU.
// Each filter also says, in a user's words, why it removed nodes: the headline when it removed
// the last ones, and its part of the tally of the others ("2 not ready"). `explain` turns the
// chain and the nodes into the pending reason. The chain is NODE_FILTERS (the node alone: fixed
// for a whole `schedule` call) followed by `taskFilters` (what the task asks of the node).

import { assert } from '../../shared/errors.js';
import { matches, type Expression, type Placement } from './expression.js';
import type { NodeView } from './node-view.js';
import { counted, formatBytes, formatCpus, nodes } from './reasons.js';
import type { FilterStep, HostPort, Labels, SchedulerTask } from './types.js';

export interface Filter {
  readonly step: FilterStep;
  passes(view: NodeView): boolean;
  /** Why no node is left, given the nodes this filter removed: all those that reached it. */
  headline(removed: readonly NodeView[]): string;
  /** What the nodes it removed lacked, for the tally of the other nodes: "2 not ready". */
  tally(removed: readonly NodeView[]): string;
}

/** "2 down, 1 unknown": how many of `views` have each value of `key`, in order of first appearance. */
function breakdown(views: readonly NodeView[], key: (v: NodeView) => string): string {
  const counts = new Map<string, number>();
  for (const v of views) counts.set(key(v), (counts.get(key(v)) ?? 0) + 1);
  return [...counts].map(([value, n]) => `${n} ${value}`).join(', ');
}

const STATE_WORDS: Readonly<Record<string, string>> = { 'no-agent': 'without an agent' };
const stateWord = (v: NodeView): string => STATE_WORDS[v.node.state] ?? v.node.state;

const ready: Filter = {
  step: 'ready',
  passes: (v) => v.node.state === 'ready',
  headline: (removed) => `no node is ready (0 of ${nodes(removed.length)}: ${breakdown(removed, stateWord)})`,
  tally: (removed) => `${removed.length} not ready`,
};

const AVAILABILITY_WORDS: Readonly<Record<string, string>> = { pause: 'paused', drain: 'drained' };
const availabilityWord = (v: NodeView): string => AVAILABILITY_WORDS[v.node.availability] ?? v.node.availability;

const active: Filter = {
  step: 'availability',
  passes: (v) => v.node.availability === 'active',
  headline: (removed) => `no ready node is active (0 of ${nodes(removed.length)}: ${breakdown(removed, availabilityWord)})`,
  tally: (removed) => breakdown(removed, availabilityWord),
};

/** A label's value, own keys only (a label named "constructor" is not Object's). */
function labelValue(labels: Labels, key: string | undefined): string | undefined {
  return key !== undefined && Object.hasOwn(labels, key) ? labels[key] : undefined;
}

/** Whether the subject of `e` matches its pattern on this node (before `!=` turns it round). */
function subjectMatches(e: Expression, view: NodeView): boolean {
  const node = view.node;
  switch (e.subject) {
    case 'node.id': return matches(e.pattern, node.id);
    case 'node.hostname': return matches(e.pattern, node.hostname);
    case 'node': return matches(e.pattern, node.id) || matches(e.pattern, node.hostname);
    case 'node.role': return matches(e.pattern, node.role);
    case 'node.labels': {
      const value = labelValue(node.labels, e.labelKey);
      return value !== undefined && matches(e.pattern, value);
    }
    case 'engine.labels': {
      const value = labelValue(node.engineLabels, e.labelKey);
      return value !== undefined && matches(e.pattern, value);
    }
    case 'container': return view.runsContainer(e.pattern);
    case 'image': return view.hasImage(e.pattern);
  }
}

/** Whether the node satisfies `e`: `!=` holds on a node without the label, the container or the image. */
export function satisfies(e: Expression, view: NodeView): boolean {
  return subjectMatches(e, view) === (e.operator === '==');
}

function expressionFilter(e: Expression): Filter {
  return {
    step: e.kind,
    passes: (v) => satisfies(e, v),
    headline: (removed) => `no node satisfies ${e.text} (0 of ${nodes(removed.length)})`,
    tally: (removed) => `${counted(removed.length, 'does not satisfy', 'do not satisfy')} ${e.text}`,
  };
}

function portsFilter(wanted: readonly HostPort[]): Filter {
  const label = (p: HostPort): string => `${p.port}/${p.protocol}`;
  const taken = (removed: readonly NodeView[]): string[] => wanted.filter((p) => removed.some((v) => v.hasPort(p))).map(label);
  return {
    step: 'ports',
    passes: (v) => !wanted.some((p) => v.hasPort(p)),
    headline: (removed) => {
      const ports = taken(removed);
      return ports.length === 1
        ? `host port ${ports[0]} is taken on every node that fits (${nodes(removed.length)})`
        : `host ports ${ports.join(', ')}: one or more is taken on every node that fits (${nodes(removed.length)})`;
    },
    tally: (removed) => {
      const ports = taken(removed);
      return `${counted(removed.length, 'has', 'have')} host ${ports.length === 1 ? 'port' : 'ports'} ${ports.join(', ')} taken`;
    },
  };
}

const memoryFree = (v: NodeView): number => v.memoryFreeBytes;
const cpuFree = (v: NodeView): number => v.nanoCpusFree;

function resourceFilter(step: 'memory' | 'cpu', need: number): Filter {
  const [what, free, format] = step === 'memory' ? ['memory', memoryFree, formatBytes] as const : ['CPU', cpuFree, formatCpus] as const;
  return {
    step,
    // Written out per resource: this runs for every node and every kind of task.
    passes: step === 'memory' ? (v) => v.memoryFreeBytes >= need : (v) => v.nanoCpusFree >= need,
    headline: (removed) => {
      const most = Math.max(0, ...removed.map(free));
      return `not enough ${what}: ${counted(removed.length, 'node has', 'nodes have')} less than ${format(need)} free (the most free is ${format(most)})`;
    },
    tally: (removed) => `${counted(removed.length, 'lacks', 'lack')} ${what}`,
  };
}

/** The filters that look at the node alone: their verdicts hold for a whole `schedule` call. */
export const NODE_FILTERS: readonly Filter[] = [ready, active];

/** The chain's rest for one task; filters that cannot remove a node (no ports, nothing reserved) are left out. */
export function taskFilters(task: SchedulerTask, placement: Placement): Filter[] {
  const chain: Filter[] = [];
  for (const e of placement.hard) if (e.kind === 'constraint') chain.push(expressionFilter(e));
  for (const e of placement.hard) if (e.kind === 'affinity') chain.push(expressionFilter(e));
  if (task.hostPorts.length > 0) chain.push(portsFilter(task.hostPorts));
  if (task.reservations.memoryBytes > 0) chain.push(resourceFilter('memory', task.reservations.memoryBytes));
  if (task.reservations.nanoCpus > 0) chain.push(resourceFilter('cpu', task.reservations.nanoCpus));
  return chain;
}

export function passesAll(chain: readonly Filter[], view: NodeView): boolean {
  for (const f of chain) if (!f.passes(view)) return false;
  return true;
}

/**
 * The pending reason when no node passes the chain: each node is charged to the first filter
 * that removed it; the last filter that removed any is the one that removed the last nodes, and
 * gives the headline; the others are tallied after it.
 */
export function explain(chain: readonly Filter[], views: readonly NodeView[]): { reason: string; step: FilterStep } {
  const removedBy: NodeView[][] = chain.map(() => []);
  for (const v of views) {
    const at = chain.findIndex((f) => !f.passes(v));
    assert(at >= 0, 'scheduler: explain called with a node that passes every filter');
    (removedBy[at] as NodeView[]).push(v);
  }
  let last = removedBy.length - 1;
  while ((removedBy[last] as NodeView[]).length === 0) last--;
  const filter = chain[last] as Filter;
  const lastRemoved = removedBy[last] as NodeView[];
  const tallies = chain.slice(0, last).flatMap((f, i) => ((removedBy[i] as NodeView[]).length > 0 ? [f.tally(removedBy[i] as NodeView[])] : []));
  const headline = filter.headline(lastRemoved);
  const others = views.length - lastRemoved.length;
  return { reason: tallies.length === 0 ? headline : `${headline}; of the other ${nodes(others)}: ${tallies.join(', ')}`, step: filter.step };
}
