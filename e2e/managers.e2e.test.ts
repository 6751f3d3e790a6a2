// Issue #17 end to end: the managers on ONE lab of three real managers (and two spare hosts),
// driven through the real CLI with the environment of `shoal lab env`, the tests in order on the
// same cluster. Every Control API call answers the same through each manager; the power loss of
// the leader's host, then its reboot (it catches up); a partitioned leader (the majority goes on,
// the isolated one refuses, nothing acknowledged is lost after the heal); growing to five
// managers while writes go on (`shoal lab join-manager`) and shrinking back to three; and
// `shoal manager recover` after two of three hosts are lost, a lost one joining again with a
// fresh data dir. Every write the cluster acknowledges is recorded and read back after each
// step, through every manager and in each one's own copy (`node ls --stale`). The loopback
// integration tests (manager/daemon/*.int.test.ts) prove the API's rules; these prove them
// across hosts, with power losses and partitions.

import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../shared/clock.js';
import type { RunResult } from '../shared/exec.js';
import { cleanupLabs, shoal, shoalBin, shoalSpawn, uniqueLabName } from './helpers.js';
import type { LabSummary } from './lab/lab.js';
import { logTail, managerPids } from './lab/managers.js';
import { hostPaths, type LabHostPlan } from './lab/plan.js';
import { DEFAULT_LAB_STATE_DIR } from './lab/state.js';

interface NodeRow {
  readonly id: string;
  readonly version: number;
  readonly hostname: string;
  readonly role: string;
  readonly managerStatus: string;
  readonly labels: Record<string, string>;
}

interface ClusterRow {
  readonly id: string;
  readonly version: number;
  readonly heartbeatPeriodMs: number;
  readonly joinTokens: { readonly worker: string; readonly manager: string };
}

interface EventRow {
  readonly version: number;
  readonly kind: string;
  readonly action: string;
  readonly name: string;
}

/** A generous bound on the CLI's first acknowledged write after the leader's host dies (measured: about 2 s). */
const FAILOVER_WRITE_MS = 30_000;
/** How long a refusal by an isolated manager may take: the wait for a leader (5 s) or a call's deadline (10 s), and a start of the CLI. */
const ISOLATED_REFUSAL_MS = 20_000;
/** How long a state the managers converge to (a leader, reachable voters) may take to show. */
const CONVERGE_MS = 30_000;
const POLL_MS = 250;

const name = uniqueLabName('mg');
let hosts: LabHostPlan[] = [];
let env: Record<string, string> = {};
const spawned: ReturnType<typeof shoalSpawn>[] = [];
/** Figures for the closing note: how long things took, measured as the tests went. */
const measured: Record<string, number> = {};

const host = (hostname: string): LabHostPlan => {
  const h = hosts.find((x) => x.name === hostname);
  if (h === undefined) throw new Error(`no host ${hostname}`);
  return h;
};
const addr = (h: LabHostPlan): string => `${h.address}:4377`;
const managerDataDir = (h: LabHostPlan): string => hostPaths(DEFAULT_LAB_STATE_DIR, name, h.name).managerDataDir;

/** `shoal --format json ARGS` with the lab's environment; through `via` alone (--host) when given. */
function cli(args: readonly string[], via?: LabHostPlan): Promise<RunResult> {
  return shoal(['--format', 'json', ...args, ...(via !== undefined ? ['--host', addr(via)] : [])], 60_000, env);
}

