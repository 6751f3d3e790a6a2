// Swarm 1.2's rescheduling on a real manager (loopback), with two hand-driven agents: a node
// that falls silent is written down; its containers with the policy (both of Swarm's forms) get a
// copy with the same name on the other node, the one without is orphaned and stays listed; no
// name ever shows two live copies; when the node comes back it is not ready until its agent has
// stopped the replaced copies, and the orphaned container that still runs is running again.

import { afterEach, describe, expect, it } from 'vitest';
import { runAllCleanups, type CleanupStep } from '../../shared/cleanup.js';
import { systemClock } from '../../shared/clock.js';
import { handAgent, managerProcesses } from './testing.js';

const cleanups: CleanupStep[] = [];
afterEach(() => runAllCleanups('node failure test', cleanups.splice(0)));
const { json, managers } = managerProcesses(cleanups);

type Ps = { id: string; name: string; node: string; state: string; desiredState: string; message: string };
type NodeRow = { hostname: string; status: string; message?: string };

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = systemClock.nowMs() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (systemClock.nowMs() > deadline) throw new Error(`${what} did not happen; last seen: ${JSON.stringify(v)}`);
    await systemClock.sleep(100);
  }
}

describe('a node down (a real manager, hand-driven agents)', () => {
  it('replaces the containers that asked for it, orphans the others, and fences the node when it comes back', async () => {
    const c = await managers(1);
    const token = (await json<{ token: string }>(['cluster', 'join-token', 'worker', ...c.via(0)])).token;
    const ps = (...args: string[]) => json<Ps[]>(['ps', ...args, ...c.via(0)]);
    const nodes = () => json<NodeRow[]>(['node', 'ls', ...c.via(0)]);
    const liveNames = (rows: Ps[]) => rows.map((t) => t.name);

    // Everything starts on w1 (the only node), and runs there.
    const w1 = await handAgent(cleanups, c.addr[0] as string, token, 'w1');
    await json(['run', '-d', '--name', 'web', '-e', 'reschedule:on-node-failure', ...c.via(0), 'busybox', 'sleep', '100']);
    await json(['run', '-d', '--name', 'api', '-l', 'com.docker.swarm.reschedule-policies=["on-node-failure"]', ...c.via(0), 'busybox']);
    await json(['run', '-d', '--name', 'db', ...c.via(0), 'busybox']);
    await until('three tasks on w1', async () => w1.tasks().size, (n) => n === 3);
    const first = new Map([...w1.tasks().values()].map((t) => [t.name, t.id]));
    for (const id of first.values()) await w1.report(id, 'running', { containerId: `c-${id}` });
    await until('all running on w1', () => ps(), (rows) => rows.length === 3 && rows.every((t) => t.state === 'running' && t.node === 'w1'));

    // w2 joins; w1 falls silent.
    const w2 = await handAgent(cleanups, c.addr[0] as string, token, 'w2');
    await until('w2 ready', nodes, (n) => n.some((r) => r.hostname === 'w2' && r.status === 'ready'));
    const silentAt = systemClock.nowMs();
    w1.silence();
    await until('w1 down', nodes, (n) => n.some((r) => r.hostname === 'w1' && r.status === 'down'));
    const downAfterMs = systemClock.nowMs() - silentAt;
    const copies = await until('two copies on w2', async () => w2.tasks(), (m) => m.size === 2);
    expect([...copies.values()].map((t) => t.name).sort()).toEqual(['api', 'web']);
    for (const t of copies.values()) {
      expect(t.id).not.toBe(first.get(t.name));
      await w2.report(t.id, 'running', { containerId: `c-${t.id}` });
    }
    const during = await until('copies running on w2, db orphaned', () => ps(), (rows) => rows.filter((t) => t.state === 'running' && t.node === 'w2').length === 2);
    // One live copy per name; the orphaned container stays listed; the replaced ones only with -a.
    expect(liveNames(during).sort()).toEqual(['api', 'db', 'web']);
    const all = await ps('-a');
    expect(all.find((t) => t.name === 'db')).toMatchObject({ node: 'w1', state: 'orphaned', desiredState: 'running', message: 'node w1 is down' });
    const old = all.filter((t) => t.node === "w1" && t.name !== "db");
    expect(old.map((t) => [t.name, t.state, t.desiredState]).sort()).toEqual([['api', 'orphaned', 'remove'], ['web', 'orphaned', 'remove']]);
    // The same spec and labels: the label form stays a label.
    const api = await json<{ labels: Record<string, string> }[]>(['ps', '--filter', 'name=api', ...c.via(0)]);
    expect(api[0]?.labels).toEqual({ 'com.docker.swarm.reschedule-policies': '["on-node-failure"]' });

    // w1 comes back: told to remove the replaced copies, and not ready until it has stopped them.
    await w1.reconnect();
    const back = await until('the full set on w1', async () => w1.tasks(), (m) => m.size === 3);
    const byName = new Map([...back.values()].map((t) => [t.name, t]));
    expect(byName.get('web')?.desiredState).toBe('remove');
    expect(byName.get('api')?.desiredState).toBe('remove');
    expect(byName.get('db')?.desiredState).toBe('running');
    await w1.report(first.get('db') as string, 'running', { containerId: 'c-db' });
    const fenced = await until('w1 fenced', nodes, (n) => n.some((r) => r.hostname === 'w1' && r.status === 'unknown'));
    expect(fenced.find((r) => r.hostname === 'w1')?.message).toBe('back; stopping 2 replaced containers first');
    await until('db running again', () => ps(), (rows) => rows.some((t) => t.name === 'db' && t.state === 'running' && t.node === 'w1'));
    await w1.report(first.get('web') as string, 'shutdown');
    await w1.report(first.get('api') as string, 'shutdown');
    await until('w1 ready', nodes, (n) => n.some((r) => r.hostname === 'w1' && r.status === 'ready'));
    // The old copies are gone; each name once.
    const after = await until('old copies deleted', () => ps('-a'), (rows) => rows.length === 3);
    expect(after.map((t) => `${t.name}@${t.node}:${t.state}`).sort()).toEqual(['api@w2:running', 'db@w1:running', 'web@w2:running']);
    // Heartbeats every 0.3 s, period 1 s, down after 3 missed periods.
    expect(downAfterMs).toBeGreaterThan(2_500);
  }, 90_000);
});
