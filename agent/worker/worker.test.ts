// The worker's reconcile logic against an in-memory runtime (fake-runtime.ts) and assignment
// messages handed in as the Dispatcher's stream would; statuses caught by a fake sender.

import { describe, expect, it } from 'vitest';
import type { AssignmentsMessage__Output } from '../../proto/gen/shoal/dispatcher/v1/AssignmentsMessage.js';
import type { Task__Output } from '../../proto/gen/shoal/dispatcher/v1/Task.js';
import type { TaskStatus } from '../../proto/gen/shoal/dispatcher/v1/TaskStatus.js';
import type { TaskStatusUpdate } from '../../proto/gen/shoal/dispatcher/v1/TaskStatusUpdate.js';
import type { ContainerSpec__Output } from '../../proto/gen/shoal/types/v1/ContainerSpec.js';
import { ManualClock } from '../../shared/clock.js';
import { invalidArgument, ShoalError, unavailable } from '../../shared/errors.js';
import { silentLogger } from '../../shared/logger.js';
import { FakeRuntime } from './fake-runtime.js';
import { NODE_LABEL, STATUS_BATCH_MAX, StatusReporter, TASK_LABEL, TASKS_MAX, Worker } from './worker.js';

const NODE = 'node-1';

function spec(over: Partial<ContainerSpec__Output> = {}): ContainerSpec__Output {
  return { image: 'busybox', command: [], args: ['sleep', '3600'], env: ['A=1'], workingDir: '', user: '', hostname: '', labels: { team: 'x' }, readOnlyRootfs: false, mounts: [], resources: null, networks: [], ports: [], stopGracePeriodMs: 0, stopSignal: '', ...over };
}

function task(id: string, desiredState = 'running', over: Partial<Task__Output> = {}): Task__Output {
  return { id, meta: null, serviceId: '', slot: 0, nodeId: NODE, name: `n-${id}`, spec: spec(), desiredState, status: { state: 'assigned', message: '', error: '', exit: null, atMs: 0, containerId: '', lost: false }, networks: [], ...over } as Task__Output;
}

const full = (...tasks: Task__Output[]): AssignmentsMessage__Output => ({ full: true, version: 1, changes: tasks.map((t) => ({ action: 'UPDATE', task: t, item: 'task' })) }) as AssignmentsMessage__Output;
const update = (...tasks: Task__Output[]): AssignmentsMessage__Output => ({ full: false, version: 2, changes: tasks.map((t) => ({ action: 'UPDATE', task: t, item: 'task' })) }) as AssignmentsMessage__Output;
const removal = (id: string): AssignmentsMessage__Output => ({ full: false, version: 3, changes: [{ action: 'REMOVE', task: { id }, item: 'task' }] }) as unknown as AssignmentsMessage__Output;

function setup(rt = new FakeRuntime()) {
  const clock = new ManualClock();
  const w = new Worker({ nodeId: NODE, runtime: rt, clock, logger: silentLogger() });
  const sent: TaskStatusUpdate[][] = [];
  w.reporter.setSender((u) => {
    sent.push(u);
    return Promise.resolve();
  });
  const settle = async (): Promise<void> => {
    await w.settled();
    await w.reporter.drained();
  };
  const states = (id: string): string[] => sent.flat().filter((u) => u.taskId === id).map((u) => (u.status as TaskStatus).state as string);
  const last = (id: string): TaskStatus => sent.flat().filter((u) => u.taskId === id).at(-1)?.status as TaskStatus;
  return { rt, clock, w, sent, settle, states, last };
}

