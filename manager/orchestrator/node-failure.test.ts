import { describe, expect, it } from 'vitest';
import type { StoreOp } from '../store/command.js';
import { Store } from '../store/store.js';
import { nodeCreate, taskCreate } from '../store/testing.js';
import type { NodeStatus, TaskSpec } from '../store/types.js';
import { nextStep, type OrchestratorView } from './node-failure.js';

const T0 = 1_700_000_000_000;

/** A store at index `index`, written at wall time T0 + index. */
class World {
  readonly store = new Store();
  private index = 0;
  private ids = 0;

  apply(...ops: StoreOp[]): void {
    this.index++;
    this.store.applyCommand({ atMs: T0 + this.index, ops }, this.index);
  }

  node(id: string, state: NodeStatus['state'], extra: Partial<NodeStatus> = {}, availability: 'active' | 'drain' | 'pause' = 'active'): void {
    const existing = this.store.get('node', id);
    if (existing === undefined) this.apply({ ...nodeCreate(id, `host-${id}`, { availability }), status: { state, ...extra } } as StoreOp);
    else this.apply({ op: 'update', kind: 'node', id, version: existing.meta.version, spec: { ...existing.spec, availability }, status: { ...existing.status, state, ...extra } });
  }

  task(id: string, name: string, nodeId: string, spec: Partial<TaskSpec> = {}, state: 'running' | 'assigned' | 'complete' | 'orphaned' = 'running'): void {
    this.apply({ ...taskCreate(id, name, { nodeId, ...spec }), status: { state, containerId: `c-${id}` } } as StoreOp);
  }

  view(): OrchestratorView {
    return { nodes: this.store.list('node'), tasksOnNode: (n) => this.store.tasksOnNode(n), task: (id) => this.store.get('task', id) };
  }

  newId = (): string => `new${++this.ids}`;

  /** Runs the orchestrator to a standstill (each step applied before the next is asked), as the loop does. */
  settle(nowMs: number, stepsMax = 50): { steps: number; wakeAtMs: number | undefined } {
    for (let steps = 0; steps < stepsMax; steps++) {
      const next = nextStep(this.view(), nowMs, this.newId);
      if (next.ops.length === 0) return { steps, wakeAtMs: next.wakeAtMs };
      this.apply(...next.ops);
    }
    throw new Error('the orchestrator did not settle');
  }
}

const reschedule = { reschedule: 'on-node-failure' as const };

