// A model test of rescheduling (issue #18): the real decision code — the store, the scheduler,
// the orchestrator's nextStep, the dispatcher's rule for a returning node, the task reaper's rule,
// the agents' report rule — driven by a seeded random schedule of power losses, partitions,
// returns, leader changes (a decision lost before it committed, or committed late) and time.
// Agents and liveness detection are modelled here in a few lines each: what they do is simple;
// what must hold is not. Checked after every step:
//   - no name ever has two containers running on nodes the managers can reach;
//   - with --stop-on-disconnect on every container with the policy: no name ever has two
//     containers running anywhere, partitions included;
// and at the end, with every node back: each container with the policy runs exactly once, every
// node is ready, and no replaced copy is left in the store.

import { describe, expect, it } from 'vitest';
import type { TaskStatus as TaskStatusMessage } from '../../proto/gen/shoal/dispatcher/v1/TaskStatus.js';
import { SeededRng, type Rng } from '../../shared/rng.js';
import { assignedTo, reportedStatus } from '../daemon/assignments.js';
import { reapable } from '../daemon/task-reaper.js';
import { heardStatus } from '../dispatcher/node-return.js';
import { decisionOps, schedulerNode, schedulerTask, waitingTasks } from '../scheduler/from-store.js';
import { schedule } from '../scheduler/schedule.js';
import type { StoreOp } from '../store/command.js';
import { Store } from '../store/store.js';
import { taskCreate } from '../store/testing.js';
import { nextStep } from './node-failure.js';

const NODES = ['n1', 'n2', 'n3', 'n4'];
/** Heartbeat period × missed periods: silence after which the leader writes a node down. */
const DOWN_AFTER_MS = 3_000;
const FENCE_MS = 8_000;
/** A host that lost power is back this long after at the soonest (longer than the detection). */
const BOOT_MS = 5_000;
const ROUNDS = 250;
const SEEDS = 40;

interface SimNode {
  reachable: boolean;
  powered: boolean;
  /** Running containers: task id → name. */
  containers: Map<string, string>;
  /** The leader's last contact (its tracker: a new leader gives every node a full grace). */
  lastHeardMs: number;
  /** The agent's own last contact with a manager (its --stop-on-disconnect clock). */
  contactMs: number;
  /** Reports its agent could not send while cut off, sent when it is heard again. */
  unsent: Map<string, string>;
  /** When it lost power (a host takes longer than the detection to boot again). */
  offSinceMs: number;
}

class Model {
  readonly store = new Store();
  private index = 0;
  nowMs = 1_700_000_000_000;
  private ids = 0;
  readonly nodes = new Map<string, SimNode>();
  /** A decision computed but not yet committed (a leader that will die, or a slow proposal). */
  private late: StoreOp[] | undefined;
  readonly stats = { replaced: 0, conflicts: 0, powerLosses: 0, partitions: 0, returns: 0, leaderChanges: 0 };

  constructor(
    private readonly rng: Rng,
    private readonly fenced: boolean,
  ) {
    for (const id of NODES) {
      this.nodes.set(id, { reachable: true, powered: true, containers: new Map(), lastHeardMs: this.nowMs, contactMs: this.nowMs, unsent: new Map(), offSinceMs: 0 });
      this.apply({ op: 'create', kind: 'node', id, spec: { hostname: `h-${id}`, role: 'worker', availability: 'active', labels: {} }, status: { state: 'ready', description: { engineLabels: {}, capacity: { memoryBytes: 2 ** 32, nanoCpus: 4e9 } } } });
    }
    for (let i = 0; i < 8; i++) {
      const policy = i < 6 ? { reschedule: 'on-node-failure' as const, ...(fenced ? { stopOnDisconnectMs: FENCE_MS } : {}) } : {};
      this.apply({ ...taskCreate(`t${i}`, `c${i}`, policy), status: { state: 'pending' } } as StoreOp);
    }
  }

  apply(...ops: StoreOp[]): boolean {
    try {
      this.store.applyCommand({ atMs: this.nowMs, ops }, ++this.index);
      return true;
    } catch (err) {
      if ((err as { code?: string }).code !== 'store.conflict') throw err;
      this.stats.conflicts++;
      return false;
    }
  }

  private newId = (): string => `r${++this.ids}`;

  // ---- faults -----------------------------------------------------------------------------

