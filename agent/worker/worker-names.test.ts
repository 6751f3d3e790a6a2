// What `shoal stop -t` and `shoal start` need of the worker: a stop uses the task's grace period,
// and a task's container is created only once a dropped task's container of the same name is
// removed (`start` replaces a stopped task by a fresh one under the same name).

import { describe, expect, it } from 'vitest';
import type { AssignmentsMessage__Output } from '../../proto/gen/shoal/dispatcher/v1/AssignmentsMessage.js';
import type { Task__Output } from '../../proto/gen/shoal/dispatcher/v1/Task.js';
import type { TaskStatus } from '../../proto/gen/shoal/dispatcher/v1/TaskStatus.js';
import type { TaskStatusUpdate } from '../../proto/gen/shoal/dispatcher/v1/TaskStatusUpdate.js';
import { ManualClock } from '../../shared/clock.js';
import { silentLogger } from '../../shared/logger.js';
import { FakeRuntime } from './fake-runtime.js';
import { Worker } from './worker.js';

const NODE = 'node-1';

function task(id: string, name: string, desiredState = 'running', stopGracePeriodMs = 0): Task__Output {
  return {
    id, meta: null, serviceId: '', slot: 0, nodeId: NODE, name, desiredState, networks: [],
    spec: { image: 'busybox', command: [], args: ['sleep', '3600'], env: [], workingDir: '', user: '', hostname: '', labels: {}, readOnlyRootfs: false, mounts: [], resources: null, networks: [], ports: [], stopGracePeriodMs, stopSignal: '' },
    status: { state: 'assigned', message: '', error: '', exit: null, atMs: 0, containerId: '' },
  } as unknown as Task__Output;
}

const message = (full: boolean, changes: { action: 'UPDATE' | 'REMOVE'; task: Task__Output | { id: string } }[]): AssignmentsMessage__Output =>
  ({ full, version: 1, changes: changes.map((c) => ({ ...c, item: 'task' })) }) as unknown as AssignmentsMessage__Output;

/** A runtime whose removals wait until the test lets them end. */
class SlowRemoval extends FakeRuntime {
  private release: (() => void) | undefined;
  private startedRemoval: () => void = () => undefined;
  /** Resolves once a removal has begun. */
  readonly removing = new Promise<void>((resolve) => (this.startedRemoval = resolve));

  override remove(id: string): Promise<void> {
    this.startedRemoval();
    return new Promise<void>((resolve) => (this.release = resolve)).then(() => super.remove(id));
  }

  finishRemoval(): void {
    this.release?.();
  }
}

function setup(rt: FakeRuntime) {
  const w = new Worker({ nodeId: NODE, runtime: rt, clock: new ManualClock(), logger: silentLogger() });
  const sent: TaskStatusUpdate[] = [];
  w.reporter.setSender((u) => {
    sent.push(...u);
    return Promise.resolve();
  });
  const states = (id: string): string[] => sent.filter((u) => u.taskId === id).map((u) => (u.status as TaskStatus).state as string);
  const settle = async (): Promise<void> => {
    await w.settled();
    await w.reporter.drained();
  };
  w.adopt();
  return { w, states, settle };
}

describe('worker: stop -t and start', () => {
  it("stops a task's container with the task's grace period", async () => {
    const rt = new FakeRuntime();
    const { w, states, settle } = setup(rt);
    w.apply(message(true, [{ action: 'UPDATE', task: task('t1', 'web') }]));
    await settle();
    w.apply(message(false, [{ action: 'UPDATE', task: task('t1', 'web', 'shutdown', 1_500) }]));
    await settle();
    expect(rt.stopGraces).toEqual([1_500]);
    expect(states('t1').at(-1)).toBe('shutdown');
  });

  it('creates the fresh task of a name once the container of the task it replaces is removed', async () => {
    const rt = new SlowRemoval();
    const { w, states, settle } = setup(rt);
    w.apply(message(true, [{ action: 'UPDATE', task: task('old', 'web') }]));
    await settle();
    w.apply(message(false, [{ action: 'UPDATE', task: task('old', 'web', 'shutdown') }]));
    await settle();
    // shoal start: the stopped task is deleted (a REMOVE here) and a fresh one takes its name.
    w.apply(message(false, [{ action: 'REMOVE', task: { id: 'old' } }]));
    w.apply(message(false, [{ action: 'UPDATE', task: task('new', 'web') }]));
    await rt.removing;
    // Everything the worker can do before the removal ends, done.
    await new Promise((resolve) => setImmediate(resolve));
    expect(rt.calls.filter((c) => c === 'run web')).toHaveLength(1); // the old one's only
    rt.finishRemoval();
    await settle();
    expect(rt.calls.filter((c) => c === 'run web')).toHaveLength(2);
    expect(states('new').at(-1)).toBe('running');
  });
});
