// Labs of real managers through the real CLI (root): `lab up --managers N` returns with N voters
// that `shoal node ls` lists through `eval "$(shoal lab env)"`, each named after its host; `kill`
// is a power loss (no FIN or RST leaves the host) after which the others elect a leader and
// answer, and `start` brings the host back on its data dir; `partition`/`heal` cut and restore a
// host without killing anything; `down` leaves nothing (no namespace, link, rule, mount, process
// or data dir), also after an `up` killed half-way and with a damaged state file; bad input gets
// one line and changes nothing. One lab per describe, shared by its tests in order.

import type { ChildProcessByStdio } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../shared/clock.js';
import { runUnchecked } from '../shared/exec.js';
import { cleanupLabs, shoal, shoalBin, shoalSpawn, uniqueLabName, waitForLine } from './helpers.js';
import { findLabResources, labUp, type LabSummary } from './lab/lab.js';
import { managerPids } from './lab/managers.js';
import type { LabHostPlan } from './lab/plan.js';
import { DEFAULT_LAB_STATE_DIR } from './lab/state.js';
import { runInNetns } from './lab/sys.js';

interface NodeRow {
  readonly id: string;
  readonly hostname: string;
  readonly address: string;
  readonly role: string;
  readonly managerStatus: string;
}

/** A generous bound on the CLI answering after a manager's host died (about 1 s per dead manager it tries first, and an election): a failure, not a figure. */
const FAILOVER_ANSWER_MS = 20_000;

async function ls(name: string): Promise<LabSummary> {
  const r = await shoal(['lab', 'ls', '--name', name, '--format', 'json']);
  expect(r.exitCode, r.stderr).toBe(0);
  const [lab] = JSON.parse(r.stdout) as LabSummary[];
  if (lab === undefined) throw new Error(`lab ${name} is not listed`);
  return lab;
}

async function labEnv(name: string): Promise<Record<string, string>> {
  const r = await shoal(['--format', 'json', 'lab', 'env', '--name', name]);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, string>;
}

/** `shoal node ls` with the lab's environment; `host` replaces SHOAL_HOST (one manager alone). */
async function nodeLs(env: Record<string, string>, host?: string): Promise<{ exitCode: number | null; nodes: NodeRow[]; stderr: string }> {
  const r = await shoal(['--format', 'json', 'node', 'ls'], 60_000, host === undefined ? env : { ...env, SHOAL_HOST: host });
  return { exitCode: r.exitCode, nodes: r.exitCode === 0 ? (JSON.parse(r.stdout) as NodeRow[]) : [], stderr: r.stderr };
}

/** Asks `node ls` again until `accept` takes its answer, for at most `timeoutMs`; returns the answer and when it came. */
async function nodeLsUntil(env: Record<string, string>, accept: (nodes: NodeRow[]) => boolean, timeoutMs: number, host?: string): Promise<{ nodes: NodeRow[]; afterMs: number }> {
  const start = systemClock.nowMs();
  let last = '';
  for (let attempt = 0; attempt < 200; attempt++) {
    const r = await nodeLs(env, host);
    if (r.exitCode === 0 && accept(r.nodes)) return { nodes: r.nodes, afterMs: systemClock.nowMs() - start };
    last = r.exitCode === 0 ? JSON.stringify(r.nodes.map((n) => [n.hostname, n.managerStatus])) : r.stderr.trim();
    if (systemClock.nowMs() - start > timeoutMs) break;
    await systemClock.sleep(250);
  }
  throw new Error(`node ls did not give the awaited answer within ${timeoutMs} ms; last: ${last}`);
}

const statuses = (nodes: readonly NodeRow[]): Record<string, string> => Object.fromEntries(nodes.map((n) => [n.hostname, n.managerStatus]));

/** Processes anywhere on the machine whose command line names the lab's folder (its managers). */
function processesOfLab(name: string): string[] {
  const marker = join(DEFAULT_LAB_STATE_DIR, `${name}.d`);
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(marker)) found.push(`${entry} ${cmdline}`);
    } catch {
      // exited while we looked: not a process of the lab any more
    }
  }
  return found;
}

