// The scheduler's wiring to the store, pure: which tasks wait for a node, the store's objects as
// the scheduler's input (DESIGN.md, "Input"), and its decisions as store writes in bounded
// batches. The leader's loop (manager/daemon/scheduler-loop.ts) reads the store, calls these and
// `schedule`, and proposes the batches; nothing here reads a clock or writes anything.

import type { StoreOp, UpdateOp } from '../store/command.js';
import type { Store } from '../store/store.js';
import { TERMINAL_TASK_STATES, type StoreObjectOf } from '../store/types.js';
import { NO_RESOURCES, type Decision, type NodeTask, type SchedulerNode, type SchedulerTask } from './types.js';

type TaskObject = StoreObjectOf<'task'>;
type NodeObject = StoreObjectOf<'node'>;

/** A task the scheduler places: pending, meant to run, on no node yet. */
export function waitsForNode(t: TaskObject): boolean {
  return t.status.state === 'pending' && t.spec.desiredState === 'running' && t.spec.nodeId === undefined;
}

/**
 * The tasks waiting for a node, oldest first (by creation, then id), so that a task is not
 * overtaken by later ones that are alike.
 */
export function waitingTasks(store: Store): TaskObject[] {
  return store
    .list('task')
    .filter(waitsForNode)
    .sort((a, b) => a.meta.createdAtMs - b.meta.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Whether a task on a node holds its name, host ports and reservations there: until it has
 * ended, whatever its desired state (one being shut down still holds its port until it stops).
 */
export function holdsPlace(t: TaskObject): boolean {
  return !TERMINAL_TASK_STATES.includes(t.status.state);
}

const hostPortsOf = (t: TaskObject): SchedulerTask['hostPorts'] => (t.spec.ports ?? []).map((p) => ({ port: p.hostPort, protocol: p.protocol }));

export function schedulerTask(t: TaskObject): SchedulerTask {
  const s = t.spec;
  return {
    id: t.id,
    name: s.name,
    ...(s.serviceId !== undefined ? { serviceId: s.serviceId } : {}),
    image: s.image,
    constraints: s.placement?.constraints ?? [],
    env: s.placement?.env ?? [],
    labels: s.labels,
    hostPorts: hostPortsOf(t),
    reservations: s.resources?.reservations ?? NO_RESOURCES,
  };
}

function nodeTask(t: TaskObject): NodeTask {
  return {
    name: t.spec.name,
    ...(t.spec.serviceId !== undefined ? { serviceId: t.spec.serviceId } : {}),
    image: t.spec.image,
    hostPorts: hostPortsOf(t),
    reservations: t.spec.resources?.reservations ?? NO_RESOURCES,
  };
}

/**
 * A node with its live tasks. A node no agent has reported for (no description: a manager's
 * own node, today) is `no-agent`, not ready: nothing would run a task there.
 */
export function schedulerNode(n: NodeObject, store: Store): SchedulerNode {
  const d = n.status.description;
  return {
    id: n.id,
    hostname: n.spec.hostname,
    role: n.spec.role,
    availability: n.spec.availability,
    state: d === undefined ? 'no-agent' : n.status.state,
    labels: n.spec.labels,
    engineLabels: d?.engineLabels ?? {},
    capacity: d?.capacity ?? NO_RESOURCES,
    images: d?.images ?? [],
    tasks: store.tasksOnNode(n.id).filter(holdsPlace).map(nodeTask),
  };
}

/**
 * The writes for `decisions`, against the tasks as the store holds them now (each names the
 * version it read): assigned → `spec.nodeId` and state `assigned`; pending → the reason, only
 * when it changed (so that a task nobody can place is not written again and again). A task
 * that no longer waits (removed, or changed meanwhile) is left alone.
 */
export function decisionOps(store: Store, decisions: readonly Decision[]): StoreOp[] {
  const ops: UpdateOp[] = [];
  for (const d of decisions) {
    const t = store.get('task', d.taskId);
    if (t === undefined || !waitsForNode(t)) continue;
    if (d.outcome === 'assigned') {
      ops.push({ op: 'update', kind: 'task', id: t.id, version: t.meta.version, spec: { ...t.spec, nodeId: d.nodeId }, status: { state: 'assigned' } });
    } else if (t.status.pendingReason !== d.reason) {
      ops.push({ op: 'update', kind: 'task', id: t.id, version: t.meta.version, status: { ...t.status, pendingReason: d.reason } });
    }
  }
  return ops;
}

/** How the loop's writes are cut: at most `opsMax` operations and about `bytesMax` bytes each. */
export interface WriteLimits {
  readonly opsMax: number;
  readonly bytesMax: number;
}

/** 500 operations or 1 MiB a transaction: well under the store's 10,000 and 4 MiB. */
export const WRITE_LIMITS: WriteLimits = { opsMax: 500, bytesMax: 1024 * 1024 };

/** `ops` cut into transactions within `limits` (an operation larger than bytesMax goes alone). */
export function inBatches(ops: readonly StoreOp[], limits: WriteLimits = WRITE_LIMITS): StoreOp[][] {
  const batches: StoreOp[][] = [];
  let batch: StoreOp[] = [];
  let bytes = 0;
  for (const op of ops) {
    const size = Buffer.byteLength(JSON.stringify(op));
    if (batch.length > 0 && (batch.length >= limits.opsMax || bytes + size > limits.bytesMax)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(op);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
