// stop, start, inspect, logs and exec through the managers with no agent anywhere (the task stays
// pending): one line for a container on no node yet; stop of a pending task shuts it down at once,
// start replaces it with a fresh task under the same name (a live one is left as it is); -t is
// checked; node ps lists a node's tasks. The same calls on a real agent: e2e/containers.e2e.test.ts.

import { afterEach, describe, expect, it } from 'vitest';
import { runAllCleanups, type CleanupStep } from '../../shared/cleanup.js';
import { managerProcesses } from './testing.js';

const cleanups: CleanupStep[] = [];
afterEach(() => runAllCleanups('containers (no agent) test', cleanups.splice(0)));
const { cli, json, managers } = managerProcesses(cleanups);

type PsRow = { id: string; name: string; state: string; desiredState: string; message?: string };
type Inspected = { id: string; name: string; state: string; container: unknown; containerError?: string };

describe('stop, start, inspect, logs and exec of a container on no node (no agents)', () => {
  it('say so in one line; stop ends a pending task at once and start runs it again as a fresh task', async () => {
    const c = await managers(2);
    const via = c.via(1);
    expect((await cli(['run', '-d', '--name', 'web', ...via, 'busybox'])).code).toBe(0);
    const web = async (): Promise<PsRow | undefined> => (await json<PsRow[]>(['ps', '-a', '--filter', 'name=web', ...via]))[0];
    const first = await web();

    const noNode = /^shoal: container web is pending on no node yet \(.*\): it has no container to read or run in\n$/;
    for (const args of [['logs', 'web'], ['logs', '-f', 'web'], ['exec', 'web', 'ls']]) {
      const r = await cli([args[0] as string, ...via, ...args.slice(1)]);
      expect(r.stderr).toMatch(noNode);
      expect(r.code).toBe(1);
    }
    const [seen] = await json<Inspected[]>(['inspect', ...via, 'web']);
    expect(seen).toMatchObject({ id: first?.id, name: 'web', state: 'pending', container: null });
    expect(seen?.containerError).toMatch(/^container web is pending on no node yet/);

    // start of a task meant to run: left as it is (it says why it does not run yet).
    expect(await cli(['start', ...via, 'web'])).toMatchObject({ stdout: '', stderr: 'shoal: container web is pending: no node is ready (0 of 2 nodes: 2 without an agent) (it runs once a node fits; shoal ps follows it)\n', code: 1 });
    expect((await web())?.id).toBe(first?.id);

    const badGrace = await cli(['stop', '-t', 'soon', ...via, 'web']);
    expect(badGrace.stderr).toMatch(/^shoal: -t: "soon" is not an integer from 0 to 3600/);
    expect(badGrace.code).toBe(2);

    // stop: no agent holds it, so the managers end it at once.
    expect(await cli(['stop', ...via, 'web'])).toMatchObject({ stdout: 'web\n', stderr: '', code: 0 });
    expect(await web()).toMatchObject({ id: first?.id, state: 'shutdown', desiredState: 'shutdown', message: 'stopped before it was placed' });
    expect(await json<PsRow[]>(['ps', ...via])).toEqual([]);
    expect(await cli(['stop', ...via, 'web'])).toMatchObject({ stdout: 'web\n', code: 0 });

    // start: a fresh task under the same name, pending again for the scheduler.
    const started = await cli(['start', ...via, 'web']);
    expect(started).toMatchObject({ stdout: '', stderr: 'shoal: container web is pending: no node is ready (0 of 2 nodes: 2 without an agent) (it runs once a node fits; shoal ps follows it)\n', code: 1 });
    const again = await web();
    expect(again).toMatchObject({ name: 'web', state: 'pending', desiredState: 'running' });
    expect(again?.id).not.toBe(first?.id);
    expect((await json<PsRow[]>(['ps', '-a', ...via])).map((t) => t.name)).toEqual(['web']);

    expect(await cli(['start', ...via, 'nothing'])).toMatchObject({ stderr: 'shoal: nothing: no such container\n', code: 1 });
    expect(await json<PsRow[]>(['node', 'ps', 'm1', '-a', ...via])).toEqual([]);
    expect((await cli(['node', 'ps', 'h9', ...via])).stderr).toBe('shoal: node h9: no such node\n');
  }, 90_000);
});
