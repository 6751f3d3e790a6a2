// `--restart` on the agent: the worker restarts a task's container on its node after a backoff,
// with a manual clock and the in-memory runtime. What a user sees is the task's status: running
// throughout (states only move forward), its message saying restarting / restarted N times, and
// failed with the exit code when it gives up.

import { describe, expect, it } from 'vitest';
import { memoryRestartLedger } from './restart-ledger.js';
import { decideRestart, RESTART_BACKOFF } from './restarts.js';
import { exitWith, full, setup, task, update } from './worker-testing.js';

const onFailure = (maxRetries: number) => ({ restart: { condition: 'on-failure', maxRetries } });
const always = { restart: { condition: 'always', maxRetries: 0 } };

describe('restarts (--restart)', () => {
  it('on-failure:2 restarts the same container twice after a failure, then gives up: failed with the exit code', async () => {
    const { rt, w, settle, last, statuses, advance, containerOf } = setup();
    w.apply(full(task('t', onFailure(2))));
    await settle();
    const id = containerOf('n-t');

    rt.exit(id, exitWith(1));
    await settle();
    expect(last('t')).toMatchObject({ state: 'running', message: 'restarting: exit code 1, restart 1 of 2 in 100 ms', containerId: id });
    await advance(RESTART_BACKOFF.initialDelayMs);
    expect(last('t')).toMatchObject({ state: 'running', message: 'restarted once; last exit code 1', containerId: id });

    rt.exit(id, exitWith(2));
    await settle();
    expect(last('t').message).toBe('restarting: exit code 2, restart 2 of 2 in 200 ms');
    await advance(199);
    expect(rt.calls.filter((c) => c.startsWith('restart'))).toHaveLength(1);
    await advance(1);
    expect(last('t')).toMatchObject({ state: 'running', message: 'restarted 2 times; last exit code 2' });

    rt.exit(id, exitWith(3));
    await settle();
    expect(last('t')).toMatchObject({ state: 'failed', error: 'exit code 3', message: 'not restarted again: restarted 2 times, the most --restart on-failure:2 allows', exit: { exitCode: 3 } });
    await advance(RESTART_BACKOFF.maxDelayMs);
    expect(rt.calls).toEqual(['run n-t', `restart ${id}`, `restart ${id}`]);
    // One container all along; no state went backwards.
    expect(new Set(statuses('t').map((s) => s.containerId).filter((c) => c !== ''))).toEqual(new Set([id]));
    const states = statuses('t').map((s) => s.state);
    expect(states.slice(states.indexOf('running'))).toEqual([...states.slice(states.indexOf('running'), -1).map(() => 'running'), 'failed']);
  });

  it('on-failure does not restart a clean exit (complete); always does', async () => {
    const { rt, w, settle, last, advance, containerOf } = setup();
    w.apply(full(task('f', onFailure(0)), task('a', always)));
    await settle();
    rt.exit(containerOf('n-f'), exitWith(0));
    rt.exit(containerOf('n-a'), exitWith(0));
    await settle();
    expect(last('f')).toMatchObject({ state: 'complete', exit: { exitCode: 0 } });
    expect(last('a')).toMatchObject({ state: 'running', message: 'restarting: exit code 0, restart 1 in 100 ms' });
    await advance(100);
    expect(last('a')).toMatchObject({ state: 'running', message: 'restarted once; last exit code 0' });
    expect(rt.calls.filter((c) => c.startsWith('restart'))).toEqual([`restart ${containerOf('n-a')}`]);
  });

  it('no policy, or no, never restarts', async () => {
    const { rt, w, settle, last, advance, containerOf } = setup();
    w.apply(full(task('none'), task('no', { restart: { condition: 'no', maxRetries: 0 } })));
    await settle();
    rt.exit(containerOf('n-none'), exitWith(1));
    rt.exit(containerOf('n-no'), exitWith(1));
    await settle();
    await advance(RESTART_BACKOFF.maxDelayMs);
    expect(last('none')).toMatchObject({ state: 'failed', error: 'exit code 1', message: '' });
    expect(last('no')).toMatchObject({ state: 'failed', error: 'exit code 1' });
    expect(rt.calls.filter((c) => c.startsWith('restart'))).toEqual([]);
  });

  it('the backoff doubles from 100 ms, is capped at a minute, and starts over after a run of 10 s', async () => {
    const { rt, w, settle, last, advance, containerOf } = setup();
    w.apply(full(task('a', always)));
    await settle();
    const id = containerOf('n-a');
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      rt.exit(id, exitWith(1));
      await settle();
      const m = /in (\d+) ms$/.exec(last('a').message ?? '');
      delays.push(Number(m?.[1]));
      await advance(delays.at(-1) as number);
    }
    expect(delays).toEqual([100, 200, 400, 800, 1_600, 3_200, 6_400, 12_800, 25_600, 51_200, 60_000, 60_000]);
    // A run that lasted 10 s: the next backoff is 100 ms again.
    await advance(RESTART_BACKOFF.resetAfterRunMs);
    rt.exit(id, exitWith(1));
    await settle();
    expect(last('a').message).toBe('restarting: exit code 1, restart 13 in 100 ms');
  });

  it('a desired shutdown during the backoff cancels the restart: shutdown, the container kept, never started again', async () => {
    const { rt, w, settle, last, advance, containerOf } = setup();
    w.apply(full(task('a', always), task('b', always)));
    await settle();
    rt.exit(containerOf('n-a'), exitWith(1));
    rt.exit(containerOf('n-b'), exitWith(1));
    await settle();
    w.apply(update(task('a', { ...always, desiredState: 'shutdown' }), task('b', { ...always, desiredState: 'remove' })));
    await settle();
    await advance(RESTART_BACKOFF.maxDelayMs);
    expect(last('a')).toMatchObject({ state: 'shutdown', message: 'shut down' });
    expect(last('b')).toMatchObject({ state: 'shutdown', message: 'removed' });
    expect(rt.calls.filter((c) => c.startsWith('restart'))).toEqual([]);
    expect([...rt.containers.values()].map((c) => [c.name, c.running, c.removed])).toEqual([['n-a', false, false], ['n-b', false, true]]);
  });

  it('a container stopped because the managers asked is not restarted, whatever its policy', async () => {
    const { rt, w, settle, last, advance } = setup();
    w.apply(full(task('a', always)));
    await settle();
    w.apply(update(task('a', { ...always, desiredState: 'shutdown' })));
    await settle();
    await advance(RESTART_BACKOFF.maxDelayMs);
    expect(last('a')).toMatchObject({ state: 'shutdown', exit: { exitCode: 143 } });
    expect(rt.calls.filter((c) => c.startsWith('restart'))).toEqual([]);
  });

  it('a restart that cannot start the container fails the task in one line', async () => {
    const { rt, w, settle, last, advance, containerOf } = setup();
    w.apply(full(task('a', always)));
    await settle();
    const id = containerOf('n-a');
    rt.unrestartable.add(id);
    rt.exit(id, exitWith(1));
    await settle();
    await advance(100);
    expect(last('a')).toMatchObject({ state: 'failed', error: `restart 1 failed: container ${id} cannot start`, message: 'last exit code 1' });
  });

  it('after an agent restart the count goes on from the ledger: an exit during the backoff is not counted twice, a running one is not restarted', async () => {
    const ledger = memoryRestartLedger();
    const first = setup({ restartLedger: ledger });
    first.w.adopt();
    first.w.apply(full(task('t', onFailure(3))));
    await first.settle();
    const id = first.containerOf('n-t');
    first.rt.exit(id, exitWith(1));
    await first.settle();
    await first.advance(100);
    expect(ledger.saved.get('t')).toEqual({ restarts: 1, backoffMs: 100 });
    // The agent dies (kill -9) while the container waits out its second restart's backoff.
    first.rt.exit(id, exitWith(1));
    await first.settle();
    expect(first.last('t').message).toBe('restarting: exit code 1, restart 2 of 3 in 200 ms');
    first.w.stop();

    const second = setup({ rt: first.rt, clock: first.clock, restartLedger: ledger });
    second.w.adopt();
    const held = { state: 'running', message: first.last('t').message ?? '', error: '', exit: null, atMs: 0, containerId: id, lost: false };
    second.w.apply(full(task('t', { ...onFailure(3), status: held })));
    await second.settle();
    expect(second.last('t').message).toBe('restarting: exit code 1, restart 2 of 3 in 200 ms');
    await second.advance(200);
    expect(second.last('t')).toMatchObject({ state: 'running', message: 'restarted 2 times; last exit code 1', containerId: id });
    second.rt.exit(id, exitWith(1));
    await second.settle();
    await second.advance(400);
    second.rt.exit(id, exitWith(1));
    await second.settle();
    expect(second.last('t')).toMatchObject({ state: 'failed', message: 'not restarted again: restarted 3 times, the most --restart on-failure:3 allows' });
    expect(ledger.saved.has('t')).toBe(false);
    expect(second.rt.calls.filter((c) => c.startsWith('run'))).toEqual(['run n-t']);
  });

  it('the ledger keeps only the tasks held: a full set without a task drops its count', async () => {
    const ledger = memoryRestartLedger();
    const { rt, w, settle, advance, containerOf } = setup({ restartLedger: ledger });
    w.apply(full(task('a', always), task('b', always)));
    await settle();
    for (const name of ['n-a', 'n-b']) rt.exit(containerOf(name), exitWith(1));
    await settle();
    await advance(100);
    expect([...ledger.saved.keys()].sort()).toEqual(['a', 'b']);
    w.apply(full(task('b', always)));
    await settle();
    expect([...ledger.saved.keys()]).toEqual(['b']);
  });
});

describe('the restart decision', () => {
  const policy = { condition: 'on-failure', maxRetries: 0 } as const;
  it('on-failure without a limit restarts any failure; a long run starts the backoff over; an unknown run counts as short', () => {
    expect(decideRestart(policy, { restarts: 500, backoffMs: 60_000 }, exitWith(1), 1_000)).toEqual({ restart: true, delayMs: 60_000, next: { restarts: 501, backoffMs: 60_000 } });
    expect(decideRestart(policy, { restarts: 5, backoffMs: 3_200 }, exitWith(1), 10_000)).toEqual({ restart: true, delayMs: 100, next: { restarts: 6, backoffMs: 100 } });
    expect(decideRestart(policy, { restarts: 5, backoffMs: 3_200 }, exitWith(1), undefined)).toEqual({ restart: true, delayMs: 6_400, next: { restarts: 6, backoffMs: 6_400 } });
    expect(decideRestart(undefined, undefined, exitWith(1), 0)).toEqual({ restart: false });
  });
});