describe('worker', () => {
  it('runs an assigned task: pulls the missing image, creates it named and labelled, reports each step and the container id', async () => {
    const { rt, w, settle, states, last } = setup();
    w.adopt();
    w.apply(full(task('t1')));
    await settle();
    expect(rt.calls).toEqual(['pull busybox', 'run n-t1']);
    const c = [...rt.containers.values()][0];
    expect(c?.spec).toMatchObject({ image: 'busybox', args: ['sleep', '3600'], env: ['A=1'], labels: { team: 'x', [TASK_LABEL]: 't1', [NODE_LABEL]: NODE } });
    // Batched: the newest per task is what is sent once the first call is under way.
    expect(states('t1').at(-1)).toBe('running');
    expect(last('t1').containerId).toBe(c?.id);
  });

  it('a task the managers marked orphaned while they could not hear the node is reported running again, once, if it still runs', async () => {
    const { w, settle, states } = setup();
    w.apply(full(task('t1')));
    await settle();
    const before = states('t1').length;
    w.apply(full(task('t1', 'running', { status: { state: 'orphaned', message: 'node h2 is down', error: '', exit: null, atMs: 0, containerId: '', lost: false } } as Partial<Task__Output>)));
    await settle();
    expect(states('t1').slice(before)).toEqual(['running']);
    // Told running again: nothing more to say.
    w.apply(full(task('t1', 'running', { status: { state: 'running', message: '', error: '', exit: null, atMs: 0, containerId: '', lost: false } } as Partial<Task__Output>)));
    await settle();
    expect(states('t1').slice(before)).toEqual(['running']);
  });

  it('does not pull an image the store has; reports complete on exit 0 and failed with the code, signal or OOM otherwise, never restarting', async () => {
    const { rt, w, settle, last } = setup();
    rt.images.add('busybox');
    w.apply(full(task('ok'), task('bad'), task('oom')));
    await settle();
    expect(rt.calls).toEqual(['run n-ok', 'run n-bad', 'run n-oom']);
    const [ok, bad, oom] = [...rt.containers.keys()] as [string, string, string];
    rt.exit(ok, { exitCode: 0, signal: '', oomKilled: false, exitedAtMs: 5 });
    rt.exit(bad, { exitCode: 3, signal: '', oomKilled: false, exitedAtMs: 5 });
    rt.exit(oom, { exitCode: 137, signal: 'SIGKILL', oomKilled: true, exitedAtMs: 5 });
    await settle();
    expect(last('ok')).toMatchObject({ state: 'complete', exit: { exitCode: 0 } });
    expect(last('bad')).toMatchObject({ state: 'failed', error: 'exit code 3', exit: { exitCode: 3 } });
    expect(last('oom')).toMatchObject({ state: 'failed', error: 'out of memory: killed (exit code 137)', exit: { oomKilled: true } });
    // The same set again: nothing is run twice.
    w.apply(full(task('ok'), task('bad'), task('oom')));
    await settle();
    expect(rt.calls.filter((c) => c.startsWith('run'))).toHaveLength(3);
  });

  it('pulls an image once however many tasks name it', async () => {
    const { rt, w, settle, states } = setup();
    const ids = Array.from({ length: 10 }, (_, i) => `t${i}`);
    w.apply(full(...ids.map((id) => task(id))));
    await settle();
    expect(rt.calls.filter((c) => c.startsWith('pull'))).toEqual(['pull busybox']);
    expect(rt.calls.filter((c) => c.startsWith('run'))).toHaveLength(10);
    for (const id of ids) expect(states(id).at(-1)).toBe('running');
  });

  it(`forgets finished tasks to make room past ${TASKS_MAX}, and still removes their containers by label`, async () => {
    const { rt, w, settle, last } = setup();
    rt.images.add('busybox');
    const first = Array.from({ length: TASKS_MAX }, (_, i) => task(`a${i}`));
    w.apply(full(...first));
    await settle();
    for (const c of [...rt.containers.values()]) rt.exit(c.id, { exitCode: 0, signal: '', oomKilled: false, exitedAtMs: 1 });
    await settle();
    w.apply(update(task('more')));
    await settle();
    expect(last('more').state).toBe('running');
    const a0 = [...rt.containers.values()].find((c) => c.name === 'n-a0');
    w.apply(removal('a0'));
    w.apply(full(task('more')));
    await settle();
    expect(a0?.removed).toBe(true);
    expect([...rt.containers.values()].filter((c) => !c.removed).map((c) => c.name)).toEqual(['n-more']);
  });

  it('a pull that fails rejects the task in one line; a create that fails fails it', async () => {
    const { rt, w, settle, last } = setup();
    rt.unpullable.add('nope');
    rt.images.add('busybox');
    rt.add('n-dup', {});
    w.apply(full(task('p', 'running', { spec: spec({ image: 'nope' }) }), task('dup', 'running', { name: 'n-dup' })));
    await settle();
    expect(last('p')).toMatchObject({ state: 'rejected', error: 'image nope: no registry answers for nope' });
    expect(last('dup')).toMatchObject({ state: 'failed', error: 'the name n-dup is already in use' });
  });

  it('desired shutdown stops the container and keeps it; remove removes it; both report shutdown', async () => {
    const { rt, w, settle, last } = setup();
    rt.images.add('busybox');
    w.apply(full(task('a'), task('b')));
    await settle();
    const [a, b] = [...rt.containers.keys()] as [string, string];
    w.apply(update(task('a', 'shutdown'), task('b', 'remove')));
    await settle();
    expect(last('a').state).toBe('shutdown');
    expect(last('b').state).toBe('shutdown');
    expect(rt.containers.get(a)).toMatchObject({ running: false, removed: false });
    expect(rt.containers.get(b)).toMatchObject({ running: false, removed: true });
  });

  it("removes only its own containers of tasks no longer assigned (a REMOVE, or absent from a full set); shoal ctr's are left", async () => {
    const { rt, w, settle } = setup();
    rt.images.add('busybox');
    const mine = rt.add('old', { [TASK_LABEL]: 'gone', [NODE_LABEL]: NODE });
    const ctr = rt.add('by-hand', {});
    w.adopt();
    w.apply(full(task('x'), task('y')));
    await settle();
    expect(rt.containers.get(mine)?.removed).toBe(true);
    expect(rt.containers.get(ctr)).toMatchObject({ running: true, removed: false });
    const [x, y] = [...rt.containers.values()].filter((c) => c.spec.labels[TASK_LABEL] !== undefined && !c.removed).map((c) => c.id) as [string, string];
    w.apply(removal('x'));
    w.apply(full(task('x2')));
    await settle();
    expect(rt.containers.get(x)?.removed).toBe(true);
    expect(rt.containers.get(y)?.removed).toBe(true);
    expect(rt.containers.get(ctr)?.removed).toBe(false);
  });

  it('after an agent restart: adopts its running containers without restarting them, reports the exit of those that ended, and fails a task whose container is gone', async () => {
    const rt = new FakeRuntime();
    rt.images.add('busybox');
    const alive = rt.add('n-alive', { [TASK_LABEL]: 'alive', [NODE_LABEL]: NODE });
    const ended = rt.add('n-ended', { [TASK_LABEL]: 'ended', [NODE_LABEL]: NODE });
    rt.exit(ended, { exitCode: 2, signal: '', oomKilled: false, exitedAtMs: 1 });
    const { w, settle, last, states } = setup(rt);
    w.adopt();
    const running = { state: 'running', message: '', error: '', exit: null, atMs: 0, containerId: 'x', lost: false };
    w.apply(full(task('alive', 'running', { status: running }), task('ended', 'running', { status: running }), task('lost', 'running', { status: running })));
    await settle();
    expect(rt.calls.filter((c) => c.startsWith('run'))).toEqual([]);
    // The managers already hold running: what is new is only an exit.
    expect(states('alive')).toEqual([]);
    expect(last('ended')).toMatchObject({ state: 'failed', exit: { exitCode: 2 }, containerId: ended });
    expect(last('lost')).toMatchObject({ state: 'failed', error: 'the agent restarted and its container for this task is gone' });
    rt.exit(alive, { exitCode: 0, signal: '', oomKilled: false, exitedAtMs: 9 });
    await settle();
    expect(last('alive')).toMatchObject({ state: 'complete', containerId: alive });
  });

  it('a task replaced while its node was cut off, whose container was never made here, is reported shutdown (the node waits for that to be ready)', async () => {
    // An agent restarted after a power loss during the pull, or one that never got the task
    // before the partition: told to remove it, it has no container, and must still say it ended.
    const { rt, w, settle, last } = setup();
    w.adopt();
    const orphaned = { state: 'orphaned', message: 'node h2 down: replaced by r1', error: '', exit: null, atMs: 0, containerId: '', lost: false };
    w.apply(full(task('gone', 'remove', { status: orphaned })));
    await settle();
    expect(rt.calls).toEqual([]);
    expect(last('gone')).toMatchObject({ state: 'shutdown', message: 'removed' });
  });

  it('a running task replaced while its node was cut off is stopped, removed and reported shutdown, never running again first', async () => {
    const { rt, w, settle, states } = setup();
    w.apply(full(task('t1')));
    await settle();
    const before = states('t1').length;
    const orphaned = { state: 'orphaned', message: 'node h2 down: replaced by r1', error: '', exit: null, atMs: 0, containerId: '', lost: false };
    w.apply(full(task('t1', 'remove', { status: orphaned })));
    await settle();
    expect(states('t1').slice(before)).toEqual(['shutdown']);
    expect([...rt.containers.values()].filter((c) => !c.removed)).toEqual([]);
  });

  it('a task orphaned while its node was cut off, whose container is not here, is reported failed (lost), not left orphaned; one that runs is left running', async () => {
    const rt = new FakeRuntime();
    rt.images.add('busybox');
    const here = rt.add('n-here', { [TASK_LABEL]: 'here', [NODE_LABEL]: NODE });
    const { w, settle, last, states } = setup(rt);
    w.adopt();
    const orphaned = { state: 'orphaned', message: 'node h2 is down', error: '', exit: null, atMs: 0, containerId: '', lost: false };
    w.apply(full(task('gone', 'running', { status: orphaned }), task('here', 'running', { status: orphaned })));
    await settle();
    expect(rt.calls.filter((c) => c.startsWith('run'))).toEqual([]);
    expect(last('gone')).toMatchObject({ state: 'failed', lost: true, error: 'its container is not on this node (lost while the node was cut off, or never made)' });
    expect(states('here')).toEqual(['running']);
    expect(last('here').containerId).toBe(here);
  });

  it('a replaced task whose container could be neither stopped nor removed is not reported shutdown (its node stays unknown); the next try that works is', async () => {
    class Stuck extends FakeRuntime {
      stuck = true;
      override stop(id: string, graceMs?: number): Promise<void> {
        return this.stuck ? Promise.reject(new Error('runc kill: timed out')) : super.stop(id, graceMs);
      }
      override remove(id: string): Promise<void> {
        return this.stuck ? Promise.reject(new Error('runc delete: timed out')) : super.remove(id);
      }
    }
    const rt = new Stuck();
    const { w, settle, states } = setup(rt);
    w.apply(full(task('t1')));
    await settle();
    const before = states('t1').length;
    const orphaned = { state: 'orphaned', message: 'node h2 down: replaced by r1', error: '', exit: null, atMs: 0, containerId: '', lost: false };
    w.apply(full(task('t1', 'remove', { status: orphaned })));
    await settle();
    expect(states('t1').slice(before)).toEqual([]);
    expect([...rt.containers.values()].filter((c) => c.running)).toHaveLength(1);
    rt.stuck = false;
    w.apply(full(task('t1', 'remove', { status: orphaned })));
    await settle();
    expect(states('t1').slice(before)).toEqual(['shutdown']);
    expect([...rt.containers.values()].filter((c) => !c.removed)).toEqual([]);
  });

  it('reports running for an adopted container the managers still think is starting', async () => {
    const rt = new FakeRuntime();
    const id = rt.add('n-s', { [TASK_LABEL]: 's', [NODE_LABEL]: NODE });
    const { w, settle, last } = setup(rt);
    w.adopt();
    w.apply(full(task('s', 'running', { status: { state: 'starting', message: '', error: '', exit: null, atMs: 0, containerId: '', lost: false } })));
    await settle();
    expect(last('s')).toMatchObject({ state: 'running', containerId: id });
    expect(rt.calls).toEqual([]);
  });
});

