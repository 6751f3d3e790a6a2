// The leader's orchestrator loop (manager/orchestrator/DESIGN.md): after a change to nodes or
// tasks, it asks `nextStep` for the next transaction (a node's failed or drained tasks replaced,
// orphaned or released), proposes it, waits until it is applied, and asks again, until there is
// nothing left to do — each decision reads what the one before wrote, from committed state only.
// A --stop-on-disconnect wait that is not over yet brings a pass back when it ends. Leader only,
// through LeaderLoop: a leader that dies halfway leaves the rest to the next, which reads the
// same committed state and finishes it.

import { nextStep, ORCHESTRATOR_LIMITS, type OrchestratorLimits } from '../orchestrator/node-failure.js';
import { newId } from './data-dir.js';
import { LeaderReconciler, type LeaderWorkOptions } from './leader-loop.js';

export interface OrchestratorLoopOptions extends LeaderWorkOptions {
  readonly limits?: OrchestratorLimits;
  /** Ids of replacements (tests inject their own). */
  readonly newId?: () => string;
}

/** Transactions in one pass at most (each bounded by tasksPerTransactionMax); the rest in the next pass. */
export const ORCHESTRATOR_STEPS_PER_PASS_MAX = 1_000;

export class OrchestratorLoop extends LeaderReconciler {
  constructor(private readonly o: OrchestratorLoopOptions) {
    // A node down, back, drained; a task moving (a drain's copy running, a task on a down node).
    super('orchestrator', o, (e) => e.object.kind === 'node' || e.object.kind === 'task');
  }

  protected async pass(stillLeading: () => boolean): Promise<void> {
    const store = this.o.store;
    const view = { get nodes() { return store.list('node'); }, tasksOnNode: (id: string) => store.tasksOnNode(id), task: (id: string) => store.get('task', id) };
    for (let steps = 0; steps < ORCHESTRATOR_STEPS_PER_PASS_MAX && stillLeading(); steps++) {
      const next = nextStep(view, this.o.clock.wallMs(), this.o.newId ?? newId, this.o.limits ?? ORCHESTRATOR_LIMITS);
      if (next.wakeAtMs !== undefined) this.loop.wakeIn(next.wakeAtMs - this.o.clock.wallMs());
      if (next.ops.length === 0) return;
      await this.o.propose(next.ops);
      const s = next.summary;
      if (s !== undefined) this.o.logger.info({ node: s.hostname, nodeId: s.nodeId, replaced: s.replaced, orphaned: s.orphaned, released: s.released }, `orchestrator: node ${s.hostname}: ${s.replaced} replaced, ${s.orphaned} orphaned, ${s.released} old copies released`);
    }
    this.o.logger.warn({ limit: 'ORCHESTRATOR_STEPS_PER_PASS_MAX', value: ORCHESTRATOR_STEPS_PER_PASS_MAX }, 'orchestrator: a pass hit its step limit; the rest in the next pass');
    this.loop.wakeIn(0);
  }
}
