// What the leader does about nodes that went down or are drained (DESIGN.md): Swarm 1.2's
// rescheduling of standalone containers, made exact. Pure: the store as it is committed, the
// leader's wall clock and an id source in; the next transaction out. The wiring
// (manager/daemon/orchestrator-loop.ts) proposes it, waits until it is applied, and asks again,
// so every decision reads what the one before wrote.
//
// Per node, the tasks it holds:
//   node down, task live, policy on-node-failure ──▶ replaced: the old one is marked
//       `replacedBy` + desired `remove` (+ orphaned), a copy with the same name, spec and labels
//       is created pending, in the same transaction (the store moves the name to it)
//       └─ with --stop-on-disconnect D: only once D has passed since the node was declared down
//   node down, task live, no policy ──▶ orphaned (stays listed; running again if the node returns with it)
//   node down, task already replaced but still desired running (a drain under way) ──▶ desired remove
//   node ready and drained, task live with the policy ──▶ replaced, the old one kept running
//   ready node (drained or not), old task whose replacement runs (or ended) ──▶ desired remove
//   ready node, task with the policy that was lost with its host or stopped by its agent after
//       --stop-on-disconnect (status.lost) ──▶ replaced
// Each transaction also rewrites the node at the version read (a compare-and-set): a node that
// came back, or was un-drained, since the decision makes the transaction fail, and the next
// pass decides again from what is committed.

import type { StoreOp } from '../store/command.js';
import type { StoreObjectOf, TaskSpec, TaskState, TaskStatus } from '../store/types.js';

type NodeObject = StoreObjectOf<'node'>;
type TaskObject = StoreObjectOf<'task'>;

/** Finished for good (the agent stopped it, or it never ran): nothing to replace or orphan. */
const FINISHED: readonly TaskState[] = ['complete', 'failed', 'shutdown', 'rejected'];

export interface OrchestratorLimits {
  /** Tasks decided in one transaction (each a replacement is two operations). */
  readonly tasksPerTransactionMax: number;
  /**
   * Bytes of one transaction's operations, about (a task spec may be 64 KiB and a replacement
   * writes two): well under a command's 4 MiB, so no step is refused for its size, again and again.
   */
  readonly bytesPerTransactionMax: number;
}

export const ORCHESTRATOR_LIMITS: OrchestratorLimits = { tasksPerTransactionMax: 100, bytesPerTransactionMax: 1024 * 1024 };

/** The first operations of `ops` whose JSON fits in `bytesMax` (at least one task's worth), cut at a task's boundary. */
function withinBytes(ops: StoreOp[], bytesMax: number): StoreOp[] {
  let bytes = 0;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as StoreOp;
    bytes += Buffer.byteLength(JSON.stringify(op));
    // A replacement is an update and a create: never cut between the two.
    const pairStart = op.op === 'create' ? i - 1 : i;
    if (bytes > bytesMax && pairStart > 0) return ops.slice(0, pairStart);
  }
  return ops;
}

/** The committed store, as the orchestrator reads it. */
export interface OrchestratorView {
  readonly nodes: readonly NodeObject[];
  tasksOnNode(nodeId: string): readonly TaskObject[];
  task(id: string): TaskObject | undefined;
}

export interface NextStep {
  /** The next transaction (empty: nothing to do now). */
  readonly ops: StoreOp[];
  /** What it does, for the log: replaced / orphaned / stopped counts and the node. */
  readonly summary?: { readonly nodeId: string; readonly hostname: string; readonly replaced: number; readonly orphaned: number; readonly released: number };
  /** The earliest wall-clock time a --stop-on-disconnect wait ends (a pass is due then). */
  readonly wakeAtMs?: number;
}

/** A task meant to run that has not finished: what the agent holds or will hold. */
export function isLive(t: TaskObject): boolean {
  return t.spec.desiredState === 'running' && !FINISHED.includes(t.status.state) && t.spec.replacedBy === undefined;
}

const short = (id: string): string => id.slice(0, 12);

/** When the node was declared down (older nodes lack `downAtMs`: their last write). */
const downAt = (n: NodeObject): number => n.status.downAtMs ?? n.meta.updatedAtMs;

/** The replacement's spec: the same container, on no node yet, naming what it replaces. */
export function replacementSpec(old: TaskSpec, oldId: string): TaskSpec {
  const { nodeId: _node, replacedBy: _by, replaces: _was, ...rest } = old;
  return { ...rest, desiredState: 'running', replaces: oldId };
}

function replaceOps(old: TaskObject, newId: string, oldStatus: TaskStatus, desired: TaskSpec['desiredState']): StoreOp[] {
  return [
    // First the old one gives up its name, then the copy takes it (operations see those before).
    { op: 'update', kind: 'task', id: old.id, version: old.meta.version, spec: { ...old.spec, replacedBy: newId, desiredState: desired }, status: oldStatus },
    { op: 'create', kind: 'task', id: newId, spec: replacementSpec(old.spec, old.id), status: { state: 'pending', message: `replaces ${short(old.id)}` } },
  ];
}

interface NodeDecision {
  ops: StoreOp[];
  replaced: number;
  orphaned: number;
  released: number;
  wakeAtMs: number | undefined;
}