  fault(): void {
    const r = this.rng.float();
    const down = [...this.nodes.values()].filter((n) => !n.reachable).length;
    const pick = (ok: (n: SimNode) => boolean): [string, SimNode] | undefined => {
      const c = [...this.nodes].filter(([, n]) => ok(n));
      return c.length === 0 ? undefined : c[this.rng.int(c.length)];
    };
    if (r < 0.08 && down < 2) {
      const p = pick((n) => n.reachable);
      if (p === undefined) return;
      // Power loss: everything the host ran is gone, and so are its unsent reports.
      p[1].reachable = false;
      p[1].powered = false;
      p[1].containers.clear();
      p[1].unsent.clear();
      p[1].offSinceMs = this.nowMs;
      this.stats.powerLosses++;
    } else if (r < 0.16 && down < 2) {
      const p = pick((n) => n.reachable);
      if (p === undefined) return;
      p[1].reachable = false; // a partition: it goes on running what it runs
      this.stats.partitions++;
    } else if (r < 0.3) {
      const p = pick((n) => !n.reachable && (n.powered || this.nowMs - n.offSinceMs > BOOT_MS));
      if (p === undefined) return;
      p[1].reachable = true;
      p[1].powered = true; // a restarted agent: it finds none of its containers
      this.stats.returns++;
    } else if (r < 0.38) {
      // A new leader: whatever the old one had decided and not committed is lost or lands late,
      // and every node gets a full grace period.
      this.stats.leaderChanges++;
      this.late = this.rng.float() < 0.5 ? nextStep(this.view(), this.nowMs, this.newId).ops : undefined;
      for (const n of this.nodes.values()) n.lastHeardMs = Math.max(n.lastHeardMs, this.nowMs);
    }
  }

  // ---- the managers -----------------------------------------------------------------------

  private view() {
    const store = this.store;
    return { nodes: store.list('node'), tasksOnNode: (id: string) => store.tasksOnNode(id), task: (id: string) => store.get('task', id) };
  }

  liveness(): void {
    for (const [id, sim] of this.nodes) {
      const n = this.store.get('node', id);
      if (n === undefined) continue;
      if (sim.reachable) {
        sim.lastHeardMs = this.nowMs;
        sim.contactMs = this.nowMs;
        const heard = heardStatus(n, this.store.tasksOnNode(id));
        if (heard.status !== undefined && n.status.state !== 'ready') this.apply({ op: 'update', kind: 'node', id, version: n.meta.version, status: heard.status });
      } else if (this.nowMs - sim.lastHeardMs > DOWN_AFTER_MS && n.status.state !== 'down') {
        this.apply({ op: 'update', kind: 'node', id, version: n.meta.version, status: { ...n.status, state: 'down', message: 'no heartbeat', downAtMs: this.nowMs } });
      }
    }
  }

  orchestrate(): void {
    if (this.late !== undefined && this.rng.float() < 0.5) {
      // The lost leader's decision commits now, after whatever changed since: fenced, it either
      // still holds or is refused as a whole.
      if (this.late.length > 0) this.apply(...this.late);
      this.late = undefined;
    }
    for (let k = 0; k < 50; k++) {
      const next = nextStep(this.view(), this.nowMs, this.newId);
      if (next.ops.length === 0) return;
      if (this.apply(...next.ops)) this.stats.replaced += next.summary?.replaced ?? 0;
    }
    throw new Error('the orchestrator did not settle');
  }

  scheduleAll(): void {
    const tasks = waitingTasks(this.store);
    if (tasks.length === 0) return;
    const nodes = this.store.list('node').map((n) => schedulerNode(n, this.store));
    const { decisions } = schedule(tasks.map(schedulerTask), nodes, 'spread', this.rng);
    const ops = decisionOps(this.store, decisions);
    if (ops.length > 0) this.apply(...ops);
  }

  reap(): void {
    const ops: StoreOp[] = this.store.list('task').filter((t) => reapable(this.store, t)).map((t) => ({ op: 'delete', kind: 'task', id: t.id, version: t.meta.version }));
    if (ops.length > 0) this.apply(...ops);
  }

  // ---- the agents -------------------------------------------------------------------------

  private report(taskId: string, state: string, message = '', lost = false): void {
    const t = this.store.get('task', taskId);
    if (t === undefined) return;
    const next = reportedStatus(t.status, { state, message, error: '', atMs: this.nowMs, containerId: `c-${taskId}`, lost } as TaskStatusMessage);
    if (next !== undefined) this.apply({ op: 'update', kind: 'task', id: t.id, version: t.meta.version, status: next });
  }

  /** What an agent cut off does on its own: stop the fenced containers once the fence has passed. */
  agentsAlone(): void {
    for (const sim of this.nodes.values()) {
      if (sim.reachable || !sim.powered) continue;
      for (const [taskId] of sim.containers) {
        const t = this.store.get('task', taskId);
        const fence = t?.spec.stopOnDisconnectMs;
        if (fence !== undefined && this.nowMs - sim.contactMs >= fence) {
          sim.containers.delete(taskId);
          sim.unsent.set(taskId, 'shutdown');
        }
      }
    }
  }