describe('status reporter', () => {
  it('sends the newest per task, batched; retries a failed send with the next; drops what the managers refuse', async () => {
    const clock = new ManualClock();
    const r = new StatusReporter({ clock, logger: silentLogger() });
    const calls: TaskStatusUpdate[][] = [];
    let fail: Error | undefined = unavailable('dispatcher.session_unknown', 'gone');
    let release: (() => void) | undefined;
    r.setSender((u) => {
      calls.push(u);
      const f = fail;
      return new Promise((resolve, reject) => {
        release = () => (f !== undefined ? reject(f) : resolve());
      });
    });
    const st = (state: string): TaskStatus => ({ state, atMs: 0 });
    r.report('a', st('accepted'));
    r.report('a', st('preparing'));
    r.report('b', st('accepted'));
    expect(calls).toHaveLength(1);
    expect(calls[0]?.map((u) => [u.taskId, u.status?.state])).toEqual([['a', 'accepted']]);
    r.report('a', st('running'));
    release?.();
    await Promise.resolve();
    await Promise.resolve();
    // Failed: put back behind nothing newer ('a' has running), retried after the backoff.
    expect(calls).toHaveLength(1);
    fail = undefined;
    clock.advance(200);
    expect(calls[1]?.map((u) => [u.taskId, u.status?.state])).toEqual([['b', 'accepted'], ['a', 'running']]);
    release?.();
    await r.drained();

    fail = invalidArgument('dispatcher.not_assigned', 'no');
    r.report('c', st('running'));
    release?.();
    await Promise.resolve();
    await Promise.resolve();
    expect(r.waiting).toBe(0);
  });

  it('a batch refused for one task is sent again one at a time: only that task is dropped', async () => {
    const r = new StatusReporter({ clock: new ManualClock(), logger: silentLogger() });
    const delivered: string[] = [];
    const calls: number[] = [];
    for (const id of ['a', 'gone', 'b']) r.report(id, { state: 'shutdown' });
    r.setSender((u) => {
      calls.push(u.length);
      if (u.some((x) => x.taskId === 'gone')) return Promise.reject(new ShoalError('permission_denied', 'dispatcher.not_assigned', 'task gone is not assigned to node n'));
      delivered.push(...u.map((x) => x.taskId as string));
      return Promise.resolve();
    });
    await r.drained();
    expect(calls).toEqual([3, 1, 1, 1]);
    expect(delivered).toEqual(['a', 'b']);
  });

  it(`cuts batches at ${STATUS_BATCH_MAX}`, async () => {
    const r = new StatusReporter({ clock: new ManualClock(), logger: silentLogger() });
    const sizes: number[] = [];
    for (let i = 0; i < STATUS_BATCH_MAX + 50; i++) r.report(`t${i}`, { state: 'accepted' });
    r.setSender((u) => {
      sizes.push(u.length);
      return Promise.resolve();
    });
    await r.drained();
    expect(sizes).toEqual([STATUS_BATCH_MAX, 50]);
  });
});
