// Rescheduling on node failure, on a cluster lab of 3 managers and 2 workers (an agent on every
// host, the lab registry's busybox), through the real CLI as an operator would (issue #18):
// - `lab kill` of a worker (a power loss): both of Swarm 1.2's forms get a copy elsewhere with
//   the same name; an unlabelled container is orphaned and stays listed; after `lab start`, no
//   name runs twice (each host's agent asked), and the node is Ready;
// - `lab partition`/`heal`: the same, and the orphaned container that ran on is running again;
//   with --stop-on-disconnect, sampled all along, never two copies running at once anywhere;
// - an agent `kill -9` (restarted at once) is not a node failure: nothing moves;
// - drain: the copy runs before the old one stops;
// - 50 containers starting while heartbeats go on: no node is ever declared down;
// - logs and exec of a container on a worker, through the managers;
// - the leader's host killed: the next leader declares it down and reschedules.
// One lab for the file; the tests run in order and each leaves the lab whole for the next.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../shared/clock.js';
import { RuntimeClient } from '../shared/runtime-client.js';
import { cleanupLabs, shoal, until, uniqueLabName } from './helpers.js';
import { agentPids } from './lab/agents.js';
import { resolveHost } from './lab/lab.js';
import { hostPaths } from './lab/plan.js';
import { DEFAULT_LAB_STATE_DIR } from './lab/state.js';

type NodeRow = { hostname: string; status: string; availability: string; managerStatus: string; message?: string };
type PsRow = { id: string; name: string; node: string; state: string; desiredState: string; message: string };

const name = uniqueLabName('nf');
const HOSTS = ['h1', 'h2', 'h3', 'h4', 'h5'];
let env: Record<string, string> = {};
let image = '';
const clients = new Map<string, RuntimeClient>();

afterAll(async () => {
  for (const c of clients.values()) c.close();
  await cleanupLabs([name]);
});

