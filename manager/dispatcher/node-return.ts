// A node heard again (a heartbeat after it was declared down, a new session): what its status
// becomes. Pure; the dispatcher writes it (manager/daemon/dispatcher.ts) and the orchestrator's
// model test runs the same rule (manager/orchestrator/model.test.ts).
//
// It is `ready` — unless it still holds containers that were replaced while it was down: then it
// is `unknown` (heard, not ready: the scheduler places nothing there, and the orchestrator, which
// acts on `down` nodes, leaves what it still runs alone) with a message saying so, until its agent
// has reported every one of them stopped. So a name never runs twice once the node is back.

import type { NodeDescription, NodeStatus, StoreObjectOf, TaskState } from '../store/types.js';

/** Finished for good: a replaced container in one of these no longer runs on its node. */
const STOPPED: readonly TaskState[] = ['complete', 'failed', 'shutdown', 'rejected'];

/** How many containers of a node were replaced elsewhere and have not been stopped there yet. */
export function replacedStillHeld(tasks: readonly StoreObjectOf<'task'>[]): number {
  return tasks.filter((t) => t.spec.replacedBy !== undefined && t.spec.desiredState === 'remove' && !STOPPED.includes(t.status.state)).length;
}

/** Whether the stored description says the same as the one just reported (images are not reported yet). */
export function sameDescription(stored: NodeDescription | undefined, reported: NodeDescription): boolean {
  if (stored === undefined) return false;
  const labels = (l: NodeDescription['engineLabels']): string => JSON.stringify(Object.entries(l).sort(([a], [b]) => (a < b ? -1 : 1)));
  return stored.agentVersion === reported.agentVersion && stored.capacity.memoryBytes === reported.capacity.memoryBytes && stored.capacity.nanoCpus === reported.capacity.nanoCpus && labels(stored.engineLabels) === labels(reported.engineLabels);
}

export interface HeardStatus {
  /** The status to write; undefined when the stored one already says it. */
  readonly status: NodeStatus | undefined;
  /** Whether the node waits for replaced containers to stop (look again after its next reports). */
  readonly returning: boolean;
}

/** `tasks`: the node's tasks now; `description`: what its agent reported when its session opened, if it did. */
export function heardStatus(n: StoreObjectOf<'node'>, tasks: readonly StoreObjectOf<'task'>[], description?: NodeDescription): HeardStatus {
  const described = description === undefined || sameDescription(n.status.description, description);
  const replaced = n.status.state === 'ready' ? 0 : replacedStillHeld(tasks);
  const { message: _was, downAtMs: _since, ...status } = n.status;
  const withDescription = description !== undefined ? { description } : {};
  if (replaced > 0) {
    const message = `back; stopping ${replaced} replaced container${replaced === 1 ? '' : 's'} first`;
    if (n.status.state === 'unknown' && n.status.message === message && described) return { status: undefined, returning: true };
    return { status: { ...status, state: 'unknown', message, ...withDescription }, returning: true };
  }
  if (n.status.state === 'ready' && described) return { status: undefined, returning: false };
  return { status: { ...status, state: 'ready', ...withDescription }, returning: false };
}