async function expectNothingLeft(name: string): Promise<void> {
  expect(await findLabResources(name), `left behind by lab ${name}`).toEqual({ netns: [], links: [], iptablesRules: [], mounts: [], dirs: [], cgroups: [] });
  expect(existsSync(join(DEFAULT_LAB_STATE_DIR, `${name}.json`))).toBe(false);
  expect(processesOfLab(name)).toEqual([]);
}

async function ping(from: string, to: string): Promise<number | null> {
  return (await runInNetns(from, ['ping', '-c', '1', '-W', '1', to], 10_000)).exitCode;
}

type Spawned = ChildProcessByStdio<null, Readable, Readable>;
const spawned: Spawned[] = [];
function spawnInLab(args: readonly string[]): Spawned {
  const child = shoalSpawn(args);
  spawned.push(child);
  return child;
}

const made: string[] = [];
function newLab(prefix: string): string {
  const name = uniqueLabName(prefix);
  made.push(name);
  return name;
}

afterAll(async () => {
  for (const child of spawned) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await cleanupLabs(made.splice(0));
});

describe('a lab of one manager (root)', () => {
  const name = newLab('m');
  let h1: LabHostPlan;
  let h2: LabHostPlan;
  let env: Record<string, string>;

  beforeAll(async () => {
    const up = await shoal(['lab', 'up', '--name', name, '--managers', '1', '--hosts', '2']);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/^h1: manager up at 198\.1[89]\.\d+\.2:4377$/m);
    [h1, h2] = (await ls(name)).hosts as readonly LabHostPlan[] as [LabHostPlan, LabHostPlan];
    env = await labEnv(name);
  });

  it("runs a manager on h1, named after its host, that the CLI reaches through eval $(shoal lab env)", async () => {
    const lines = await shoal(['lab', 'env', '--name', name]);
    expect(lines.stdout).toBe(
      `export SHOAL_HOST=${h1.address}:4377\nexport SHOAL_TLS_DIR=${DEFAULT_LAB_STATE_DIR}/${name}.d/h1/manager/admin\nexport SHOAL_LAB=${name}\n`,
    );
    // As a user would: the environment from eval, nothing else.
    const script = `eval "$('${process.execPath}' '${shoalBin}' lab env --name ${name})" && '${process.execPath}' '${shoalBin}' --format json node ls`;
    const viaEval = await runUnchecked('sh', ['-c', script], { env: { PATH: process.env['PATH'] ?? '' } });
    expect(viaEval.exitCode, viaEval.stderr).toBe(0);
    const nodes = JSON.parse(viaEval.stdout) as NodeRow[];
    expect(nodes.map((n) => [n.hostname, n.address, n.role, n.managerStatus])).toEqual([['h1', h1.address, 'manager', 'leader']]);
  });

  it('lists each host with its roles: in JSON, and in a ROLES column', async () => {
    const lab = await ls(name);
    expect(lab.hosts.map((h) => [h.name, h.roles, h.linkUp])).toEqual([
      ['h1', ['manager'], true],
      ['h2', [], true],
    ]);
    const table = await shoal(['lab', 'ls', '--name', name]);
    const [header, row1, row2] = table.stdout.split('\n');
    expect(header).toMatch(/^LAB\s+HOST\s+ADDRESS\s+NETNS\s+STATUS\s+ROLES$/);
    expect(row1).toMatch(new RegExp(`^${name}\\s+h1\\s+\\S+\\s+\\S+\\s+ready\\s+manager$`));
    expect(row2).toMatch(new RegExp(`^${name}\\s+h2\\s+\\S+\\s+\\S+\\s+ready$`));
  });

  it('kill is a power loss: no FIN or RST leaves the host, its processes are gone; start brings the same cluster back', async () => {
    const before = await nodeLs(env);
    expect(before.exitCode, before.stderr).toBe(0);
    // An idle TCP connection from h2 to a process in h1: a FIN or RST from h1 would end it.
    const server = spawnInLab(['lab', 'exec', '--name', name, 'h1', '--', process.execPath, '-e', `require('net').createServer(() => {}).listen(9000, () => console.log('listening'))`]);
    await waitForLine(server.stdout, /^listening$/);
    const clientJs = `const s = require('net').connect(9000, '${h1.address}', () => console.log('connected')); s.on('close', () => console.log('closed'))`;
    const client = spawnInLab(['lab', 'exec', '--name', name, 'h2', '--', process.execPath, '-e', clientJs]);
    await waitForLine(client.stdout, /^connected$/);
    const serverExit = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));

    const kill = await shoal(['lab', 'kill', '--name', name, 'h1']);
    expect(kill.exitCode, kill.stderr).toBe(0);
    expect(kill.stderr).toBe('h1: underlay link down, sent SIGKILL to 2 processes\n');
    expect(await serverExit).toBe(128 + 9);
    expect(await managerPids(DEFAULT_LAB_STATE_DIR, name, h1)).toEqual([]);
    // h2 still holds the connection: nothing told it that h1 died.
    const sockets = await runInNetns(h2.netns, ['ss', '-tnH', 'state', 'established', 'dst', `${h1.address}:9000`]);
    expect(sockets.stdout.trim().split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect((await ls(name)).hosts.map((h) => h.linkUp)).toEqual([false, true]);
    const dead = await nodeLs(env);
    expect(dead.exitCode).toBe(1);
    expect(dead.stderr).toMatch(/^shoal: no manager answered \(/);

    const start = await shoal(['lab', 'start', '--name', name, 'h1']);
    expect(start.exitCode, start.stderr).toBe(0);
    expect(start.stderr).toBe('h1: underlay link up, manager running\n');
    // The same data dir: the same cluster and node, and it leads again.
    const after = await nodeLs(env);
    expect(after.exitCode, after.stderr).toBe(0);
    expect(after.nodes.map((n) => [n.id, n.hostname, n.managerStatus])).toEqual(before.nodes.map((n) => [n.id, n.hostname, 'leader']));
    client.kill('SIGKILL');
  });

  it('partition cuts a host off without killing anything; heal puts it back', async () => {
    const pids = await managerPids(DEFAULT_LAB_STATE_DIR, name, h1);
    expect(pids).toHaveLength(1);
    expect(await ping(h2.netns, h1.address)).toBe(0);
    const cut = await shoal(['lab', 'partition', '--name', name, 'h1']);
    expect([cut.exitCode, cut.stderr]).toEqual([0, 'h1: underlay link down\n']);
    expect(await ping(h2.netns, h1.address)).not.toBe(0);
    expect(await ping(h1.netns, h2.address)).not.toBe(0);
    expect((await ls(name)).hosts.map((h) => h.linkUp)).toEqual([false, true]);
    expect(await managerPids(DEFAULT_LAB_STATE_DIR, name, h1)).toEqual(pids);

    const heal = await shoal(['lab', 'heal', '--name', name, 'h1']);
    expect([heal.exitCode, heal.stderr]).toEqual([0, 'h1: underlay link up\n']);
    expect(await ping(h2.netns, h1.address)).toBe(0);
    // The very manager that ran before the partition answers.
    await nodeLsUntil(env, (nodes) => statuses(nodes)['h1'] === 'leader', 30_000);
    expect(await managerPids(DEFAULT_LAB_STATE_DIR, name, h1)).toEqual(pids);
  });

  it('refuses bad input with one line and changes nothing', async () => {
    const pids = await managerPids(DEFAULT_LAB_STATE_DIR, name, h1);
    for (const verb of ['kill', 'start', 'partition', 'heal']) {
      const r = await shoal(['lab', verb, '--name', name, 'h9']);
      expect([r.exitCode, r.stderr], verb).toEqual([1, `shoal: lab ${name} has no host "h9" (hosts: h1, h2)\n`]);
    }
    // A second manager on a data dir whose manager runs: refused before the link or anything is touched.
    const again = await shoal(['lab', 'start', '--name', name, 'h1']);
    expect([again.exitCode, again.stderr]).toEqual([1, `shoal: lab ${name}: the manager of h1 is running (pid ${pids.join(', ')}); kill the host first (shoal lab kill h1)\n`]);

    const other = newLab('m');
    for (const [args, line] of [
      [['--managers', '0'], /^shoal: --managers: "0" is not an integer from 1 to 7\n$/],
      [['--managers', '8', '--hosts', '9'], /^shoal: --managers: "8" is not an integer from 1 to 7\n$/],
      [['--managers', '3', '--hosts', '2'], /^shoal: --managers 3: more than the 2 hosts of --hosts\n$/],
    ] as const) {
      const r = await shoal(['lab', 'up', '--name', other, ...args]);
      expect([r.exitCode, r.stderr], args.join(' ')).toEqual([2, expect.stringMatching(line)]);
    }
    expect(await findLabResources(other)).toEqual({ netns: [], links: [], iptablesRules: [], mounts: [], dirs: [], cgroups: [] });
    const taken = await shoal(['lab', 'up', '--name', name, '--managers', '1']);
    expect([taken.exitCode, taken.stderr]).toEqual([1, `shoal: lab ${name} already exists (see shoal lab ls; remove it with shoal lab down --name ${name})\n`]);

    // Nothing changed: the same manager answers, both links up.
    expect(await managerPids(DEFAULT_LAB_STATE_DIR, name, h1)).toEqual(pids);
    expect((await ls(name)).hosts.map((h) => h.linkUp)).toEqual([true, true]);
    expect(statuses((await nodeLs(env)).nodes)).toEqual({ h1: 'leader' });
  });

  it('down removes everything: processes, namespaces, links, rules, mounts and data dirs', async () => {
    expect(processesOfLab(name)).toHaveLength(1);
    const down = await shoal(['lab', 'down', '--name', name]);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stderr).toBe(`lab ${name} removed: 2 hosts, 3 links, 1 iptables rules, 2 mounts, 1 processes killed\n`);
    await expectNothingLeft(name);
  });
});