/** The same, expected to succeed; its JSON answer. */
async function json<T>(args: readonly string[], via?: LabHostPlan): Promise<T> {
  const r = await cli(args, via);
  expect(r.exitCode, `shoal ${args.join(' ')}${via !== undefined ? ` via ${via.name}` : ''}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as T;
}

/** `shoal lab VERB --name <the lab> ARGS`. */
const lab = (verb: string, ...args: string[]): Promise<RunResult> => shoal(['lab', verb, '--name', name, ...args], 90_000, env);

/** A shoal command run inside a lab host (`shoal lab exec`), as an operator on that host would. */
const onHost = (h: LabHostPlan, args: readonly string[]): Promise<RunResult> => lab('exec', h.name, '--', process.execPath, shoalBin, ...args);

const statuses = (nodes: readonly NodeRow[]): Record<string, string> => Object.fromEntries(nodes.map((n) => [n.hostname, n.managerStatus]));
const leaderOf = (nodes: readonly NodeRow[]): string | undefined => nodes.find((n) => n.managerStatus === 'leader')?.hostname;

/** Asks `node ls` again until `accept` takes its answer, for at most `timeoutMs`. */
async function nodeLsUntil(accept: (nodes: NodeRow[]) => boolean, via?: LabHostPlan, timeoutMs = CONVERGE_MS): Promise<NodeRow[]> {
  const start = systemClock.nowMs();
  let last = '';
  for (let attempt = 0; attempt < 200 && systemClock.nowMs() - start <= timeoutMs; attempt++) {
    const r = await cli(['node', 'ls'], via);
    if (r.exitCode === 0) {
      const nodes = JSON.parse(r.stdout) as NodeRow[];
      if (accept(nodes)) return nodes;
      last = JSON.stringify(statuses(nodes));
    } else last = r.stderr.trim();
    await systemClock.sleep(POLL_MS);
  }
  throw new Error(`node ls${via !== undefined ? ` via ${via.name}` : ''} did not give the awaited answer within ${timeoutMs} ms; last: ${last}`);
}

/** Every label write the cluster acknowledged (exit 0), by node: what must never be lost. */
const acknowledged = new Map<string, Map<string, string>>();

/** `shoal node update NODE --label-add KEY=VALUE` through SHOAL_HOST (or `via`); recorded when acknowledged. */
async function writeLabel(node: string, key: string, value: string, via?: LabHostPlan): Promise<RunResult> {
  const r = await cli(['node', 'update', node, '--label-add', `${key}=${value}`], via);
  if (r.exitCode === 0) {
    const labels = acknowledged.get(node) ?? new Map<string, string>();
    labels.set(key, value);
    acknowledged.set(node, labels);
  }
  return r;
}

/** The acknowledged labels that `nodes` lacks, as `node:key` (none: it holds every one). */
function missingAcknowledged(nodes: readonly NodeRow[]): string[] {
  const byName = new Map(nodes.map((n) => [n.hostname, n]));
  return [...acknowledged].flatMap(([node, labels]) => [...labels].filter(([k, v]) => byName.get(node)?.labels[k] !== v).map(([k]) => `${node}:${k}`));
}

/** Every acknowledged write is in the answer of `node ls` through `via` (which asks the leader). */
async function expectAcknowledgedThrough(via: LabHostPlan): Promise<NodeRow[]> {
  const nodes = await json<NodeRow[]>(['node', 'ls'], via);
  expect(missingAcknowledged(nodes), `acknowledged writes missing through ${via.name}`).toEqual([]);
  return nodes;
}

/**
 * Waits, bounded, until the manager's own copy (`node ls --stale`: no leader asked) holds every
 * acknowledged write: it has caught up. Returns its copy.
 */
async function copyHoldsAcknowledged(via: LabHostPlan, timeoutMs = CONVERGE_MS): Promise<NodeRow[]> {
  const start = systemClock.nowMs();
  let missing: string[] = [];
  for (let attempt = 0; attempt < 100 && systemClock.nowMs() - start <= timeoutMs; attempt++) {
    const nodes = await json<NodeRow[]>(['node', 'ls', '--stale'], via);
    missing = missingAcknowledged(nodes);
    if (missing.length === 0) return nodes;
    await systemClock.sleep(POLL_MS);
  }
  throw new Error(`the copy of ${via.name} still lacks acknowledged writes after ${timeoutMs} ms: ${missing.join(', ')}`);
}

/** The highest version the cluster's objects show: a change made after this has a higher one. */
async function currentVersion(): Promise<number> {
  const [nodes, cluster] = await Promise.all([json<NodeRow[]>(['node', 'ls']), json<ClusterRow>(['cluster', 'inspect'])]);
  return Math.max(cluster.version, ...nodes.map((n) => n.version));
}

/**
 * `shoal events --since V` through one manager alone: the changes its own replica applied (any
 * manager serves Watch from its store). Collects them until `done` takes them (bounded), then
 * ends the stream.
 */
async function eventsThrough(via: LabHostPlan, since: number, done: (events: readonly EventRow[]) => boolean, timeoutMs = 15_000): Promise<EventRow[]> {
  const child = shoalSpawn(['--format', 'json', 'events', '--since', String(since), '--host', addr(via), '--tls-dir', env['SHOAL_TLS_DIR'] ?? '']);
  spawned.push(child);
  const events: EventRow[] = [];
  let stderr = '';
  try {
    return await new Promise<EventRow[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`events through ${via.name}: not done within ${timeoutMs} ms; got ${JSON.stringify(events)}; stderr: ${stderr}`)), timeoutMs);
      let buffered = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.stdout.on('data', (b: Buffer) => {
        buffered += b.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const e = JSON.parse(line) as EventRow;
          events.push({ version: e.version, kind: e.kind, action: e.action, name: e.name });
        }
        if (done(events)) {
          clearTimeout(timer);
          resolve(events);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`events through ${via.name} exited (${code}) before it was done: ${stderr}`));
      });
    });
  } finally {
    child.kill('SIGKILL');
  }
}

/** Polls, bounded, until the host's manager process is gone. */
async function managerGone(h: LabHostPlan, timeoutMs = 15_000): Promise<void> {
  const start = systemClock.nowMs();
  while ((await managerPids(DEFAULT_LAB_STATE_DIR, name, h)).length > 0) {
    if (systemClock.nowMs() - start > timeoutMs) throw new Error(`the manager of ${h.name} still runs after ${timeoutMs} ms`);
    await systemClock.sleep(100);
  }
}

async function refreshEnv(): Promise<void> {
  const r = await shoal(['--format', 'json', 'lab', 'env', '--name', name]);
  expect(r.exitCode, r.stderr).toBe(0);
  env = JSON.parse(r.stdout) as Record<string, string>;
}

async function labHosts(): Promise<LabSummary['hosts']> {
  const r = await shoal(['--format', 'json', 'lab', 'ls', '--name', name]);
  expect(r.exitCode, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as LabSummary[])[0]?.hosts ?? [];
}

beforeAll(async () => {
  const up = await shoal(['lab', 'up', '--name', name, '--managers', '3', '--hosts', '5']);
  expect(up.exitCode, up.stderr).toBe(0);
  hosts = [...(await labHosts())];
  await refreshEnv();
});

afterAll(async () => {
  for (const child of spawned) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await cleanupLabs([name]);
  const figures = Object.entries(measured).map(([what, ms]) => `${what}: ${Math.round(ms)} ms`);
  if (figures.length > 0) console.info(`managers.e2e.test.ts measured: ${figures.join('; ')}`);
});

describe('managers on a lab of hosts (root)', () => {
  it('answers every Control API call the same through each manager: a write through one is read back through the others', async () => {
    const [m1, m2, m3] = [host('h1'), host('h2'), host('h3')];
    const managers = [m1, m2, m3];
    const oldToken = (await json<ClusterRow>(['cluster', 'inspect'])).joinTokens.manager;
    const since = await currentVersion();

    // One write through each manager: a node's labels, the cluster's settings, a token rotation.
    const labelled = await json<NodeRow>(['node', 'update', 'h2', '--label-add', 'written-via=h1'], m1);
    acknowledged.set('h2', new Map([['written-via', 'h1']]));
    const updated = await json<ClusterRow>(['cluster', 'update', '--heartbeat-period', '1500ms'], m2);
    const rotated = await json<{ role: string; token: string; rotated: boolean }>(['cluster', 'join-token', 'manager', '--rotate'], m3);
    expect(rotated.token).not.toBe(oldToken);

    // Read back through every manager.
    const answers = await Promise.all(
      managers.map(async (m) => ({
        ls: await json<NodeRow[]>(['node', 'ls'], m),
        inspect: await json<NodeRow>(['node', 'inspect', 'h2'], m),
        cluster: await json<ClusterRow>(['cluster', 'inspect'], m),
        token: (await cli(['cluster', 'join-token', 'manager', '--quiet'], m)).stdout,
      })),
    );
    const [first] = answers;
    for (const a of answers) expect(a).toEqual(first);
    expect(first?.inspect).toMatchObject({ id: labelled.id, version: labelled.version, labels: { 'written-via': 'h1' } });
    expect(first?.ls.map((n) => [n.hostname, n.role]).sort()).toEqual([['h1', 'manager'], ['h2', 'manager'], ['h3', 'manager']]);
    expect(Object.values(statuses(first?.ls ?? [])).sort()).toEqual(['leader', 'reachable', 'reachable']);
    expect(first?.cluster).toMatchObject({ heartbeatPeriodMs: 1500, joinTokens: { manager: rotated.token } });
    expect(first?.cluster.version).toBeGreaterThan(updated.version);
    expect(first?.token).toBe(`${rotated.token}\n`);

    // Each manager's own replica streams the same changes, in the same order.
    const last = first?.cluster.version ?? Number.MAX_SAFE_INTEGER;
    const streams = await Promise.all(managers.map((m) => eventsThrough(m, since, (es) => es.some((e) => e.version >= last))));
    for (const s of streams) expect(s).toEqual(streams[0]);
    expect(streams[0]).toEqual(
      expect.arrayContaining([
        { version: labelled.version, kind: 'node', action: 'update', name: 'h2' },
        { version: updated.version, kind: 'cluster', action: 'update', name: expect.any(String) as string },
        { version: last, kind: 'cluster', action: 'update', name: expect.any(String) as string },
      ]),
    );

    // Refusals: the same one line through each, and nothing changes.
    const refusals = await Promise.all(managers.map(async (m) => [await cli(['node', 'rm', 'h2'], m), await cli(['node', 'update', 'nosuch', '--label-add', 'a=b'], m)] as const));
    for (const [rm, missing] of refusals) {
      expect([rm.exitCode, rm.stderr]).toEqual([1, 'shoal: node h2 is a manager: demote it first (`shoal node demote h2`)\n']);
      expect([missing.exitCode, missing.stderr]).toEqual([1, 'shoal: node nosuch: no such node\n']);
    }
    expect(await json<NodeRow[]>(['node', 'ls'])).toEqual(first?.ls);
  });

  it("survives the power loss of the leader's host: a new leader answers through SHOAL_HOST and takes writes; restarted, the old one catches up", async () => {
    const before = await json<NodeRow[]>(['node', 'ls']);
    const old = { ...host(leaderOf(before) ?? ''), id: before.find((n) => n.managerStatus === 'leader')?.id ?? '' };

    const killStart = systemClock.nowMs();
    const kill = await lab('kill', old.name);
    const killDone = systemClock.nowMs();
    expect([kill.exitCode, kill.stderr]).toEqual([0, `${old.name}: underlay link down, sent SIGKILL to 1 process\n`]);
    // The first write that goes through SHOAL_HOST, as a user retrying would see it.
    let written: RunResult | undefined;
    for (let attempt = 0; attempt < 60 && systemClock.nowMs() - killStart < FAILOVER_WRITE_MS; attempt++) {
      written = await writeLabel(old.name, 'written-while-down', 'yes');
      if (written.exitCode === 0) break;
    }
    const ackAt = systemClock.nowMs();
    expect(written?.exitCode, written?.stderr).toBe(0);
    measured['leader killed → first write acknowledged (from the start of lab kill)'] = ackAt - killStart;
    measured['leader killed → first write acknowledged (from the end of lab kill)'] = ackAt - killDone;
    expect(ackAt - killStart).toBeLessThan(FAILOVER_WRITE_MS);

    const during = await nodeLsUntil((ns) => statuses(ns)[old.name] === 'unreachable');
    expect(leaderOf(during)).not.toBe(old.name);
    expect(Object.values(statuses(during)).sort()).toEqual(['leader', 'reachable', 'unreachable']);

    // Made a new manager while its old one is still a member: refused in one line, nothing changed.
    const refused = await lab('join-manager', old.name);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`^shoal: lab ${name}: the manager of ${old.name} did not come up: its process exited \\(exit code 1\\); its log \\S+ ends: .*hostname ${old.name} is taken by node ${old.id}: give the joining manager another --hostname, or remove that node\\n$`));
    expect((await labHosts()).find((h) => h.name === old.name)).toMatchObject({ roles: ['manager'], linkUp: false });
    expect(await managerPids(DEFAULT_LAB_STATE_DIR, name, old)).toEqual([]);
    expect(readdirSync(hostPaths(DEFAULT_LAB_STATE_DIR, name, old.name).dir).filter((f) => f.startsWith('manager.old'))).toEqual([]);

    const start = await lab('start', old.name);
    expect([start.exitCode, start.stderr]).toEqual([0, `${old.name}: underlay link up, manager running\n`]);
    // Its own copy catches up with the write made while it was down.
    const copy = await copyHoldsAcknowledged(old);
    expect(copy.find((n) => n.hostname === old.name)?.labels).toMatchObject({ 'written-while-down': 'yes' });
    await expectAcknowledgedThrough(old);
    const after = await nodeLsUntil((ns) => statuses(ns)[old.name] === 'reachable');
    expect(Object.values(statuses(after)).sort()).toEqual(['leader', 'reachable', 'reachable']);
  });

  it('partition of the leader: the majority elects another and takes writes, the isolated one refuses in one line; healed, nothing acknowledged is lost', async () => {
    const old = host(leaderOf(await json<NodeRow[]>(['node', 'ls'])) ?? '');
    const cut = await lab('partition', old.name);
    expect([cut.exitCode, cut.stderr]).toEqual([0, `${old.name}: underlay link down\n`]);

    // Asked alone, from its own host (which still reaches it) and from outside (which does not).
    const isolated = (async () => {
      const t = systemClock.nowMs();
      const r = await onHost(old, ['node', 'update', old.name, '--label-add', 'refused=inside', '--host', addr(old), '--tls-dir', env['SHOAL_TLS_DIR'] ?? '']);
      return { r, ms: systemClock.nowMs() - t };
    })();
    const outside = cli(['node', 'update', old.name, '--label-add', 'refused=outside'], old);

    const during = await nodeLsUntil((ns) => statuses(ns)[old.name] === 'unreachable' && leaderOf(ns) !== undefined);
    expect(leaderOf(during)).not.toBe(old.name);
    for (let i = 1; i <= 3; i++) {
      const w = await writeLabel(old.name, `written-in-partition-${i}`, 'yes');
      expect(w.exitCode, w.stderr).toBe(0);
    }

    const { r: refused, ms } = await isolated;
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`^shoal: no manager answered \\(${old.address.replace(/\./g, '\\.')}:4377: (no leader: .*|the call was sent on to a manager that does not lead any more; try again|.*deadline.*)\\)\\n$`, 'i'));
    expect(ms).toBeLessThan(ISOLATED_REFUSAL_MS);
    measured['the isolated old leader refuses a write (inside its host)'] = ms;
    const unreachable = await outside;
    expect([unreachable.exitCode, unreachable.stderr]).toEqual([1, `shoal: no manager answered (${addr(old)}: no connection within 1000 ms)\n`]);

    const heal = await lab('heal', old.name);
    expect([heal.exitCode, heal.stderr]).toEqual([0, `${old.name}: underlay link up\n`]);
    const healed = await nodeLsUntil((ns) => Object.values(statuses(ns)).sort().join() === 'leader,reachable,reachable', old);
    expect(healed.find((n) => n.hostname === old.name)?.labels).not.toHaveProperty('refused');
    // Through every manager, the healed one included, and in each one's own copy.
    const answers = await Promise.all([host('h1'), host('h2'), host('h3')].flatMap((m) => [expectAcknowledgedThrough(m), copyHoldsAcknowledged(m)]));
    for (const nodes of answers) expect(nodes.find((n) => n.hostname === old.name)?.labels).not.toHaveProperty('refused');
  });

  it('grows to five managers while writes go on (lab join-manager: shoal manager join inside h4, h5) and shrinks back to three (node demote: they stop and say why)', async () => {
    const [h4, h5] = [host('h4'), host('h5')];
    const rolesBefore = (await labHosts()).map((h) => [h.name, h.roles]);
    const pids = await managerPids(DEFAULT_LAB_STATE_DIR, name, host('h1'));
    // Bad input: one line, nothing changed.
    const unknown = await lab('join-manager', 'h9');
    expect([unknown.exitCode, unknown.stderr]).toEqual([1, `shoal: lab ${name} has no host "h9" (hosts: h1, h2, h3, h4, h5)\n`]);
    const running = await lab('join-manager', 'h1');
    expect([running.exitCode, running.stderr]).toEqual([1, `shoal: lab ${name}: the manager of h1 is running (pid ${pids.join(', ')}); kill the host first (shoal lab kill h1)\n`]);
    const noHost = await lab('join-manager');
    expect([noHost.exitCode, noHost.stderr]).toEqual([2, "shoal: missing required argument 'host'\n"]);
    expect((await labHosts()).map((h) => [h.name, h.roles])).toEqual(rolesBefore);
    expect(await managerPids(DEFAULT_LAB_STATE_DIR, name, host('h1'))).toEqual(pids);

    // Writes go on through SHOAL_HOST (the three managers) while h4 and h5 join.
    let joining = true;
    const failed: string[] = [];
    let writes = 0;
    const writer = (async () => {
      for (let i = 0; joining && i < 200; i++) {
        const w = await writeLabel(`h${(i % 3) + 1}`, `written-while-growing-${i}`, 'yes');
        writes++;
        if (w.exitCode !== 0) failed.push(w.stderr.trim());
      }
    })();
    const joinStart = systemClock.nowMs();
    try {
      for (const h of [h4, h5]) {
        const join = await lab('join-manager', h.name);
        expect([join.exitCode, join.stderr]).toEqual([0, `${h.name}: manager joined at ${addr(h)}\n`]);
      }
    } finally {
      joining = false;
      await writer;
    }
    measured[`h4 and h5 joined, one after the other (${writes} writes acknowledged meanwhile)`] = systemClock.nowMs() - joinStart;
    expect(failed).toEqual([]);
    expect(writes).toBeGreaterThan(1);
    expect((await labHosts()).map((h) => h.roles)).toEqual([['manager'], ['manager'], ['manager'], ['manager'], ['manager']]);
    await refreshEnv();
    expect(env['SHOAL_HOST']).toBe(hosts.map(addr).join(','));

    // Five voters, every acknowledged write, through each of the five and in each one's own copy.
    await Promise.all(
      hosts.map(async (m) => {
        const nodes = await expectAcknowledgedThrough(m);
        expect(Object.values(statuses(nodes)).sort(), `via ${m.name}`).toEqual(['leader', 'reachable', 'reachable', 'reachable', 'reachable']);
        await copyHoldsAcknowledged(m);
      }),
    );
    // A write through a new manager; every replica holds it.
    const updated = await json<ClusterRow>(['cluster', 'update', '--heartbeat-period', '2s'], h5);
    const clusters = await Promise.all(hosts.map((m) => json<ClusterRow>(['cluster', 'inspect'], m)));
    for (const c of clusters) expect(c).toMatchObject({ version: updated.version, heartbeatPeriodMs: 2000 });

    // Back to three: each demoted manager stops, and its log says why.
    for (const h of [h4, h5]) {
      const demote = await shoal(['node', 'demote', h.name], 60_000, env);
      expect([demote.exitCode, demote.stderr]).toEqual([0, `Manager ${h.name} demoted in the cluster.\n`]);
      await managerGone(h);
      expect(await logTail(hostPaths(DEFAULT_LAB_STATE_DIR, name, h.name).managerLog)).toMatch(/shoal: manager stopped: this manager was removed from the cluster \(demoted, or it left\)$/);
    }
    const shrunk = await nodeLsUntil((ns) => Object.values(statuses(ns)).filter((s) => s !== '').length === 3);
    expect(shrunk.map((n) => [n.hostname, n.role]).sort()).toEqual([['h1', 'manager'], ['h2', 'manager'], ['h3', 'manager'], ['h4', 'worker'], ['h5', 'worker']]);
    expect(Object.values(statuses(shrunk)).sort()).toEqual(['', '', 'leader', 'reachable', 'reachable']);

    // node rm, written through one manager, read back through the others.
    const notDown = await cli(['node', 'rm', 'h4'], host('h1'));
    expect([notDown.exitCode, notDown.stderr]).toEqual([1, 'shoal: node h4 is ready, not down: stop it first, or remove it with --force\n']);
    for (const [h, via] of [['h4', host('h2')], ['h5', host('h3')]] as const) {
      const rm = await shoal(['node', 'rm', h, '--force', '--host', addr(via)], 60_000, env);
      expect([rm.exitCode, rm.stderr]).toEqual([0, `Node ${h} removed.\n`]);
    }
    for (const nodes of await Promise.all([host('h1'), host('h2'), host('h3')].map((m) => expectAcknowledgedThrough(m)))) {
      expect(nodes.map((n) => n.hostname).sort()).toEqual(['h1', 'h2', 'h3']);
    }
  });

  it('recovers from the loss of two of three managers: shoal manager recover on the survivor (refused while it runs), restarted with everything acknowledged; a lost one joins again with a fresh data dir', async () => {
    // h1 survives: first in SHOAL_HOST, so that the CLI meets it before the dead ones.
    const [survivor, lost, alsoLost] = [host('h1'), host('h2'), host('h3')];
    const before = await json<ClusterRow>(['cluster', 'inspect']);
    const w = await writeLabel('h1', 'written-before-the-loss', 'yes');
    expect(w.exitCode, w.stderr).toBe(0);
    // What recover keeps is what the survivor holds: a write a majority acknowledged may not have
    // reached it yet (Raft commits on 2 of 3), and would go with the two lost hosts.
    await copyHoldsAcknowledged(survivor);
    const oldLostId = (await json<NodeRow>(['node', 'inspect', lost.name])).id;
    for (const h of [lost, alsoLost]) {
      const kill = await lab('kill', h.name);
      expect([kill.exitCode, kill.stderr]).toEqual([0, `${h.name}: underlay link down, sent SIGKILL to 1 process\n`]);
    }

    // On the survivor's host, as its operator: refused while its manager runs, nothing changed.
    const dataDir = managerDataDir(survivor);
    const pids = await managerPids(DEFAULT_LAB_STATE_DIR, name, survivor);
    const whileRunning = await onHost(survivor, ['manager', 'recover', '--data-dir', dataDir]);
    expect([whileRunning.exitCode, whileRunning.stdout, whileRunning.stderr]).toEqual([1, '', `shoal: the Raft data dir ${dataDir}/raft is in use by another process (a manager running on it?)\n`]);
    expect(await managerPids(DEFAULT_LAB_STATE_DIR, name, survivor)).toEqual(pids);

    const stop = await lab('kill', '--signal', 'SIGTERM', survivor.name);
    expect([stop.exitCode, stop.stderr]).toEqual([0, `${survivor.name}: sent SIGTERM to 1 process\n`]);
    await managerGone(survivor);
    const recoverStart = systemClock.nowMs();
    const recovered = await onHost(survivor, ['manager', 'recover', '--data-dir', dataDir]);
    expect([recovered.exitCode, recovered.stderr]).toEqual([0, '']);
    expect(recovered.stdout).toMatch(/^This manager holds the log up to index \d+ \(term \d+; committed as far as it knows: \d+\)\.\nMembers as of that index:\n/);
    expect(recovered.stdout).toContain(` (this manager)  voter  ${addr(survivor)}  last heard: -\n`);
    for (const h of [lost, alsoLost]) expect(recovered.stdout).toMatch(new RegExp(`  voter  ${addr(h).replace(/\./g, '\\.')}  last heard: \\d{4}-\\d\\d-\\d\\dT`));
    expect(recovered.stdout).toContain(`Recovered: this manager is now the only member of cluster ${before.id}, with everything up to index `);

    const start = await lab('start', survivor.name);
    expect([start.exitCode, start.stderr]).toEqual([0, `${survivor.name}: underlay link up, manager running\n`]);
    measured['recover then lab start, until the survivor leads alone'] = systemClock.nowMs() - recoverStart;
    // Everything acknowledged before, through SHOAL_HOST; and it takes writes again.
    const after = await expectAcknowledgedThrough(survivor);
    expect(statuses(after)).toEqual({ h1: 'leader', h2: 'unreachable', h3: 'unreachable' });
    expect(await json<ClusterRow>(['cluster', 'inspect'])).toMatchObject({ id: before.id, heartbeatPeriodMs: before.heartbeatPeriodMs, joinTokens: before.joinTokens });
    const again = await writeLabel('h1', 'written-after-recover', 'yes');
    expect(again.exitCode, again.stderr).toBe(0);

    // A lost manager comes back as freshly installed: a new data dir (the old one kept aside).
    const join = await lab('join-manager', lost.name);
    expect(join.exitCode, join.stderr).toBe(0);
    expect(join.stderr).toMatch(new RegExp(`^${lost.name}: its old manager data dir kept as ${managerDataDir(lost)}\\.old-\\S+\\n${lost.name}: manager joined at ${addr(lost).replace(/\./g, '\\.')}\\n$`));
    // A new node in the place of the old one (its labels went with it), not a second h2.
    acknowledged.delete(lost.name);
    const rejoined = await expectAcknowledgedThrough(lost);
    expect(statuses(rejoined)).toEqual({ h1: 'leader', h2: 'reachable', h3: 'unreachable' });
    expect(rejoined.find((n) => n.hostname === lost.name)).toMatchObject({ labels: {}, role: 'manager' });
    expect(rejoined.find((n) => n.hostname === lost.name)?.id).not.toBe(oldLostId);
    await copyHoldsAcknowledged(lost);
    // Its own replica holds the recovered state.
    expect(await json<ClusterRow>(['cluster', 'inspect'], lost)).toEqual(await json<ClusterRow>(['cluster', 'inspect'], survivor));
  });
});
