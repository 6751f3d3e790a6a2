// `shoal run -d` with a real agent (root: the agent runs its runtime): the leader's scheduler
// assigns tasks to the worker that joined (w1), keeps the ones no node fits pending with their
// reason (a constraint naming w2, more memory than the host has), reads the agent's --label as an
// engine label, leaves a task pending while w1 is down and places it once w1 is back. And on a
// manager's host: the manager's node takes tasks only once an agent runs beside it. This is about
// placement: the worker then tries to run each task (e2e/worker-tasks.e2e.test.ts runs them from
// a registry; here `busybox` cannot be pulled, so they end rejected), so a placed task is one with
// a node and a state past pending.

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAllCleanups, type CleanupStep } from '../shared/cleanup.js';
import { systemClock } from '../shared/clock.js';
import { managerProcesses, type Proc } from '../manager/daemon/testing.js';
import { purgeAgent } from '../agent/runtime/testing.js';

const cleanups: CleanupStep[] = [];
afterEach(() => runAllCleanups('run tasks test', cleanups.splice(0)));
const { shoal, cli, json, managers } = managerProcesses(cleanups);

type PsRow = { id: string; name: string; node: string; state: string; desiredState: string; pendingReason?: string; status: string };

/** On `node`, whatever its worker did with it since. */
const placedOn = (t: PsRow | undefined, node: string): boolean => t !== undefined && t.node === node && t.state !== 'pending';

async function eventually<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, p: Proc): Promise<T> {
  for (let k = 0; k < 300; k++) {
    const v = await get();
    if (ok(v)) return v;
    await systemClock.sleep(50);
  }
  throw new Error(`${what} did not happen; stderr:\n${p.stderr()}`);
}

describe('shoal run with an agent (root)', () => {
  it('assigns tasks to the worker that fits, keeps the others pending with their reason, and places a waiting task once its node is back', async () => {
    const c = await managers(1);
    const m1 = c.procs[0] as Proc;
    const via = c.via(0);
    const workerToken = (await json<{ token: string }>(['cluster', 'join-token', 'worker', ...via])).token;
    const dataDir = join(c.dir, 'agent');
    cleanups.push(() => purgeAgent(dataDir));
    const agentArgs = ['agent', '--data-dir', dataDir, '--socket', join(dataDir, 'agent.sock'), '--advertise', '127.0.0.1', '--hostname', 'w1', '--label', 'disk=ssd'];
    let agent = shoal([...agentArgs, '--token', workerToken, c.addr[0] as string]);
    await eventually('w1 ready', () => json<{ hostname: string; status: string }[]>(['node', 'ls', ...via]), (n) => n.some((x) => x.hostname === 'w1' && x.status === 'ready'), agent);

    const ps = (...args: string[]) => json<PsRow[]>(['ps', ...via, ...args]);
    const byName = async (): Promise<Record<string, PsRow>> => Object.fromEntries((await ps('-a')).map((t) => [t.name, t]));
    const run = async (...args: string[]): Promise<void> => {
      const r = await cli(['run', '-d', ...via, ...args]);
      expect(r.stderr).toBe('');
    };
    await run('--name', 'plain', 'busybox', 'sleep', '3600');
    await run('--name', 'ssd', '-e', 'constraint:disk==ssd', 'busybox');
    await run('--name', 'on-w2', '--constraint', 'node.hostname==w2', 'busybox');
    await run('--name', 'big', '--memory', '1000g', 'busybox');

    const placed = await eventually('the decisions', byName, (t) => placedOn(t['plain'], 'w1') && placedOn(t['ssd'], 'w1') && t['on-w2']?.pendingReason !== undefined && t['big']?.pendingReason !== undefined, m1);
    expect(placed['plain']).toMatchObject({ node: 'w1', desiredState: 'running' });
    expect(placed['ssd']).toMatchObject({ node: 'w1' });
    // m1 has no agent beside it: it takes nothing, and says so.
    expect(placed['on-w2']?.pendingReason).toBe('no node satisfies node.hostname==w2 (0 of 1 node); of the other 1 node: 1 not ready');
    expect(placed['big']?.pendingReason).toMatch(/^not enough memory: 1 node has less than 1000 GiB free \(the most free is [\d.]+ GiB\); of the other 1 node: 1 not ready$/);
    const table = (await cli(['ps', '-a', ...via])).stdout;
    expect(table).toMatch(/ w1\/plain\n/);
    expect(table).toMatch(/ Pending: no node satisfies node\.hostname==w2 \(0 of 1 node\); of the other 1 node: 1 not ready +on-w2\n/);

    // With -f, a task its agent holds is removed (its agent shuts it down first, if it runs).
    expect((await cli(['rm', '-f', ...via, 'plain'])).stdout).toBe('plain\n');
    await eventually('plain removed', byName, (t) => t['plain'] === undefined, m1);

    // w1 goes down: a new task waits; when w1 is back (a restart needs no token), it is placed there.
    agent.kill('SIGKILL');
    await agent.exited;
    await eventually('w1 down', () => json<{ hostname: string; status: string }[]>(['node', 'ls', ...via]), (n) => n.some((x) => x.hostname === 'w1' && x.status === 'down'), m1);
    await run('--name', 'later', 'busybox');
    const waiting = await eventually('its reason', byName, (t) => t['later']?.pendingReason !== undefined, m1);
    expect(waiting['later']?.pendingReason).toMatch(/^no node is ready \(0 of 2 nodes: (1 without an agent, 1 down|1 down, 1 without an agent)\)$/);
    agent = shoal([...agentArgs, c.addr[0] as string]);
    const back = await eventually('later placed on w1', byName, (t) => placedOn(t['later'], 'w1'), agent);
    expect(back['later']?.node).toBe('w1');
    agent.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
  }, 120_000);

  it("a manager's own node takes tasks once an agent runs beside it", async () => {
    const c = await managers(1);
    const via = c.via(0);
    await cli(['run', '-d', ...via, '--name', 'web', 'busybox']);
    const ps = () => json<PsRow[]>(['ps', '-a', ...via]);
    const m1 = c.procs[0] as Proc;
    expect((await eventually('the reason', ps, (t) => t[0]?.pendingReason !== undefined, m1))[0]?.pendingReason).toBe('no node is ready (0 of 1 node: 1 without an agent)');
    const dataDir = join(c.dir, 'agent');
    cleanups.push(() => purgeAgent(dataDir));
    const agent = shoal(['agent', '--data-dir', dataDir, '--socket', join(dataDir, 'agent.sock'), '--advertise', '127.0.0.1', '--manager-data-dir', c.dataDir(0), c.addr[0] as string]);
    const placed = await eventually('web placed on m1', ps, (t) => placedOn(t[0], 'm1'), agent);
    expect(placed[0]).toMatchObject({ name: 'web', node: 'm1' });
    agent.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
  }, 90_000);
});