describe('a lab of three managers (root)', () => {
  const name = newLab('q');
  let hosts: LabHostPlan[];
  let env: Record<string, string>;

  beforeAll(async () => {
    const up = await shoal(['lab', 'up', '--name', name, '--managers', '3']);
    expect(up.exitCode, up.stderr).toBe(0);
    hosts = [...(await ls(name)).hosts];
    env = await labEnv(name);
  });

  it('lists every manager through eval $(shoal lab env): one leader, two reachable', async () => {
    expect(env['SHOAL_HOST']).toBe(hosts.map((h) => `${h.address}:4377`).join(','));
    const { nodes } = await nodeLs(env);
    expect(nodes.map((n) => [n.hostname, n.address, n.role]).sort()).toEqual(hosts.map((h) => [h.name, h.address, 'manager']));
    expect(Object.values(statuses(nodes)).sort()).toEqual(['leader', 'reachable', 'reachable']);
    expect((await ls(name)).hosts.map((h) => h.roles)).toEqual([['manager'], ['manager'], ['manager']]);
  });

  it("survives the power loss of the leader's host: node ls through SHOAL_HOST answers with another leader; start brings it back", async () => {
    const leader = (await nodeLs(env)).nodes.find((n) => n.managerStatus === 'leader');
    if (leader === undefined) throw new Error('no leader');
    const kill = await shoal(['lab', 'kill', '--name', name, leader.hostname]);
    expect(kill.stderr).toBe(`${leader.hostname}: underlay link down, sent SIGKILL to 1 process\n`);

    const { nodes, afterMs } = await nodeLsUntil(env, (ns) => ns.some((n) => n.managerStatus === 'leader' && n.hostname !== leader.hostname), FAILOVER_ANSWER_MS);
    expect(afterMs).toBeLessThan(FAILOVER_ANSWER_MS);
    expect(nodes).toHaveLength(3);

    const start = await shoal(['lab', 'start', '--name', name, leader.hostname]);
    expect([start.exitCode, start.stderr]).toEqual([0, `${leader.hostname}: underlay link up, manager running\n`]);
    // It answers itself, and counts as a voter again.
    const back = await nodeLs(env, `${leader.address}`);
    expect(back.exitCode, back.stderr).toBe(0);
    expect(['leader', 'reachable']).toContain(statuses(back.nodes)[leader.hostname]);
    await nodeLsUntil(env, (ns) => Object.values(statuses(ns)).sort().join() === 'leader,reachable,reachable', 30_000);
  });

  it('partition of a follower: the others go on answering; heal: it answers again', async () => {
    const { nodes } = await nodeLs(env);
    // The last follower in SHOAL_HOST, so that the CLI meets a live manager first.
    const follower = [...hosts].reverse().find((h) => statuses(nodes)[h.name] === 'reachable');
    if (follower === undefined) throw new Error('no follower');
    const cut = await shoal(['lab', 'partition', '--name', name, follower.name]);
    expect(cut.exitCode, cut.stderr).toBe(0);
    const others = hosts.filter((h) => h !== follower).map((h) => `${h.address}:4377`).join(',');
    await nodeLsUntil(env, (ns) => statuses(ns)[follower.name] === 'unreachable', 30_000, others);
    expect(await ping(follower.netns, (hosts.find((h) => h !== follower) as LabHostPlan).address)).not.toBe(0);

    expect((await shoal(['lab', 'heal', '--name', name, follower.name])).exitCode).toBe(0);
    // Its own manager (never restarted) answers again, as one of three voters.
    const { nodes: healed } = await nodeLsUntil(env, (ns) => Object.values(statuses(ns)).sort().join() === 'leader,reachable,reachable', 30_000, follower.address);
    expect(healed).toHaveLength(3);
  });

  it('down removes every manager and what they had on disk', async () => {
    expect(processesOfLab(name)).toHaveLength(3);
    const down = await shoal(['lab', 'down', '--name', name]);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stderr).toMatch(/3 hosts, 4 links, 1 iptables rules, 3 mounts, 3 processes killed/);
    await expectNothingLeft(name);
  });
});

