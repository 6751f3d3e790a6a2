// `shoal events` against 3 real managers on loopback: the store's changes as they commit, from a
// version, without the CA key, and across the death of the manager that streams them.

import { afterEach, describe, expect, it } from 'vitest';
import { runAllCleanups, type CleanupStep } from '../../shared/cleanup.js';
import { managerProcesses, waitFor, type Proc } from './testing.js';

const cleanups: CleanupStep[] = [];
afterEach(() => runAllCleanups('events test', cleanups.splice(0)));
const { shoal, cli, json, managers } = managerProcesses(cleanups);

type E = { version: number; kind: string; action: string; name: string; object: { spec: Record<string, unknown>; status: Record<string, unknown> } };
const parse = (p: Proc): E[] => p.stdout().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as E);

describe('shoal events', () => {
  it('streams changes as they commit, resumes after a version, leaves the CA key out, and moves to another manager when its own dies', async () => {
    const c = await managers(3);
    const cluster = await json<{ version: number }>(['cluster', 'inspect', ...c.via(0)]);

    // From the beginning of what the managers still hold: the cluster object's creation among them.
    const all = shoal(['--format', 'json', 'events', '--since', '1', ...c.via(1)]);
    await waitFor('the cluster object', () => parse(all).some((e) => e.kind === 'cluster'), all);
    const clusterEvent = parse(all).find((e) => e.kind === 'cluster') as E;
    expect(clusterEvent.action).toBe('create');
    expect(clusterEvent.object.status['rootCaPem']).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(all.stdout()).not.toContain('PRIVATE KEY');
    expect(cluster.version).toBeGreaterThanOrEqual(clusterEvent.version);

    // Live, node events only, from the first manager of the list (m1).
    const live = shoal(['--format', 'json', 'events', '--filter', 'kind=node', ...c.via(0, 1, 2)]);
    await json(['cluster', 'update', '--heartbeat-period', '2s', ...c.via(2)]);
    await json(['node', 'update', 'm2', '--label-add', 'a=1', ...c.via(2)]);
    await waitFor('the label event', () => parse(live).some((e) => e.name === 'm2'), live);
    expect(parse(live).map((e) => [e.kind, e.action, e.name, e.object.spec['labels']])).toEqual([['node', 'update', 'm2', { a: '1' }]]);

    // m1 dies: the stream moves on and misses nothing.
    (c.procs[0] as Proc).kill('SIGKILL');
    await c.procs[0]?.exited;
    await json(['node', 'update', 'm3', '--label-add', 'b=2', ...c.via(1, 2)]);
    await waitFor('the event after the move', () => parse(live).some((e) => e.name === 'm3'), live);
    const versions = parse(live).map((e) => e.version);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));

    // Resumed after the first label: only what came after.
    const first = parse(live)[0] as E;
    const resumed = shoal(['events', '--filter', 'kind=node', '--since', String(first.version), ...c.via(1, 2)]);
    await waitFor('the resumed event', () => resumed.stdout().includes('(name=m3,'), resumed);
    expect(resumed.stdout()).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z node update \w+ \(name=m3, version=\d+\)\n$/);

    for (const p of [all, live, resumed]) p.kill('SIGINT');
    for (const p of [all, live, resumed]) expect(await p.exited).toBe(0);

    // m2 dies too: no quorum. A read waits a bounded time and says there is no leader; a stale
    // read answers from m3's own copy, the acknowledged writes in it.
    (c.procs[1] as Proc).kill('SIGKILL');
    await c.procs[1]?.exited;
    const noLeader = await cli(['node', 'ls', ...c.via(2)]);
    expect(noLeader.stderr).toMatch(/^shoal: no manager answered \(127\.0\.0\.1:\d+: no leader: the managers have not elected one \(is a majority of them up and reachable\?\)\)\n$/);
    const stale = await json<{ hostname: string; managerStatus: string; labels: Record<string, string> }[]>(['node', 'ls', '--stale', ...c.via(2)]);
    expect(stale.map((n) => [n.hostname, n.managerStatus, n.labels]).sort()).toEqual([
      ['m1', 'unknown', {}],
      ['m2', 'unknown', { a: '1' }],
      ['m3', 'reachable', { b: '2' }],
    ].sort());

    const bad = await cli(['events', '--filter', 'kind=pets', ...c.via(1)]);
    expect(bad.stderr).toBe('shoal: --filter "kind=pets": must be kind=node|task|service|network|cluster\n');
  }, 90_000);
});
