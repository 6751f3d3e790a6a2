// The leader's scheduler loop and task reaper over a real Store, with Raft replaced by applying
// each proposal at the next index, on a ManualClock: what gets written, when, and how often.

import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import { ShoalError } from '../../shared/errors.js';
import { silentLogger } from '../../shared/logger.js';
import { SeededRng } from '../../shared/rng.js';
import type { StoreOp } from '../store/command.js';
import { Store } from '../store/store.js';
import { nodeCreate, taskCreate } from '../store/testing.js';
import type { NodeDescription, StoreObjectOf, TaskSpec } from '../store/types.js';
import { SchedulerLoop } from './scheduler-loop.js';
import { TaskReaper } from './task-reaper.js';

const GIB = 1024 ** 3;
const CPU = 1_000_000_000;

const described = (memoryBytes = 4 * GIB, engineLabels: Record<string, string> = {}): NodeDescription => ({ agentVersion: 'test', engineLabels, capacity: { memoryBytes, nanoCpus: 4 * CPU } });

function harness(o: { opsMax?: number; tasksPerCallMax?: number; failNext?: number; confirmFailures?: number } = {}) {
  const clock = new ManualClock();
  const store = new Store();
  let index = 0;
  let leading = true;
  let failNext = o.failNext ?? 0;
  let confirmFailures = o.confirmFailures ?? 0;
  const proposals: StoreOp[][] = [];
  const apply = (...ops: StoreOp[]): void => {
    store.applyCommand({ atMs: clock.wallMs(), ops }, ++index);
  };
  const common = {
    store,
    clock,
    logger: silentLogger(),
    confirm: async () => {
      if (confirmFailures > 0) {
        confirmFailures--;
        throw new ShoalError('unavailable', 'raft.read_timeout', 'the read-index timed out');
      }
    },
    isLeader: () => leading,
    propose: async (ops: StoreOp[]) => {
      if (failNext > 0) {
        failNext--;
        throw new ShoalError('unavailable', 'raft.timeout', 'the proposal timed out');
      }
      proposals.push(ops);
      apply(...ops);
    },
  };
  const scheduler = new SchedulerLoop({
    ...common,
    rng: new SeededRng(1),
    ...(o.tasksPerCallMax !== undefined ? { limits: { tasksPerCallMax: o.tasksPerCallMax, expressionsPerTaskMax: 64, expressionCharsMax: 1024, reasonCharsMax: 1024 } } : {}),
    ...(o.opsMax !== undefined ? { writeLimits: { opsMax: o.opsMax, bytesMax: 1024 * 1024 } } : {}),
  });
  const reaper = new TaskReaper(common);
  const task = (id: string): StoreObjectOf<'task'> => store.get('task', id) as StoreObjectOf<'task'>;
  const h = {
    clock, store, proposals, scheduler, reaper, apply, task,
    setLeading: (v: boolean) => (leading = v),
    /** Lets every due timer and the passes they start run (a pass yields a turn between its calls). */
    settle: async () => {
      for (let i = 0; i < 10; i++) await clock.advanceAsync(100);
    },
    cluster: (strategy?: 'spread' | 'binpack' | 'random') => apply({ op: 'create', kind: 'cluster', id: 'c1', spec: { name: 'default', heartbeatPeriodMs: 1000, ...(strategy !== undefined ? { strategy } : {}) }, status: {} }),
    worker: (id: string, description: NodeDescription = described(), state: 'ready' | 'down' = 'ready') => apply({ ...nodeCreate(id, id), status: { state, description } } as StoreOp),
    manager: (id: string) => apply({ ...nodeCreate(id, id, { role: 'manager' }), status: { state: 'ready' } } as StoreOp),
    pending: (id: string, spec: Partial<TaskSpec> = {}) => apply({ ...taskCreate(id, id, spec), status: { state: 'pending' } } as StoreOp),
    reason: (id: string) => h.task(id).status.pendingReason,
  };
  return h;
}