describe('lab up with managers that do not come up (root)', () => {
  // A stand-in for `shoal` that runs the real one, except for the subcommand under test.
  const failing = (subcommand: string, instead: string): string[] => [
    'sh',
    '-c',
    `if [ "$2" = ${subcommand} ]; then ${instead}; fi; exec '${process.execPath}' '${shoalBin}' "$@"`,
    'shoal',
  ];

  it('names the host whose manager exited, quotes the end of its log, and leaves nothing', async () => {
    const name = newLab('e');
    const progress: string[] = [];
    const up = labUp({ name, hosts: 2, managers: 2, stateDir: DEFAULT_LAB_STATE_DIR, shoalCommand: failing('join', 'echo "join refused: a test" >&2; exit 3'), onProgress: (l) => progress.push(l) });
    await expect(up).rejects.toThrow(
      new RegExp(`^lab ${name}: the manager of h2 did not come up: its process exited \\(exit code 3\\); its log ${DEFAULT_LAB_STATE_DIR}/${name}\\.d/h2/manager\\.log ends: join refused: a test$`),
    );
    // h1 came up; h2, the one that failed, is the one named.
    expect(progress.filter((l) => l.includes('manager'))).toEqual([expect.stringMatching(/^h1: manager up at /)]);
    await expectNothingLeft(name);
  });

  it('gives up on a silent manager after its time, naming the host', async () => {
    const name = newLab('e');
    const up = labUp({ name, hosts: 1, managers: 1, stateDir: DEFAULT_LAB_STATE_DIR, shoalCommand: failing('init', 'echo "stuck" >&2; exec sleep 600'), managerUpTimeoutMs: 1_500 });
    await expect(up).rejects.toThrow(new RegExp(`^lab ${name}: the manager of h1 did not come up: no voter within 1500 ms \\(last: .*\\); its log .* ends: stuck$`));
    await expectNothingLeft(name);
  });
});

