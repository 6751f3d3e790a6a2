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
