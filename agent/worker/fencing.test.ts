// `--stop-on-disconnect D` on the agent, with a manual clock and the in-memory runtime: a task's
// container is stopped (ended by D) once no manager has answered for D, never while heartbeats
// are answered, never for a task without the option; its shutdown says why once a manager hears it.

import { describe, expect, it } from 'vitest';
import { FakeRuntime } from './fake-runtime.js';
import { fenceGraceMs, STOP_ON_DISCONNECT_LABEL } from './fencing.js';
import { NODE_LABEL, TASK_LABEL } from './worker.js';
import { exitWith, full, setup, task } from './worker-testing.js';

const D = 30_000;
/** The stop begins this long after the last contact: the container has ended by D. */
const STOP_AT = D - fenceGraceMs(D, 0);

describe('fencing (--stop-on-disconnect)', () => {
  it('stops the container by D after the last answered heartbeat, reported shutdown saying why; the other task runs on', async () => {
    const { rt, w, settle, last, advance, clock, containerOf } = setup();
    w.apply(full(task('f', { stopOnDisconnectMs: D }), task('plain')));
    await settle();
    w.managersReached(clock.nowMs());
    const id = containerOf('n-f');
    expect(rt.containers.get(id)?.spec.labels[STOP_ON_DISCONNECT_LABEL]).toBe(String(D));

    await advance(STOP_AT - 1);
    expect(rt.containers.get(id)?.running).toBe(true);
    await advance(1);
    expect(rt.containers.get(id)?.running).toBe(false);
    expect(rt.calls).toContain(`stop ${id}`);
    expect(rt.stopGraces).toEqual([D / 4]); // its 10 s grace, at most a quarter of D: SIGKILL at D
    expect(last('f')).toMatchObject({ state: 'shutdown', message: 'stopped: no manager for 30 s (--stop-on-disconnect)', containerId: id });
    expect(last('plain').state).toBe('running');

    // A manager again, the task still desired running: it is not started again here.
    w.managersReached(clock.nowMs());
    w.apply(full(task('f', { stopOnDisconnectMs: D, status: { state: 'running', message: '', error: '', exit: null, atMs: 0, containerId: id, lost: false } }), task('plain')));
    await advance(D);
    expect(rt.calls.filter((c) => c.startsWith('run') || c.startsWith('restart'))).toEqual(['run n-f', 'run n-plain']);
  });

  it('is not stopped while heartbeats are answered, however long', async () => {
    const { rt, w, settle, last, advance, clock, containerOf } = setup();
    w.apply(full(task('f', { stopOnDisconnectMs: D })));
    await settle();
    for (let i = 0; i < 600; i++) {
      w.managersReached(clock.nowMs());
      await advance(1_000);
    }
    expect(rt.containers.get(containerOf('n-f'))?.running).toBe(true);
    expect(last('f').state).toBe('running');
    // Then the heartbeats stop being answered: D later (less the grace), it is stopped.
    await advance(STOP_AT - 1_000);
    expect(last('f').state).toBe('shutdown');
  });

  it('leaves a task without the option running, however long no manager answers', async () => {
    const { rt, w, settle, last, advance, containerOf } = setup();
    w.apply(full(task('plain')));
    await settle();
    await advance(24 * 3_600_000);
    expect(rt.containers.get(containerOf('n-plain'))?.running).toBe(true);
    expect(last('plain').state).toBe('running');
    expect(rt.calls.filter((c) => c.startsWith('stop'))).toEqual([]);
  });

  it('a fenced container is not restarted by its --restart, and one waiting for its restart is stopped for good', async () => {
    const { rt, w, settle, last, advance, clock, containerOf } = setup();
    const always = { restart: { condition: 'always', maxRetries: 0 } };
    w.apply(full(task('a', { ...always, stopOnDisconnectMs: D }), task('b', { ...always, stopOnDisconnectMs: D })));
    await settle();
    w.managersReached(clock.nowMs());
    // b's container exits; its restart waits out a backoff that is longer than what is left of D.
    await advance(STOP_AT - 50);
    rt.exit(containerOf('n-b'), exitWith(1));
    await settle();
    expect(last('b').message).toMatch(/^restarting: /);
    await advance(50);
    await advance(60_000);
    expect(last('a')).toMatchObject({ state: 'shutdown', message: 'stopped: no manager for 30 s (--stop-on-disconnect)' });
    expect(last('b')).toMatchObject({ state: 'shutdown', message: 'stopped: no manager for 30 s (--stop-on-disconnect)' });
    expect(rt.calls.filter((c) => c.startsWith('restart'))).toEqual([]);
  });

  it('after an agent restart without a manager, a container found with the option is fenced from the start, and its shutdown reported once its task comes', async () => {
    const rt = new FakeRuntime();
    const id = rt.add('n-f', { [TASK_LABEL]: 'f', [NODE_LABEL]: 'node-1', [STOP_ON_DISCONNECT_LABEL]: String(D) });
    const other = rt.add('n-o', { [TASK_LABEL]: 'o', [NODE_LABEL]: 'node-1' });
    const { w, settle, last, advance, clock } = setup({ rt });
    w.adopt();
    await advance(STOP_AT);
    expect(rt.containers.get(id)?.running).toBe(false);
    expect(rt.containers.get(other)?.running).toBe(true);
    w.managersReached(clock.nowMs());
    const running = { state: 'running', message: '', error: '', exit: null, atMs: 0, containerId: id, lost: false };
    w.apply(full(task('f', { stopOnDisconnectMs: D, status: running }), task('o', { status: { ...running, containerId: other } })));
    await settle();
    expect(last('f')).toMatchObject({ state: 'shutdown', message: 'stopped: no manager for 30 s (--stop-on-disconnect)' });
    expect(rt.calls.filter((c) => c.startsWith('run') || c.startsWith('restart'))).toEqual([]);
  });

  it('a task whose image came only after D without a manager is not started', async () => {
    const { rt, w, settle, last, clock } = setup();
    let release: (() => void) | undefined;
    rt.images.delete('busybox');
    const pull = rt.pullImage.bind(rt);
    rt.pullImage = (ref: string) => new Promise<void>((resolve) => (release = () => resolve(pull(ref))));
    w.managersReached(clock.nowMs());
    w.apply(full(task('f', { stopOnDisconnectMs: D })));
    await new Promise((resolve) => setImmediate(resolve)); // the pull is under way
    expect(release).toBeDefined();
    clock.advance(D);
    release?.();
    await settle();
    expect(last('f')).toMatchObject({ state: 'rejected', error: 'not started: stopped: no manager for 30 s (--stop-on-disconnect)' });
    expect(rt.calls.filter((c) => c.startsWith('run'))).toEqual([]);
  });

  it('the stop grace is the container’s own (10 s by default), at most a quarter of D', () => {
    expect(fenceGraceMs(60_000, 0)).toBe(10_000);
    expect(fenceGraceMs(8_000, 0)).toBe(2_000);
    expect(fenceGraceMs(60_000, 3_000)).toBe(3_000);
  });
});
