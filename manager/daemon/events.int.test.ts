// `shoal events` against 3 real managers on loopback: the store's changes as they commit, from a
// version, without the CA key, and across the death of the manager that streams them; the
// timeline of the last minute (--since 1m --until 0s), whole and by node, and the raw events.

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
    const resumed = shoal(['events', '--raw', '--filter', 'kind=node', '--since', String(first.version), ...c.via(1, 2)]);
    await waitFor('the resumed event', () => resumed.stdout().includes('(name=m3,'), resumed);
    expect(resumed.stdout()).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z node update \w+ \(name=m3, version=\d+\)\n$/);

    for (const p of [all, live, resumed]) p.kill('SIGINT');
    for (const p of [all, live, resumed]) expect(await p.exited).toBe(0);

    // The timeline of the last minute, then exit (Docker's --since 10m --until 0s): one line per
    // thing that happened, what changed in words; by node; the raw events with what they replaced.
    const timeline = await cli(['events', '--since', '1m', '--until', '0s', ...c.via(1, 2)]);
    expect(timeline.code).toBe(0);
    const lines = timeline.stdout.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3}  node m2       labels a=1$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3}  node m3       labels b=2$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3}  cluster \S+ +updated: heartbeatPeriodMs 1000 → 2000$/));
    const m3 = (await cli(['events', '--since', '1m', '--until', '0s', '--filter', 'node=m3', ...c.via(1, 2)])).stdout.split('\n').filter((l) => /^\d/.test(l));
    expect(m3.length).toBeGreaterThan(0);
    expect(m3.every((l) => / {2}node m3 /.test(l))).toBe(true);
    expect(m3.at(-1)).toMatch(/labels b=2$/);
    const rawEvents = (await cli(['--format', 'json', 'events', '--since', '1m', '--until', '0s', '--filter', 'node=m2', ...c.via(2)])).stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as E & { previous?: E['object'] });
    const labelled = rawEvents.find((e) => e.action === 'update' && (e.object.spec['labels'] as Record<string, string>)['a'] === '1');
    expect(labelled?.previous?.spec['labels']).toEqual({});
    expect(rawEvents.every((e) => e.kind === 'node' && e.name === 'm2')).toBe(true);

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

    // Without a quorum the timeline up to now is the replica's own, when asked stale.
    const staleTimeline = await cli(['events', '--since', '5m', '--until', '0s', '--stale', '--filter', 'node=m3', ...c.via(2)]);
    expect([staleTimeline.code, staleTimeline.stderr]).toEqual([0, '']);
    expect(staleTimeline.stdout).toMatch(/ {2}node m3 +labels b=2\n$/);

    const bad = await cli(['events', '--filter', 'kind=pets', ...c.via(1)]);
    expect(bad.stderr).toBe('shoal: --filter "kind=pets": must be kind=node|task|service|network|cluster\n');
    const badSince = await cli(['events', '--since', 'yesterday', ...c.via(2)]);
    expect([badSince.code, badSince.stderr]).toEqual([2, 'shoal: --since "yesterday": must be a version (the last one seen), a duration ago like 10m, or an RFC 3339 time like 2026-11-30T17:02:03Z\n']);
  }, 90_000);
});
