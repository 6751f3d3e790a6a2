// Tasks run end to end (root): a real manager on loopback, a real agent that joined as w1 with
// --insecure-registry for a real registry (docker-registry on loopback, plain HTTP). `shoal run -d`
// is scheduled on w1, whose worker pulls the image, runs the container labelled with its task and
// reports it: `shoal ps` shows it running, an exit code as failed. After `kill -9` of the agent the
// container is still there with the same pid and still running in `ps`; `rm -f` stops and removes
// it; a container made with `shoal ctr` on the same host is never touched. On 3 managers, the
// leader killed with -9: the agent's next session brings a new assignment stream, through which a
// new task runs and a removed one goes.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAllCleanups, type CleanupStep } from '../shared/cleanup.js';
import { systemClock } from '../shared/clock.js';
import { RuntimeClient } from '../shared/runtime-client.js';
import { hostPlatform } from '../agent/images/manifest.js';
import { multiPlatformLayoutArchive } from '../agent/images/test-images.js';
import { startRegistry } from '../agent/images/test-registry.js';
import { purgeAgent } from '../agent/runtime/testing.js';
import { managerProcesses, type Proc } from '../manager/daemon/testing.js';

const cleanups: CleanupStep[] = [];
afterEach(() => runAllCleanups('worker tasks test', cleanups.splice(0).reverse()));
const { shoal, cli, json, managers } = managerProcesses(cleanups);

type PsRow = { id: string; name: string; node: string; state: string; desiredState: string; status: string };

/** Bounded polling of the managers' view (300 × 50 ms): the CLI has no watch to wait on yet. */
async function eventually<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, p: Proc): Promise<T> {
  let v: T | undefined;
  for (let k = 0; k < 300; k++) {
    v = await get();
    if (ok(v)) return v;
    await systemClock.sleep(50);
  }
  throw new Error(`${what} did not happen (last: ${JSON.stringify(v)}); stderr:\n${p.stderr()}`);
}

