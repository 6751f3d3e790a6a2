// The leader's task reaper: a task whose desired state is `remove` (`shoal rm -f` of one on a
// node) is deleted once no agent holds it any more — it has ended, it never got to a node, or its
// node was removed. A task still on a live node waits for its agent to shut it down and report
// it ended. Leader only, through LeaderLoop; deletes in bounded batches, each naming the version
// it read (a task that changed meanwhile is looked at again in the next pass).

import { inBatches, WRITE_LIMITS, type WriteLimits } from '../scheduler/from-store.js';
import type { StoreOp } from '../store/command.js';
import type { Store } from '../store/store.js';
import { TERMINAL_TASK_STATES, type StoreObjectOf } from '../store/types.js';
import { LeaderReconciler, type LeaderWorkOptions } from './leader-loop.js';

export interface TaskReaperOptions extends LeaderWorkOptions {
  readonly writeLimits?: WriteLimits;
}

/**
 * Whether a task to be removed is held by no agent: ended, never placed, or its node gone. An
 * orphaned task may still run on its unreachable node: it stays until its agent, back, has
 * stopped it (the record is what keeps that node from being ready too early) or the node is removed.
 */
export function reapable(store: Store, t: StoreObjectOf<'task'>): boolean {
  if (t.spec.desiredState !== 'remove') return false;
  if ((t.status.state !== 'orphaned' && TERMINAL_TASK_STATES.includes(t.status.state)) || t.status.state === 'new' || t.status.state === 'pending') return true;
  return t.spec.nodeId === undefined || store.get('node', t.spec.nodeId) === undefined;
}

export class TaskReaper extends LeaderReconciler {
  constructor(private readonly o: TaskReaperOptions) {
    super('task reaper', o, (e) => (e.object.kind === 'task' && e.object.spec.desiredState === 'remove') || (e.object.kind === 'node' && e.type === 'delete'));
  }

  protected async pass(stillLeading: () => boolean): Promise<void> {
    const store = this.o.store;
    const ops: StoreOp[] = store.list('task').filter((t) => reapable(store, t)).map((t) => ({ op: 'delete', kind: 'task', id: t.id, version: t.meta.version }));
    for (const batch of inBatches(ops, this.o.writeLimits ?? WRITE_LIMITS)) {
      if (!stillLeading()) return;
      await this.o.propose(batch);
      this.o.logger.info({ tasks: batch.length }, 'task reaper: removed tasks that were shut down');
    }
  }
}