describe('lab down with managers (root)', () => {
  it('removes everything after up was killed half-way, its first manager running', async () => {
    const name = newLab('k');
    const up = spawnInLab(['lab', 'up', '--name', name, '--managers', '2']);
    const exited = new Promise<number | null>((resolve) => up.on('exit', (code) => resolve(code)));
    await waitForLine(up.stderr, /^h1: manager up at /);
    up.kill('SIGKILL');
    expect(await exited).toBeNull();
    expect((await ls(name)).status).toBe('partial');
    expect(processesOfLab(name).length).toBeGreaterThanOrEqual(1);

    const down = await shoal(['lab', 'down', '--name', name]);
    expect(down.exitCode, down.stderr).toBe(0);
    await expectNothingLeft(name);
  });

  it('removes a lab of managers whose state file is damaged, by name', async () => {
    const name = newLab('d');
    expect((await shoal(['lab', 'up', '--name', name, '--managers', '1'])).exitCode).toBe(0);
    writeFileSync(join(DEFAULT_LAB_STATE_DIR, `${name}.json`), '{"version": 1, "pla');
    const down = await shoal(['lab', 'down', '--name', name]);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stderr).toMatch(/^shoal: warning: lab \w+: its state file could not be read/);
    expect(down.stderr).toMatch(/1 hosts, 2 links, 1 iptables rules, 1 mounts, 1 processes killed/);
    await expectNothingLeft(name);
  });
});
