// An agent joins real managers on loopback (root: the agent runs its runtime): it gets a worker
// certificate for the worker token, holds a session with heartbeats, shows as a Ready worker,
// is written Down once its heartbeats stop (kill -9), and comes back Ready after a restart that
// needs no token. Bad joins: one line, nothing kept.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAllCleanups, type CleanupStep } from '../shared/cleanup.js';
import { systemClock } from '../shared/clock.js';
import { managerProcesses, type Proc } from '../manager/daemon/testing.js';
import { purgeAgent } from '../agent/runtime/testing.js';

const cleanups: CleanupStep[] = [];
afterEach(() => runAllCleanups('agent cluster test', cleanups.splice(0)));
const { shoal, cli, json, managers } = managerProcesses(cleanups);

type N = { id: string; hostname: string; role: string; status: string; address: string };

describe('an agent in a cluster (root)', () => {
  it('joins with the worker token, is Ready while it heartbeats, Down once it stops, Ready again after a restart without the token', async () => {
    const c = await managers(1);
    const workerToken = (await json<{ token: string }>(['cluster', 'join-token', 'worker', ...c.via(0)])).token;
    const dataDir = join(c.dir, 'agent');
    cleanups.push(() => purgeAgent(dataDir));
    const agentArgs = ['agent', '--data-dir', dataDir, '--socket', join(dataDir, 'agent.sock'), '--advertise', '127.0.0.1', '--hostname', 'w1'];

    // Refused joins keep nothing.
    const managerToken = (await json<{ token: string }>(['cluster', 'join-token', 'manager', ...c.via(0)])).token;
    const wrong = await cli([...agentArgs, '--token', managerToken, c.addr[0] as string]);
    expect(wrong.stderr).toContain('shoal: this is the manager token: an agent joins with the worker token');
    const noToken = await cli([...agentArgs, c.addr[0] as string]);
    expect(noToken.stderr).toMatch(/^shoal: --token: needed to join a cluster/);
    expect(existsSync(join(dataDir, 'cluster'))).toBe(false);

    const nodes = async () => Object.fromEntries((await json<N[]>(['node', 'ls', ...c.via(0)])).map((n) => [n.hostname, n]));
    const eventually = async (what: string, ok: (n: Record<string, N>) => boolean, p: Proc): Promise<Record<string, N>> => {
      for (let k = 0; k < 200; k++) {
        const n = await nodes();
        if (ok(n)) return n;
        await systemClock.sleep(50);
      }
      throw new Error(`${what} did not happen; agent stderr:\n${p.stderr()}`);
    };

    let agent = shoal([...agentArgs, '--token', workerToken, c.addr[0] as string]);
    const joined = await eventually('w1 ready', (n) => n['w1']?.status === 'ready', agent);
    expect(joined['w1']).toMatchObject({ role: 'worker', status: 'ready', address: '127.0.0.1' });
    expect(existsSync(join(dataDir, 'cluster', 'tls', 'key.pem'))).toBe(true);

    // kill -9: its heartbeats stop; after 3 missed periods (1 s each) it is written down, once.
    const killedAt = systemClock.nowMs();
    agent.kill('SIGKILL');
    await agent.exited;
    await eventually('w1 down', (n) => n['w1']?.status === 'down', agent);
    const downAfterMs = systemClock.nowMs() - killedAt;
    expect(downAfterMs).toBeGreaterThanOrEqual(2_000);
    expect(downAfterMs).toBeLessThan(10_000);
    console.log(`w1 written down ${downAfterMs} ms after kill -9 of its agent`);

    // A restart needs no token: the same node, Ready again.
    agent = shoal(agentArgs.concat([c.addr[0] as string]));
    const back = await eventually('w1 ready again', (n) => n['w1']?.status === 'ready', agent);
    expect(back['w1']?.id).toBe(joined['w1']?.id);
    agent.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
  }, 90_000);
});

describe("an agent on a manager's host (root)", () => {
  it("is the manager's node: no token, one row in node ls, Ready while it heartbeats and Down once it stops", async () => {
    const c = await managers(1);
    const dataDir = join(c.dir, 'agent');
    cleanups.push(() => purgeAgent(dataDir));
    const nodes = async () => json<N[]>(['node', 'ls', ...c.via(0)]);
    const agentArgs = ['agent', '--data-dir', dataDir, '--socket', join(dataDir, 'agent.sock'), '--advertise', '127.0.0.1', '--manager-data-dir', c.dataDir(0), c.addr[0] as string];
    const bad = await cli(['agent', '--data-dir', dataDir, '--socket', join(dataDir, 'agent.sock'), '--advertise', '127.0.0.1', '--manager-data-dir', join(c.dir, 'nope'), c.addr[0] as string]);
    expect(bad.stderr).toBe(`shoal: --manager-data-dir ${join(c.dir, 'nope')}: no manager there (no manager.json)\n`);

    const agent = shoal(['--log-level', 'info', ...agentArgs]);
    const until = async (what: string, ok: (n: N[]) => boolean): Promise<N[]> => {
      for (let k = 0; k < 200; k++) {
        const n = await nodes();
        if (ok(n)) return n;
        await systemClock.sleep(50);
      }
      throw new Error(`${what} did not happen; agent stderr:\n${agent.stderr()}`);
    };
    // One node: the manager's, with the agent's heartbeats behind its status.
    // (The manager's node alone is never tracked: that it goes down below shows the agent's session.)
    for (let k = 0; k < 200 && !agent.stderr().includes('"msg":"session with the managers"'); k++) await systemClock.sleep(50);
    expect(agent.stderr()).toContain('"msg":"session with the managers"');
    const one = await until('one manager node', (n) => n.length === 1 && n[0]?.role === 'manager');
    expect(one.map((n) => [n.hostname, n.role, n.status])).toEqual([['m1', 'manager', 'ready']]);
    expect(existsSync(join(dataDir, 'cluster'))).toBe(false);
    agent.kill('SIGKILL');
    await agent.exited;
    const down = await until('m1 written down once its agent is gone', (n) => n[0]?.status === 'down');
    expect(down).toHaveLength(1);
  }, 60_000);
});