  agents(): void {
    for (const [nodeId, sim] of this.nodes) {
      if (!sim.reachable) continue;
      for (const [taskId, state] of sim.unsent) this.report(taskId, state, 'stopped: no manager', true);
      sim.unsent.clear();
      const assigned = this.store.tasksOnNode(nodeId).filter((t) => assignedTo(t, nodeId));
      const ids = new Set(assigned.map((t) => t.id));
      for (const taskId of [...sim.containers.keys()]) if (!ids.has(taskId)) sim.containers.delete(taskId); // no longer assigned
      for (const t of assigned) {
        const running = sim.containers.has(t.id);
        if (t.spec.desiredState !== 'running') {
          if (running) sim.containers.delete(t.id);
          this.report(t.id, 'shutdown');
        } else if (running) {
          if (t.status.state === 'orphaned') this.report(t.id, 'running', 'still running');
        } else if (t.status.state === 'assigned') {
          sim.containers.set(t.id, t.spec.name);
          this.report(t.id, 'running');
        } else if (['accepted', 'preparing', 'starting', 'running', 'orphaned'].includes(t.status.state)) {
          this.report(t.id, 'failed', 'the agent restarted and its container is gone', true);
        }
      }
    }
  }

  // ---- what must hold ---------------------------------------------------------------------

  /** `reachableToo`: also the reachable nodes (once their agents have acted on what they were told). */
  check(where: string, reachableToo = false): void {
    const seen = new Map<string, string>();
    const everywhere = new Map<string, string>();
    for (const [nodeId, sim] of this.nodes) {
      for (const [taskId, name] of sim.containers) {
        if (sim.reachable && reachableToo) {
          const other = seen.get(name);
          if (other !== undefined) throw new Error(`${where}: ${name} runs twice on reachable nodes (${other} and ${taskId}@${nodeId})`);
          seen.set(name, `${taskId}@${nodeId}`);
        }
        const policy = this.store.get('task', taskId)?.spec.reschedule !== undefined || everywhere.has(name);
        if (this.fenced && policy) {
          const other = everywhere.get(name);
          if (other !== undefined) throw new Error(`${where}: ${name} runs twice across a partition (${other} and ${taskId}@${nodeId})`);
          everywhere.set(name, `${taskId}@${nodeId}`);
        }
      }
    }
  }

  round(faults: boolean): void {
    this.nowMs += 100 + this.rng.int(1_400);
    this.agentsAlone();
    this.check('after time passed');
    if (faults) this.fault();
    this.check('after a fault');
    // A node back from a partition may run a replaced copy until its agent hears what it must
    // stop (the next step): without --stop-on-disconnect that is the window a partition leaves.
    for (const step of ['agents', 'liveness', 'orchestrate', 'scheduleAll', 'agents', 'reap'] as const) {
      this[step]();
      this.check(`after ${step}`, step === 'agents' || step === 'reap');
    }
    expect(this.store.indexProblems()).toEqual([]);
  }
}

describe('rescheduling under random failures (a model of the real decision code)', () => {
  for (const fenced of [false, true]) {
    it(`${fenced ? 'with --stop-on-disconnect: never two copies anywhere' : 'never two copies on reachable nodes'}; everything back: each runs once`, { timeout: 60_000 }, () => {
      const totals = { replaced: 0, conflicts: 0, powerLosses: 0, partitions: 0, returns: 0, leaderChanges: 0 };
      for (let seed = 1; seed <= SEEDS; seed++) {
        const m = new Model(new SeededRng(seed * 7919 + (fenced ? 1 : 0)), fenced);
        try {
          for (let r = 0; r < ROUNDS; r++) m.round(true);
          for (const n of m.nodes.values()) {
            n.reachable = true;
            n.powered = true;
          }
          for (let r = 0; r < 40; r++) m.round(false);
        } catch (err) {
          throw new Error(`seed ${seed}: ${(err as Error).message}`);
        }
        const tasks = m.store.list('task');
        expect(tasks.filter((t) => t.spec.replacedBy !== undefined), `seed ${seed}: replaced copies left`).toEqual([]);
        expect(m.store.list('node').map((n) => n.status.state), `seed ${seed}`).toEqual(['ready', 'ready', 'ready', 'ready']);
        const running = [...m.nodes.values()].flatMap((n) => [...n.containers.values()]).sort();
        for (let i = 0; i < 6; i++) expect(running.filter((name) => name === `c${i}`), `seed ${seed}: c${i}`).toHaveLength(1);
        for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += m.stats[k];
      }
      // The schedules did what they are for.
      expect(totals.replaced).toBeGreaterThan(50);
      expect(totals.powerLosses + totals.partitions).toBeGreaterThan(100);
      expect(totals.leaderChanges).toBeGreaterThan(100);
    });
  }
});