async function json<T>(args: readonly string[]): Promise<T> {
  const r = await shoal(['--format', 'json', ...args], 60_000, env);
  if (r.exitCode !== 0) throw new Error(`shoal ${args.join(' ')}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as T;
}

async function ok(args: readonly string[]): Promise<string> {
  const r = await shoal(args, 60_000, env);
  if (r.exitCode !== 0) throw new Error(`shoal ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

const nodes = () => json<NodeRow[]>(['node', 'ls']);
const ps = (...args: string[]) => json<PsRow[]>(['ps', ...args]);
const status = (rows: NodeRow[], host: string) => rows.find((n) => n.hostname === host)?.status;

/** The containers running on a host, as its own agent says (its unix socket): name → task id. Empty when the host is off. */
async function runningOn(host: string): Promise<Map<string, string>> {
  let c = clients.get(host);
  if (c === undefined) {
    c = new RuntimeClient(hostPaths(DEFAULT_LAB_STATE_DIR, name, host).agentSocket);
    clients.set(host, c);
  }
  try {
    const list = await c.list(false);
    return new Map(list.filter((x) => x.state === 'running').map((x) => [x.name, x.spec?.labels['com.shoal.task.id'] ?? '']));
  } catch {
    return new Map(); // its agent is down with its host: nothing of it runs (lab kill killed its containers too)
  }
}

/** How many copies of `task` run on all hosts, as their agents say. */
async function copiesRunning(task: string): Promise<{ count: number; where: string[] }> {
  const where: string[] = [];
  for (const h of HOSTS) if ((await runningOn(h)).has(task)) where.push(h);
  return { count: where.length, where };
}

/** Runs each `shoal run -d` on `host` alone (the others paused meanwhile), and waits until each runs there. */
async function runOn(host: string, runs: readonly (readonly string[])[]): Promise<void> {
  const others = HOSTS.filter((h) => h !== host);
  for (const h of others) await ok(['node', 'update', '--availability', 'pause', h]);
  try {
    const names: string[] = [];
    for (const args of runs) {
      const n = args[args.indexOf('--name') + 1] as string;
      names.push(n);
      await ok(['run', '-d', ...args]);
    }
    await until(`${names.join(', ')} running on ${host}`, () => ps(), (rows) => names.every((n) => rows.some((t) => t.name === n && t.node === host && t.state === 'running')));
  } finally {
    for (const h of others) await ok(['node', 'update', '--availability', 'active', h]);
  }
}

const taskOf = async (task: string): Promise<PsRow> => {
  const row = (await ps('-a')).find((t) => t.name === task && t.desiredState === 'running');
  if (row === undefined) throw new Error(`no live task ${task}`);
  return row;
};

describe('rescheduling on node failure (a cluster lab: 3 managers, 2 workers; root)', () => {
  beforeAll(async () => {
    const up = await shoal(['lab', 'up', '--name', name, '--managers', '3', '--workers', '2'], 240_000);
    expect(up.exitCode, up.stderr).toBe(0);
    env = JSON.parse((await shoal(['--format', 'json', 'lab', 'env', '--name', name])).stdout) as Record<string, string>;
    image = `${env['SHOAL_REGISTRY']}/shoal/busybox`;
  }, 300_000);

  it('a worker killed: both Swarm 1.2 forms get a copy elsewhere, the unlabelled one is orphaned; after lab start no name runs twice', async () => {
    await runOn('h4', [
      ['--name', 'web', '-e', 'reschedule:on-node-failure', image, 'sleep', '100000'],
      ['--name', 'api', '-l', 'com.docker.swarm.reschedule-policies=["on-node-failure"]', image, 'sleep', '100000'],
      ['--name', 'db', image, 'sleep', '100000'],
    ]);
    const before = new Map((await ps()).map((t) => [t.name, t.id]));
    const killedAt = systemClock.nowMs();
    await ok(['lab', 'kill', '--name', name, 'h4']);
    const rows = await until('web and api running elsewhere', () => ps(), (r) => ['web', 'api'].every((n) => r.some((t) => t.name === n && t.state === 'running' && t.node !== 'h4')));
    const replacedInMs = systemClock.nowMs() - killedAt;
    for (const n of ['web', 'api']) expect(rows.find((t) => t.name === n)?.id).not.toBe(before.get(n));
    expect(status(await nodes(), 'h4')).toBe('down');
    // Orphaned, still listed under its id; one live entry per name.
    expect(rows.find((t) => t.name === 'db')).toMatchObject({ id: before.get('db'), node: 'h4', state: 'orphaned' });
    expect(rows.map((t) => t.name).sort()).toEqual(['api', 'db', 'web']);
    for (const n of ['web', 'api']) expect(await copiesRunning(n)).toMatchObject({ count: 1 });
    console.log(`lab kill of h4 → web and api running elsewhere in ${replacedInMs} ms`);

    await ok(['lab', 'start', '--name', name, 'h4']);
    await until('h4 ready', nodes, (n) => status(n, 'h4') === 'ready');
    // The power loss took db's container; the replaced copies are gone from the store and from h4.
    const after = await until('the replaced copies removed', () => ps('-a'), (r) => r.filter((t) => t.name === 'web' || t.name === 'api').length === 2);
    expect(after.filter((t) => t.node === 'h4' && t.name !== 'db')).toEqual([]);
    for (const n of ['web', 'api']) expect(await copiesRunning(n)).toMatchObject({ count: 1 });
    expect([...(await runningOn('h4')).keys()]).toEqual([]);
    await ok(['rm', '-f', 'web', 'api', 'db']);
  }, 180_000);

  it('a worker partitioned: copies elsewhere, the orphan runs on; healed, the old copies stop before it is Ready, and the orphan is running again', async () => {
    await runOn('h5', [
      ['--name', 'pweb', '-e', 'reschedule:on-node-failure', image, 'sleep', '100000'],
      ['--name', 'pdb', image, 'sleep', '100000'],
    ]);
    const pdb = (await taskOf('pdb')).id;
    await ok(['lab', 'partition', '--name', name, 'h5']);
    await until('pweb running elsewhere', () => ps(), (r) => r.some((t) => t.name === 'pweb' && t.state === 'running' && t.node !== 'h5'));
    expect((await taskOf('pdb')).state).toBe('orphaned');
    // Cut off, h5 runs both still: without --stop-on-disconnect a partition shows two copies.
    expect((await runningOn('h5')).has('pweb')).toBe(true);
    await ok(['lab', 'heal', '--name', name, 'h5']);
    await until('h5 ready', nodes, (n) => status(n, 'h5') === 'ready');
    // Ready means its agent stopped the replaced copy first.
    expect((await runningOn('h5')).has('pweb')).toBe(false);
    expect(await copiesRunning('pweb')).toMatchObject({ count: 1 });
    const back = await until('pdb running again', () => taskOf('pdb'), (t) => t.state === 'running');
    expect(back).toMatchObject({ id: pdb, node: 'h5' });
    await ok(['rm', '-f', 'pweb', 'pdb']);
  }, 180_000);

  it('with --stop-on-disconnect, a partition never shows two copies running at once', async () => {
    await runOn('h5', [['--name', 'fweb', '-e', 'reschedule:on-node-failure', '--stop-on-disconnect', '5s', image, 'sleep', '100000']]);
    await ok(['lab', 'partition', '--name', name, 'h5']);
    const seen: string[][] = [];
    const deadline = systemClock.nowMs() + 40_000;
    let movedAt = 0;
    while (systemClock.nowMs() < deadline) {
      const c = await copiesRunning('fweb');
      seen.push(c.where);
      expect(c.count, `fweb ran on ${c.where.join(' and ')}`).toBeLessThanOrEqual(1);
      if (c.count === 1 && c.where[0] !== 'h5') {
        movedAt = systemClock.nowMs();
        break;
      }
      await systemClock.sleep(100);
    }
    expect(movedAt, `fweb never moved: ${JSON.stringify(seen.slice(-5))}`).toBeGreaterThan(0);
    // Some samples saw none running: the agent stopped it before the managers started the copy.
    expect(seen.some((w) => w.length === 0)).toBe(true);
    await ok(['lab', 'heal', '--name', name, 'h5']);
    await until('h5 ready', nodes, (n) => status(n, 'h5') === 'ready');
    expect(await copiesRunning('fweb')).toMatchObject({ count: 1 });
    await ok(['rm', '-f', 'fweb']);
  }, 120_000);

  it('an agent kill -9, restarted at once, is not a node failure: nothing is replaced', async () => {
    await runOn('h4', [['--name', 'kweb', '-e', 'reschedule:on-node-failure', image, 'sleep', '100000']]);
    const id = (await taskOf('kweb')).id;
    // A restart of the agent must fit in the grace (3 periods): on 2 loaded cores `lab start`
    // alone may take 2-3 s, so the period is 3 s for this test. It applies from each node's next
    // heartbeat, which nothing shows: one old period (1 s) and a margin.
    await ok(['cluster', 'update', '--heartbeat-period', '3s']);
    await systemClock.sleep(1_500);
    const h4 = await resolveHost(DEFAULT_LAB_STATE_DIR, name, 'h4');
    const pids = await agentPids(DEFAULT_LAB_STATE_DIR, name, h4);
    expect(pids).toHaveLength(1);
    process.kill(pids[0] as number, 'SIGKILL');
    await until('the agent gone', async () => (await agentPids(DEFAULT_LAB_STATE_DIR, name, h4)).length, (n) => n === 0, 5_000);
    await ok(['lab', 'start', '--name', name, 'h4']);
    // Give the managers the time they would need to act (3 heartbeat periods and more).
    const deadline = systemClock.nowMs() + 5_000;
    while (systemClock.nowMs() < deadline) {
      expect(status(await nodes(), 'h4')).not.toBe('down');
      await systemClock.sleep(250);
    }
    expect(await taskOf('kweb')).toMatchObject({ id, node: 'h4', state: 'running' });
    expect(await copiesRunning('kweb')).toMatchObject({ count: 1, where: ['h4'] });
    await ok(['cluster', 'update', '--heartbeat-period', '1s']);
    await ok(['rm', '-f', 'kweb']);
  }, 120_000);

  it('drain: the copy runs elsewhere before the old one stops', async () => {
    await runOn('h2', [['--name', 'dweb', '-e', 'reschedule:on-node-failure', image, 'sleep', '100000']]);
    await ok(['node', 'update', '--availability', 'drain', 'h2']);
    try {
      const deadline = systemClock.nowMs() + 40_000;
      for (;;) {
        // Copy-first: sampled every 100 ms, some copy always runs until the move is done.
        const c = await copiesRunning('dweb');
        expect(c.count, 'dweb never stops running during a drain').toBeGreaterThanOrEqual(1);
        if (c.count === 1 && c.where[0] !== 'h2') break;
        expect(systemClock.nowMs() < deadline, `the drain did not finish: ${c.where.join(',')}`).toBe(true);
        await systemClock.sleep(100);
      }
      expect((await taskOf('dweb')).node).not.toBe('h2');
    } finally {
      await ok(['node', 'update', '--availability', 'active', 'h2']);
    }
    await ok(['rm', '-f', 'dweb']);
  }, 120_000);

  it('50 containers starting while heartbeats go on: no node is ever declared down', async () => {
    const since = new Date().toISOString();
    const names = Array.from({ length: 50 }, (_, i) => `many${i}`);
    let downSeen = '';
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const rows = await nodes().catch(() => []);
        const down = rows.filter((n) => n.status !== 'ready').map((n) => `${n.hostname}:${n.status}`);
        if (down.length > 0 && downSeen === '') downSeen = down.join(',');
        await systemClock.sleep(250);
      }
    })();
    try {
      for (let i = 0; i < names.length; i += 10) {
        await Promise.all(names.slice(i, i + 10).map((n) => ok(['run', '-d', '--name', n, image, 'sleep', '100000'])));
      }
      await until('50 running', () => ps(), (rows) => names.every((n) => rows.some((t) => t.name === n && t.state === 'running')), 120_000);
    } finally {
      sampling = false;
      await sampler;
    }
    expect(downSeen).toBe('');
    const timeline = await ok(['events', '--since', since, '--until', '0s', '--filter', 'kind=node']);
    expect(timeline).not.toMatch(/ down /);
    for (let i = 0; i < names.length; i += 10) await ok(['rm', '-f', ...names.slice(i, i + 10)]);
  }, 240_000);

  it('logs and exec of a container on a worker, through the managers', async () => {
    await runOn('h4', [['--name', 'talk', image, 'sh', '-c', 'echo hello from the container; sleep 100000']]);
    const logs = await until('its output', () => ok(['logs', 'talk']), (out) => out.includes('hello from the container'), 10_000);
    expect(logs).toBe('hello from the container\n');
    expect(await ok(['exec', 'talk', 'sh', '-c', 'echo $((6*7))'])).toBe('42\n');
    const missing = await shoal(['exec', 'nothing-here', 'true'], 30_000, env);
    expect([missing.exitCode, missing.stderr]).toEqual([1, 'shoal: nothing-here: no such container\n']);
    await ok(['rm', '-f', 'talk']);
  }, 60_000);

  it("the leader's host killed: the next leader declares it down and reschedules its container", async () => {
    const leader = (await nodes()).find((n) => n.managerStatus === 'leader')?.hostname as string;
    expect(HOSTS.slice(0, 3)).toContain(leader);
    await runOn(leader, [['--name', 'lweb', '-e', 'reschedule:on-node-failure', image, 'sleep', '100000']]);
    const killedAt = systemClock.nowMs();
    const since = new Date().toISOString();
    await ok(['lab', 'kill', '--name', name, leader]);
    await until('lweb running elsewhere', () => ps(), (r) => r.some((t) => t.name === 'lweb' && t.state === 'running' && t.node !== leader), 60_000);
    console.log(`lab kill of the leader's host ${leader} → lweb running elsewhere in ${systemClock.nowMs() - killedAt} ms`);
    const rows = await nodes();
    expect(status(rows, leader)).toBe('down');
    expect(rows.find((n) => n.managerStatus === 'leader')?.hostname).not.toBe(leader);
    expect(await copiesRunning('lweb')).toMatchObject({ count: 1 });
    // While the agents moved their sessions to the new leader, no other node was declared down.
    const timeline = await ok(['events', '--since', since, '--until', '0s', '--filter', 'kind=node']);
    const downs = timeline.split('\n').flatMap((l) => /\bnode (h\d)\s+down\b/.exec(l)?.[1] ?? []);
    expect(downs, timeline).toEqual([leader]);
    await ok(['lab', 'start', '--name', name, leader]);
    await until(`${leader} ready`, nodes, (n) => status(n, leader) === 'ready');
    expect(await copiesRunning('lweb')).toMatchObject({ count: 1 });
  }, 180_000);
});