describe('tasks run by the worker (root)', () => {
  it('runs, reports, survives kill -9 of the agent, and removes only its own containers', async () => {
    const registry = await startRegistry();
    cleanups.push(() => registry.stop());
    const c = await managers(1);
    const archive = join(c.dir, 'box.tar');
    await writeFile(archive, await multiPlatformLayoutArchive('box:1', [hostPlatform()]));
    await registry.push(archive, 'box:1', ['--all']);
    const image = `${registry.host}/box:1`;

    const via = c.via(0);
    const token = (await json<{ token: string }>(['cluster', 'join-token', 'worker', ...via])).token;
    const dataDir = join(c.dir, 'agent');
    cleanups.push(() => purgeAgent(dataDir));
    const socket = join(dataDir, 'agent.sock');
    const agentArgs = ['agent', '--data-dir', dataDir, '--socket', socket, '--advertise', '127.0.0.1', '--hostname', 'w1', '--insecure-registry', registry.host];
    let agent = shoal([...agentArgs, '--token', token, c.addr[0] as string]);
    await eventually('w1 ready', () => json<{ hostname: string; status: string }[]>(['node', 'ls', ...via]), (n) => n.some((x) => x.hostname === 'w1' && x.status === 'ready'), agent);

    const byName = async (): Promise<Record<string, PsRow>> => Object.fromEntries((await json<PsRow[]>(['ps', '-a', ...via])).map((t) => [t.name, t]));
    expect((await cli(['run', '-d', ...via, '--name', 'web', '-e', 'GREETING=hi', '--label', 'app=x', image, 'sleep', '3600'])).stderr).toBe('');
    expect((await cli(['run', '-d', ...via, '--name', 'three', image, 'sh', '-c', 'exit 3'])).stderr).toBe('');
    const seen = await eventually('web running, three failed', byName, (t) => t['web']?.state === 'running' && t['three']?.state === 'failed', agent);
    expect(seen['web']).toMatchObject({ node: 'w1', desiredState: 'running' });

    const ctr = new RuntimeClient(socket);
    cleanups.push(() => ctr.close());
    const web = await ctr.get('web');
    expect(web.state).toBe('running');
    expect(web.spec?.labels).toMatchObject({ app: 'x', 'com.shoal.task.id': seen['web']?.id });
    expect(web.spec?.env).toContain('GREETING=hi');
    // A container made by hand on the same host: the worker never touches it.
    const byHand = await ctr.create('by-hand', { image, args: ['sleep', '3600'] });
    await ctr.start(byHand.id);

    agent.kill('SIGKILL');
    await agent.exited;
    agent = shoal([...agentArgs, c.addr[0] as string]);
    await eventually('w1 ready again', () => json<{ hostname: string; status: string }[]>(['node', 'ls', ...via]), (n) => n.some((x) => x.hostname === 'w1' && x.status === 'ready'), agent);
    const ctr2 = new RuntimeClient(socket);
    cleanups.push(() => ctr2.close());
    await eventually('the agent serving again', () => ctr2.get('web').then((x) => x, () => undefined), (x) => x !== undefined, agent);
    expect(await ctr2.get('web')).toMatchObject({ id: web.id, state: 'running', pid: web.pid });
    expect((await byName())['web']?.state).toBe('running');

    expect((await cli(['rm', '-f', ...via, 'web'])).stdout).toBe('web\n');
    await eventually('web removed from the agent', () => ctr2.list(true), (l) => !l.some((x) => x.name === 'web'), agent);
    expect((await ctr2.get('by-hand')).state).toBe('running');
    agent.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
  }, 120_000);

  it('follows a leader change: a new session, a new stream, tasks run and removed through it', async () => {
    const registry = await startRegistry();
    cleanups.push(() => registry.stop());
    const c = await managers(3);
    const archive = join(c.dir, 'box.tar');
    await writeFile(archive, await multiPlatformLayoutArchive('box:1', [hostPlatform()]));
    await registry.push(archive, 'box:1', ['--all']);
    const image = `${registry.host}/box:1`;
    const all = c.via(0, 1, 2);
    const token = (await json<{ token: string }>(['cluster', 'join-token', 'worker', ...all])).token;
    const dataDir = join(c.dir, 'agent');
    cleanups.push(() => purgeAgent(dataDir));
    const socket = join(dataDir, 'agent.sock');
    const agent = shoal(['agent', '--data-dir', dataDir, '--socket', socket, '--advertise', '127.0.0.1', '--hostname', 'w1', '--insecure-registry', registry.host, '--token', token, c.addr.join(',')]);
    const nodes = () => json<{ hostname: string; status: string; managerStatus?: string }[]>(['node', 'ls', ...all]);
    const before = await eventually('w1 ready', nodes, (n) => n.some((x) => x.hostname === 'w1' && x.status === 'ready'), agent);
    const byName = async (via: string[]): Promise<Record<string, PsRow>> => Object.fromEntries((await json<PsRow[]>(['ps', '-a', ...via])).map((t) => [t.name, t]));
    expect((await cli(['run', '-d', ...all, '--name', 'web', image, 'sleep', '3600'])).stderr).toBe('');
    await eventually('web running', () => byName(all), (t) => t['web']?.state === 'running', agent);

    const leader = before.find((n) => n.managerStatus === 'leader')?.hostname ?? '';
    const k = ['m1', 'm2', 'm3'].indexOf(leader);
    expect(k).toBeGreaterThanOrEqual(0);
    const killed = c.procs[k] as Proc;
    killed.kill('SIGKILL');
    await killed.exited;
    const others = c.via(...[0, 1, 2].filter((i) => i !== k));
    expect((await cli(['run', '-d', ...others, '--name', 'after', image, 'sleep', '3600'])).stderr).toBe('');
    const t = await eventually('after running, web still running', () => byName(others), (x) => x['after']?.state === 'running' && x['web']?.state === 'running', agent);
    expect(t['after']?.node).toBe('w1');
    expect((await cli(['rm', '-f', ...others, 'web'])).stdout).toBe('web\n');
    const ctr = new RuntimeClient(socket);
    cleanups.push(() => ctr.close());
    await eventually('web removed from the agent', () => ctr.list(true), (l) => !l.some((x) => x.name === 'web') && l.some((x) => x.name === 'after'), agent);
    agent.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
  }, 120_000);
});