describe('a node down', () => {
  it('replaces a task with the policy: same name, spec and labels, pending on no node; the old one gives up the name and is to be removed', () => {
    const w = new World();
    w.node('n1', 'ready');
    w.task('t1', 'web', 'n1', { ...reschedule, labels: { tier: 'front' }, env: ['A=1'], args: ['sleep', '9'] });
    w.node('n1', 'down', { downAtMs: T0 });
    w.settle(T0 + 10);
    const old = w.store.get('task', 't1')!;
    const copy = w.store.byNameOf('task', 'web')!;
    expect(copy.id).toBe('new1');
    expect(copy.spec).toEqual({ name: 'web', image: 'busybox', desiredState: 'running', labels: { tier: 'front' }, env: ['A=1'], args: ['sleep', '9'], reschedule: 'on-node-failure', replaces: 't1' });
    expect(copy.status.state).toBe('pending');
    expect(old.spec).toMatchObject({ replacedBy: 'new1', desiredState: 'remove', nodeId: 'n1' });
    expect(old.status).toMatchObject({ state: 'orphaned', containerId: 'c-t1' });
    expect(old.status.message).toContain('replaced by new1');
  });

  it('orphans a task without the policy, once, and leaves it listed under its name', () => {
    const w = new World();
    w.node('n1', 'ready');
    w.task('t1', 'db', 'n1');
    w.node('n1', 'down', { downAtMs: T0 });
    expect(w.settle(T0).steps).toBe(1);
    expect(w.store.byNameOf('task', 'db')?.status).toMatchObject({ state: 'orphaned', message: 'node host-n1 is down' });
    expect(w.settle(T0).steps).toBe(0);
    expect(w.store.list('task')).toHaveLength(1);
  });

  it('leaves finished tasks, tasks of ready nodes and tasks meant to stop alone', () => {
    const w = new World();
    w.node('n1', 'ready');
    w.node('n2', 'ready');
    w.task('t1', 'done', 'n1', reschedule, 'complete');
    w.task('t2', 'stopping', 'n1', { ...reschedule, desiredState: 'shutdown' });
    w.task('t3', 'elsewhere', 'n2', reschedule);
    w.node('n1', 'down');
    expect(w.settle(T0).steps).toBe(0);
  });

  it('replaces a task once: the next passes see the copy, whatever they are asked again', () => {
    const w = new World();
    w.node('n1', 'ready');
    w.task('t1', 'web', 'n1', reschedule);
    w.node('n1', 'down');
    w.settle(T0);
    expect(w.settle(T0).steps).toBe(0);
    expect(w.store.list('task').map((t) => t.id)).toEqual(['new1', 't1']);
  });

  it('a replacement on a node that dies in turn is replaced again', () => {
    const w = new World();
    w.node('n1', 'ready');
    w.node('n2', 'ready');
    w.task('t1', 'web', 'n1', reschedule);
    w.node('n1', 'down');
    w.settle(T0);
    const copy = w.store.get('task', 'new1')!;
    w.apply({ op: 'update', kind: 'task', id: 'new1', version: copy.meta.version, spec: { ...copy.spec, nodeId: 'n2' }, status: { state: 'running' } });
    w.node('n2', 'down');
    w.settle(T0);
    expect(w.store.byNameOf('task', 'web')?.id).toBe('new2');
    expect(w.store.get('task', 'new2')?.spec.replaces).toBe('new1');
  });

  it('keeps a transaction under its byte bound with large specs, never splitting a replacement from its mark', () => {
    const w = new World();
    w.node('n1', 'ready');
    const big = Array.from({ length: 14 }, (_, k) => `X${k}=${'x'.repeat(4_000)}`);
    for (let i = 0; i < 12; i++) w.task(`t${String(i).padStart(2, '0')}`, `c${i}`, 'n1', { ...reschedule, env: big });
    w.node('n1', 'down');
    const first = nextStep(w.view(), T0, w.newId);
    const bytes = Buffer.byteLength(JSON.stringify(first.ops));
    expect(bytes).toBeLessThan(1.2 * 1024 * 1024);
    expect(first.ops.filter((op) => op.op === 'create')).toHaveLength(first.summary?.replaced ?? -1);
    expect(first.ops.length).toBe(1 + 2 * (first.summary?.replaced ?? 0));
    expect(first.summary?.replaced).toBeLessThan(12);
    w.settle(T0);
    expect(w.store.list('task').filter((t) => t.spec.replaces !== undefined)).toHaveLength(12);
  });

  it('splits a node with many tasks into bounded transactions, each fenced on the node', () => {
    const w = new World();
    w.node('n1', 'ready');
    for (let i = 0; i < 250; i++) w.task(`t${String(i).padStart(3, '0')}`, `c${i}`, 'n1', reschedule);
    w.node('n1', 'down');
    const first = nextStep(w.view(), T0, w.newId);
    expect(first.ops[0]).toMatchObject({ op: 'update', kind: 'node', id: 'n1' });
    expect(first.summary?.replaced).toBe(100);
    expect(w.settle(T0).steps).toBe(3);
    expect(w.store.list('task').filter((t) => t.spec.replacedBy === undefined)).toHaveLength(250);
  });

  it('a decision made while the node was down fails as a whole if the node came back before it was applied', () => {
    const w = new World();
    w.node('n1', 'ready');
    w.task('t1', 'web', 'n1', reschedule);
    w.node('n1', 'down');
    const step = nextStep(w.view(), T0, w.newId);
    w.node('n1', 'ready');
    expect(() => w.apply(...step.ops)).toThrow(/conflict|written at version/);
    expect(w.store.get('task', 't1')?.spec.replacedBy).toBeUndefined();
    expect(w.settle(T0).steps).toBe(0);
  });
});