let running: ReturnType<typeof harness>[] = [];
afterEach(async () => {
  for (const h of running) {
    await h.scheduler.stop();
    await h.reaper.stop();
  }
  running = [];
});

function started(o?: Parameters<typeof harness>[0]) {
  const h = harness(o);
  running.push(h);
  h.scheduler.leadershipChanged(true);
  h.reaper.leadershipChanged(true);
  return h;
}

describe('the scheduler loop', () => {
  it('a task with nowhere to go gets its reason once, and is not written again while nothing changes', async () => {
    const h = started();
    h.cluster();
    h.pending('t1');
    await h.settle();
    expect(h.reason('t1')).toBe('no node has joined the cluster');
    // A manager's own node: no agent runs beside it, so it takes nothing.
    h.manager('m1');
    await h.settle();
    expect(h.reason('t1')).toBe('no node is ready (0 of 1 node: 1 without an agent)');
    const writes = h.proposals.length;
    h.apply({ op: 'update', kind: 'node', id: 'm1', version: h.store.get('node', 'm1')?.meta.version as number, spec: { hostname: 'm1', role: 'manager', availability: 'active', labels: { zone: 'a' } } });
    await h.settle();
    expect(h.proposals.length).toBe(writes);
    expect(h.task('t1').status.state).toBe('pending');
  });

  it('places a task on the ready worker: its node id, state assigned, no reason left', async () => {
    const h = started();
    h.cluster();
    h.manager('m1');
    h.pending('t1');
    await h.settle();
    h.worker('w1');
    await h.settle();
    expect(h.task('t1').spec.nodeId).toBe('w1');
    expect(h.task('t1').status).toEqual({ state: 'assigned' });
  });

  it('leaves a task pending with the filter that stopped it, and places it as soon as a node fits', async () => {
    const h = started();
    h.cluster();
    h.worker('w1', described(1 * GIB));
    h.pending('big', { resources: { limits: { memoryBytes: 1000 * GIB, nanoCpus: 0 }, reservations: { memoryBytes: 1000 * GIB, nanoCpus: 0 } } });
    h.pending('on-w2', { placement: { constraints: ['node.hostname==w2'], env: [] } });
    h.pending('ssd', { placement: { constraints: [], env: ['constraint:disk==ssd'] } });
    await h.settle();
    expect(h.reason('big')).toBe('not enough memory: 1 node has less than 1000 GiB free (the most free is 1 GiB)');
    expect(h.reason('on-w2')).toBe('no node satisfies node.hostname==w2 (0 of 1 node)');
    expect(h.reason('ssd')).toBe('no node satisfies constraint:disk==ssd (0 of 1 node)');
    h.worker('w2', described(1 * GIB, { disk: 'ssd' }));
    await h.settle();
    expect(h.task('on-w2').spec.nodeId).toBe('w2');
    expect(h.task('ssd').spec.nodeId).toBe('w2');
    expect(h.task('big').status.state).toBe('pending');
  });

  it('a task waiting for memory is placed when the task holding it ends', async () => {
    const h = started();
    h.cluster();
    h.worker('w1', described(1 * GIB));
    const gib = (n: number) => ({ resources: { limits: { memoryBytes: n * GIB, nanoCpus: 0 }, reservations: { memoryBytes: n * GIB, nanoCpus: 0 } } });
    h.apply({ ...taskCreate('holder', 'holder', { nodeId: 'w1', ...gib(0.75) }), status: { state: 'running' } } as StoreOp);
    h.pending('waiter', gib(0.5));
    await h.settle();
    expect(h.reason('waiter')).toBe('not enough memory: 1 node has less than 512 MiB free (the most free is 256 MiB)');
    h.apply({ op: 'update', kind: 'task', id: 'holder', version: h.task('holder').meta.version, status: { state: 'complete' } });
    await h.settle();
    expect(h.task('waiter').spec.nodeId).toBe('w1');
  });

  it("follows the cluster's strategy: spread over the workers, or binpack onto one", async () => {
    for (const [strategy, expected] of [['spread', ['w1', 'w2', 'w1', 'w2']], ['binpack', ['w1', 'w1', 'w1', 'w1']]] as const) {
      const h = started();
      h.cluster(strategy);
      h.worker('w1');
      h.worker('w2');
      for (const id of ['t1', 't2', 't3', 't4']) h.pending(id);
      await h.settle();
      expect(['t1', 't2', 't3', 't4'].map((id) => h.task(id).spec.nodeId)).toEqual(expected);
    }
  });

  it('places every waiting task in calls of tasksPerCallMax, oldest first, writing in batches of opsMax', async () => {
    const h = started({ tasksPerCallMax: 2, opsMax: 2 });
    h.cluster();
    h.worker('w1');
    h.worker('w2');
    const ids = ['t1', 't2', 't3', 't4', 't5'];
    for (const id of ids) h.pending(id);
    const before = h.proposals.length;
    await h.settle();
    // Each call counts the placements of the calls before: spread evens them out.
    expect(ids.map((id) => h.task(id).spec.nodeId)).toEqual(['w1', 'w2', 'w1', 'w2', 'w1']);
    const batches = h.proposals.slice(before);
    expect(batches.every((b) => b.length <= 2)).toBe(true);
    expect(batches.flat()).toHaveLength(5);
    expect(h.scheduler.lastPass).toEqual({ waiting: 0, assigned: 0, reasonsWritten: 0 });
  });

  it('writes nothing while not leading, and nothing more once leadership is lost', async () => {
    const h = started();
    h.setLeading(false);
    h.cluster();
    h.worker('w1');
    h.pending('t1');
    await h.settle();
    expect(h.task('t1').spec.nodeId).toBeUndefined();
    h.scheduler.leadershipChanged(false);
    h.setLeading(true);
    h.pending('t2');
    await h.settle();
    expect(h.task('t2').spec.nodeId).toBeUndefined();
    // The next leadership starts afresh and places both.
    h.scheduler.leadershipChanged(true);
    await h.settle();
    expect([h.task('t1').spec.nodeId, h.task('t2').spec.nodeId]).toEqual(['w1', 'w1']);
  });

  it('a failed write is tried again after a backoff, without a new change', async () => {
    const h = started({ failNext: 2 });
    h.cluster();
    h.worker('w1');
    h.pending('t1');
    await h.clock.advanceAsync(50);
    expect(h.task('t1').spec.nodeId).toBeUndefined();
    await h.clock.advanceAsync(100);
    expect(h.task('t1').spec.nodeId).toBeUndefined();
    await h.clock.advanceAsync(200);
    expect(h.task('t1').spec.nodeId).toBe('w1');
  });

  it('a leader whose first read fails asks again, and then does its work', async () => {
    const h = started({ confirmFailures: 2 });
    h.cluster();
    h.worker('w1');
    h.pending('t1');
    await h.settle();
    expect(h.task('t1').spec.nodeId).toBe('w1');
  });
});

describe('the task reaper', () => {
  it('deletes a task to remove once no agent holds it: ended, never placed, or its node gone', async () => {
    const h = started();
    h.worker('w1');
    h.worker('w2');
    const remove = (id: string, nodeId: string | undefined, state: 'pending' | 'running' | 'shutdown') =>
      h.apply({ ...taskCreate(id, id, { desiredState: 'remove', ...(nodeId !== undefined ? { nodeId } : {}) }), status: { state } } as StoreOp);
    remove('ended', 'w1', 'shutdown');
    remove('unplaced', undefined, 'pending');
    remove('on-w1', 'w1', 'running');
    remove('on-w2', 'w2', 'running');
    await h.settle();
    expect(['ended', 'unplaced', 'on-w1', 'on-w2'].filter((id) => h.store.get('task', id) !== undefined)).toEqual(['on-w1', 'on-w2']);
    h.apply({ op: 'delete', kind: 'node', id: 'w2' });
    h.apply({ op: 'update', kind: 'task', id: 'on-w1', version: h.task('on-w1').meta.version, status: { state: 'shutdown' } });
    await h.settle();
    expect(h.store.count('task')).toBe(0);
  });
});
