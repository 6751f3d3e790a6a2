// The leader's scheduler loop (manager/scheduler/DESIGN.md, "The loop"): after any change to
// tasks, nodes or the cluster, the tasks waiting for a node (oldest first) go to `schedule` in
// calls of `tasksPerCallMax` with the ready nodes and their live tasks, under the cluster's
// strategy; each call's decisions are written before the next call reads the store, in bounded
// batches: `nodeId` + `assigned`, or the pending reason when it changed. A task nobody can take
// waits until a change (a node ready, a task ended, a label added) lets the next pass place it.
// Leader only, through LeaderLoop: started after a leadership notice, never throws into Raft.

import type { Rng } from '../../shared/rng.js';
import { decisionOps, inBatches, schedulerNode, schedulerTask, waitingTasks, waitsForNode, WRITE_LIMITS, type WriteLimits } from '../scheduler/from-store.js';
import { schedule } from '../scheduler/schedule.js';
import { DEFAULT_STRATEGY, SCHEDULER_LIMITS, type SchedulerLimits } from '../scheduler/types.js';
import type { StoreObjectOf } from '../store/types.js';
import { LeaderReconciler, type LeaderWorkOptions } from './leader-loop.js';

export interface SchedulerLoopOptions extends LeaderWorkOptions {
  /** Draws for the `random` strategy. */
  readonly rng: Rng;
  readonly limits?: SchedulerLimits;
  readonly writeLimits?: WriteLimits;
}

/** What one pass did, for the log and tests. */
export interface PassReport {
  readonly waiting: number;
  readonly assigned: number;
  readonly reasonsWritten: number;
}

const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class SchedulerLoop extends LeaderReconciler {
  private readonly limits: SchedulerLimits;
  private readonly writeLimits: WriteLimits;
  /** The last pass's report (tests). */
  lastPass: PassReport | undefined;

  constructor(private readonly o: SchedulerLoopOptions) {
    // A task waiting, ending or moving; a node ready, down, relabelled; the strategy changed.
    super('scheduler', o, (e) => e.object.kind === 'task' || e.object.kind === 'node' || e.object.kind === 'cluster');
    this.limits = o.limits ?? SCHEDULER_LIMITS;
    this.writeLimits = o.writeLimits ?? WRITE_LIMITS;
  }

  /** Every waiting task, `tasksPerCallMax` at a time, each call's writes applied before the next reads. */
  protected async pass(stillLeading: () => boolean): Promise<void> {
    const store = this.o.store;
    const waitingIds = waitingTasks(store).map((t) => t.id);
    let assigned = 0;
    let reasonsWritten = 0;
    for (let from = 0; from < waitingIds.length && stillLeading(); from += this.limits.tasksPerCallMax) {
      if (from > 0) await yieldTurn();
      // As they are now: the writes of the calls before may have changed them.
      const tasks = waitingIds
        .slice(from, from + this.limits.tasksPerCallMax)
        .map((id) => store.get('task', id))
        .filter((t): t is StoreObjectOf<'task'> => t !== undefined && waitsForNode(t));
      if (tasks.length === 0) continue;
      const nodes = store.list('node').map((n) => schedulerNode(n, store));
      const strategy = store.list('cluster')[0]?.spec.strategy ?? DEFAULT_STRATEGY;
      const { decisions } = schedule(tasks.map(schedulerTask), nodes, strategy, this.o.rng, this.limits);
      const ops = decisionOps(store, decisions);
      for (const batch of inBatches(ops, this.writeLimits)) {
        if (!stillLeading()) return;
        await this.o.propose(batch);
        for (const op of batch) if (op.op === 'update' && op.kind === 'task' && op.spec !== undefined) assigned++;
      }
      reasonsWritten += ops.length - ops.filter((op) => op.op === 'update' && op.spec !== undefined).length;
    }
    this.lastPass = { waiting: waitingIds.length, assigned, reasonsWritten };
    if (assigned > 0 || reasonsWritten > 0) this.o.logger.info(this.lastPass, 'scheduler: tasks placed');
  }
}