describe('--stop-on-disconnect', () => {
  it('the copy is made only once the duration has passed since the node was declared down; the wait is reported', () => {
    const w = new World();
    w.node('n1', 'ready');
    w.task('t1', 'web', 'n1', { ...reschedule, stopOnDisconnectMs: 30_000 });
    w.task('t2', 'quick', 'n1', reschedule);
    w.node('n1', 'down', { downAtMs: T0 + 1000 });
    const early = w.settle(T0 + 30_999);
    expect(early.wakeAtMs).toBe(T0 + 31_000);
    expect(w.store.byNameOf('task', 'web')?.id).toBe('t1');
    expect(w.store.byNameOf('task', 'quick')?.id).not.toBe('t2');
    expect(w.settle(T0 + 31_000).wakeAtMs).toBeUndefined();
    expect(w.store.byNameOf('task', 'web')?.spec.replaces).toBe('t1');
  });
});

describe('a container lost without its node being declared down', () => {
  it('gets a copy when it has the policy (lost with its host, or stopped by its agent after --stop-on-disconnect); one that ended on its own does not', () => {
    const w = new World();
    w.node('n1', 'ready');
    w.task('t1', 'lost', 'n1', reschedule);
    w.task('t2', 'exited', 'n1', reschedule);
    w.task('t3', 'plain', 'n1');
    for (const [id, state, lost] of [['t1', 'failed', true], ['t2', 'failed', false], ['t3', 'failed', true]] as const) {
      const t = w.store.get('task', id)!;
      w.apply({ op: 'update', kind: 'task', id, version: t.meta.version, status: { state, ...(lost ? { lost: true as const } : {}) } });
    }
    w.settle(T0);
    expect(w.store.byNameOf('task', 'lost')?.spec.replaces).toBe('t1');
    expect(w.store.get('task', 't1')?.spec).toMatchObject({ replacedBy: 'new1', desiredState: 'remove' });
    expect(w.store.byNameOf('task', 'exited')?.id).toBe('t2');
    expect(w.store.byNameOf('task', 'plain')?.id).toBe('t3');
  });
});

describe('drain', () => {
  it('starts a copy elsewhere while the old one keeps running, and stops the old one once the copy runs', () => {
    const w = new World();
    w.node('n1', 'ready');
    w.task('t1', 'web', 'n1', reschedule);
    w.task('t2', 'plain', 'n1');
    w.node('n1', 'ready', {}, 'drain');
    w.settle(T0);
    const old = w.store.get('task', 't1')!;
    expect(old.spec).toMatchObject({ replacedBy: 'new1', desiredState: 'running' });
    expect(old.status.state).toBe('running');
    // Without the policy it stays where it is.
    expect(w.store.get('task', 't2')?.spec.replacedBy).toBeUndefined();
    // The copy is placed, then runs.
    const copy = w.store.get('task', 'new1')!;
    w.apply({ op: 'update', kind: 'task', id: 'new1', version: copy.meta.version, spec: { ...copy.spec, nodeId: 'n2' }, status: { state: 'starting' } });
    expect(w.settle(T0).steps).toBe(0);
    const placed = w.store.get('task', 'new1')!;
    w.apply({ op: 'update', kind: 'task', id: 'new1', version: placed.meta.version, status: { state: 'running' } });
    w.settle(T0);
    expect(w.store.get('task', 't1')?.spec.desiredState).toBe('remove');
  });

  it('an old copy whose drained node then goes down is removed, not replaced a second time', () => {
    const w = new World();
    w.node('n1', 'ready');
    w.task('t1', 'web', 'n1', reschedule);
    w.node('n1', 'ready', {}, 'drain');
    w.settle(T0);
    w.node('n1', 'down', {}, 'drain');
    w.settle(T0);
    expect(w.store.get('task', 't1')?.spec.desiredState).toBe('remove');
    expect(w.store.list('task')).toHaveLength(2);
  });

  it('un-draining before the copy runs: the old one runs on until its copy runs, then it is released all the same', () => {
    const w = new World();
    w.node('n1', 'ready');
    w.task('t1', 'web', 'n1', reschedule);
    w.node('n1', 'ready', {}, 'drain');
    w.settle(T0);
    w.node('n1', 'ready', {}, 'active');
    expect(w.settle(T0).steps).toBe(0);
    expect(w.store.get('task', 't1')?.spec.desiredState).toBe('running');
    const copy = w.store.get('task', 'new1')!;
    w.apply({ op: 'update', kind: 'task', id: 'new1', version: copy.meta.version, spec: { ...copy.spec, nodeId: 'n2' }, status: { state: 'running' } });
    w.settle(T0);
    expect(w.store.get('task', 't1')?.spec.desiredState).toBe('remove');
  });
});