function downNode(n: NodeObject, tasks: readonly TaskObject[], nowMs: number, newId: () => string, max: number): NodeDecision {
  const d: NodeDecision = { ops: [], replaced: 0, orphaned: 0, released: 0, wakeAtMs: undefined };
  const host = n.spec.hostname;
  for (const t of tasks) {
    if (d.replaced + d.orphaned + d.released >= max) break;
    if (t.spec.replacedBy !== undefined) {
      // A drain's old copy on a node that then went down: its replacement exists; it goes.
      if (t.spec.desiredState === 'running') {
        d.ops.push({ op: 'update', kind: 'task', id: t.id, version: t.meta.version, spec: { ...t.spec, desiredState: 'remove' } });
        d.released++;
      }
      continue;
    }
    if (!isLive(t)) continue;
    if (t.spec.reschedule === 'on-node-failure') {
      const fence = t.spec.stopOnDisconnectMs;
      if (fence !== undefined && nowMs < downAt(n) + fence) {
        // Its agent stops it after `fence` without a manager; the copy starts only after that.
        d.wakeAtMs = Math.min(d.wakeAtMs ?? Infinity, downAt(n) + fence);
        continue;
      }
      const id = newId();
      d.ops.push(...replaceOps(t, id, { ...t.status, state: 'orphaned', message: `node ${host} down: replaced by ${short(id)}` }, 'remove'));
      d.replaced++;
    } else if (t.status.state !== 'orphaned') {
      d.ops.push({ op: 'update', kind: 'task', id: t.id, version: t.meta.version, status: { ...t.status, state: 'orphaned', message: `node ${host} is down` } });
      d.orphaned++;
    }
  }
  return d;
}

/**
 * A ready node: old copies whose replacement runs (or ended, or is gone: nothing is gained by
 * waiting) are released — on any ready node, so that a drain undone before its copies ran still
 * ends with one copy of each name; and, when the node is drained, its live containers with the
 * policy get a copy while they keep running.
 */
function readyNode(n: NodeObject, tasks: readonly TaskObject[], task: (id: string) => TaskObject | undefined, newId: () => string, max: number): NodeDecision {
  const d: NodeDecision = { ops: [], replaced: 0, orphaned: 0, released: 0, wakeAtMs: undefined };
  for (const t of tasks) {
    if (d.replaced + d.released >= max) break;
    if (t.spec.replacedBy !== undefined) {
      if (t.spec.desiredState !== 'running') continue;
      const copy = task(t.spec.replacedBy);
      if (copy === undefined || copy.status.state === 'running' || FINISHED.includes(copy.status.state) || copy.spec.desiredState !== 'running') {
        d.ops.push({ op: 'update', kind: 'task', id: t.id, version: t.meta.version, spec: { ...t.spec, desiredState: 'remove' } });
        d.released++;
      }
      continue;
    }
    if (n.spec.availability !== 'drain' || !isLive(t) || t.spec.reschedule !== 'on-node-failure') continue;
    d.ops.push(...replaceOps(t, newId(), t.status, 'running'));
    d.replaced++;
  }
  return d;
}

/**
 * A container with the policy that ended without ending on its own (`status.lost`: lost with its
 * host, which came back before the managers declared it down, or stopped by its agent after
 * --stop-on-disconnect) on a node that is ready: it is still meant to run, so it gets a copy as
 * one on a down node would (placed on any ready node, this one included).
 */
function lostTasks(tasks: readonly TaskObject[], newId: () => string, max: number): NodeDecision {
  const d: NodeDecision = { ops: [], replaced: 0, orphaned: 0, released: 0, wakeAtMs: undefined };
  for (const t of tasks) {
    if (d.replaced >= max) break;
    if (t.spec.replacedBy !== undefined || t.spec.desiredState !== 'running' || t.status.lost !== true) continue;
    if (t.spec.reschedule !== 'on-node-failure') continue;
    d.ops.push(...replaceOps(t, newId(), t.status, 'remove'));
    d.replaced++;
  }
  return d;
}

/**
 * The next transaction for the first node (by id) with something to do, fenced on that node's
 * version; or none, with the time a --stop-on-disconnect wait ends if one is running.
 */
export function nextStep(view: OrchestratorView, nowMs: number, newId: () => string, limits: OrchestratorLimits = ORCHESTRATOR_LIMITS): NextStep {
  let wakeAtMs: number | undefined;
  const nodes = [...view.nodes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const n of nodes) {
    const tasks = [...view.tasksOnNode(n.id)].sort((a, b) => a.meta.createdAtMs - b.meta.createdAtMs || (a.id < b.id ? -1 : 1));
    let d: NodeDecision | undefined;
    if (n.status.state === 'down') d = downNode(n, tasks, nowMs, newId, limits.tasksPerTransactionMax);
    else if (n.status.state === 'ready') d = readyNode(n, tasks, (id) => view.task(id), newId, limits.tasksPerTransactionMax);
    if (n.status.state === 'ready' && (d === undefined || d.ops.length === 0)) d = lostTasks(tasks, newId, limits.tasksPerTransactionMax);
    if (d === undefined) continue;
    if (d.wakeAtMs !== undefined) wakeAtMs = Math.min(wakeAtMs ?? Infinity, d.wakeAtMs);
    if (d.ops.length === 0) continue;
    const fence: StoreOp = { op: 'update', kind: 'node', id: n.id, version: n.meta.version, status: n.status };
    const ops = withinBytes(d.ops, limits.bytesPerTransactionMax);
    const replaced = ops.filter((op) => op.op === 'create').length;
    const others = ops.length - 2 * replaced;
    return {
      ops: [fence, ...ops],
      summary: { nodeId: n.id, hostname: n.spec.hostname, replaced, orphaned: Math.min(d.orphaned, others), released: Math.min(d.released, others - Math.min(d.orphaned, others)) },
      ...(wakeAtMs !== undefined ? { wakeAtMs } : {}),
    };
  }
  return { ops: [], ...(wakeAtMs !== undefined ? { wakeAtMs } : {}) };
}
