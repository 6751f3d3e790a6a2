// A cluster lab through the real CLI (root): `lab up --managers 1 --workers 1` returns with an
// agent on each host — h1 the manager's own node, h2 a worker — both Ready in `node ls`, and a
// registry on the lab's gateway holding busybox (`lab env`: SHOAL_REGISTRY). Containers run
// through the managers from that registry; `lab kill` of the worker is a power loss for all it
// ran — agent, shim and containers, in namespaces of their own, all gone — while h1's container
// runs on; `lab start` brings its agent back (its node Ready again, no token), and the manager's
// host's manager and agent after its own kill; `lab down` after another kill leaves nothing: no
// process, container, mount, namespace, cgroup or rule. An agent
// that does not come up fails `up` in one line naming its host and quoting its log, leaving
// nothing. One lab for the file's first describe, shared by its tests in order.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUnchecked } from '../shared/exec.js';
import { RuntimeClient } from '../shared/runtime-client.js';
import { agentPids, hostAgentKey } from './lab/agents.js';
import { cleanupLabs, shoal, until, shoalBin, uniqueLabName } from './helpers.js';
import { findLabResources, labUp, type LabSummary } from './lab/lab.js';
import { hostPaths, type LabHostPlan } from './lab/plan.js';
import { DEFAULT_LAB_STATE_DIR } from './lab/state.js';
import { pidsInAgentCgroups, pidsInNetns, processGone } from './lab/sys.js';

type NodeRow = { hostname: string; status: string; role: string; managerStatus: string };
type PsRow = { id: string; name: string; node: string; state: string };

const made: string[] = [];
const clients: RuntimeClient[] = [];
function newLab(prefix: string): string {
  const name = uniqueLabName(prefix);
  made.push(name);
  return name;
}
afterAll(async () => {
  for (const c of clients) c.close();
  await cleanupLabs(made.splice(0));
});

async function ls(name: string): Promise<LabSummary> {
  const r = await shoal(['lab', 'ls', '--name', name, '--format', 'json']);
  expect(r.exitCode, r.stderr).toBe(0);
  const [lab] = JSON.parse(r.stdout) as LabSummary[];
  if (lab === undefined) throw new Error(`lab ${name} is not listed`);
  return lab;
}

/** `shoal --format json ARGS` with the lab's environment (as after eval "$(shoal lab env)"). */
async function json<T>(env: Record<string, string>, args: readonly string[]): Promise<T> {
  const r = await shoal(['--format', 'json', ...args], 60_000, env);
  if (r.exitCode !== 0) throw new Error(`shoal ${args.join(' ')}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as T;
}

/** Processes anywhere on the machine whose command line names the lab's folder (its daemons, shims, registry). */
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

/**
 * The live ones of `pids`, each with its command line, for a failure message that says what was
 * left. A zombie is not one: it runs nothing and holds nothing, and waits for its new parent (the
 * machine's init, once its shim died) to reap it.
 */
async function alive(pids: readonly number[]): Promise<string[]> {
  const live: number[] = [];
  for (const pid of pids) if (!(await processGone(pid))) live.push(pid);
  return live.map((pid) => {
    try {
      return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`;
    } catch {
      return `${pid} gone`;
    }
  });
}

async function expectNothingLeft(name: string, keys: ReadonlySet<string>): Promise<void> {
  expect(await findLabResources(name), `left behind by lab ${name}`).toEqual({ netns: [], links: [], iptablesRules: [], mounts: [], dirs: [], cgroups: [] });
  expect(processesOfLab(name)).toEqual([]);
  expect(await alive(await pidsInAgentCgroups(keys))).toEqual([]);
  const mounts = await runUnchecked('findmnt', ['-rn', '-o', 'TARGET']);
  expect(mounts.stdout.split('\n').filter((m) => m.includes(`/${name}.d/`))).toEqual([]);
}

describe('a cluster lab of one manager and one worker (root)', () => {
  const name = newLab('c');
  let h1: LabHostPlan;
  let h2: LabHostPlan;
  let env: Record<string, string>;
  let upStderr = '';
  const containerPids: Record<string, number> = {};

  beforeAll(async () => {
    const up = await shoal(['lab', 'up', '--name', name, '--managers', '1', '--workers', '1']);
    expect(up.exitCode, up.stderr).toBe(0);
    upStderr = up.stderr;
    [h1, h2] = (await ls(name)).hosts as readonly LabHostPlan[] as [LabHostPlan, LabHostPlan];
    const e = await shoal(['--format', 'json', 'lab', 'env', '--name', name]);
    env = JSON.parse(e.stdout) as Record<string, string>;
  });

  it('runs an agent on every host and a registry on the gateway; every node Ready in node ls', async () => {
    expect(upStderr).toMatch(/^registry up at 198\.1[89]\.\d+\.1:5001 \(plain HTTP\), holding 198\.1[89]\.\d+\.1:5001\/shoal\/busybox:latest$/m);
    expect(upStderr).toMatch(/^h1: agent up, node ready$/m);
    expect(upStderr).toMatch(/^h2: agent up, node ready$/m);
    expect((await ls(name)).hosts.map((h) => [h.name, h.roles])).toEqual([
      ['h1', ['manager', 'agent']],
      ['h2', ['agent']],
    ]);
    expect(env['SHOAL_REGISTRY']).toMatch(/^198\.1[89]\.\d+\.1:5001$/);
    const lines = await shoal(['lab', 'env', '--name', name]);
    expect(lines.stdout).toContain(`export SHOAL_REGISTRY=${env['SHOAL_REGISTRY']}\n`);
    const nodes = await json<NodeRow[]>(env, ['node', 'ls']);
    expect(nodes.map((n) => [n.hostname, n.role, n.status]).sort()).toEqual([
      ['h1', 'manager', 'ready'],
      ['h2', 'worker', 'ready'],
    ]);
    expect((await agentPids(DEFAULT_LAB_STATE_DIR, name, h1)).length).toBe(1);
    expect((await agentPids(DEFAULT_LAB_STATE_DIR, name, h2)).length).toBe(1);
  });

  it('runs containers from the lab registry through the managers: running in ps, each on its node', async () => {
    const image = `${env['SHOAL_REGISTRY']}/shoal/busybox`;
    for (const [task, where] of [
      ['x', []],
      ['onw', ['--constraint', 'node.hostname==h2']],
      ['onm', ['--constraint', 'node.hostname==h1']],
    ] as const) {
      const r = await shoal(['run', '-d', '--name', task, ...where, image, 'sleep', '1000'], 60_000, env);
      expect(r.exitCode, r.stderr).toBe(0);
    }
    const rows = await until(
      'x, onw and onm running',
      () => json<PsRow[]>(env, ['ps']),
      (ps) => ['x', 'onw', 'onm'].every((n) => ps.some((t) => t.name === n && t.state === 'running')),
    );
    const byName = Object.fromEntries(rows.map((t) => [t.name, t]));
    expect(['h1', 'h2']).toContain(byName['x']?.node);
    expect([byName['onw']?.node, byName['onm']?.node]).toEqual(['h2', 'h1']);
    for (const [task, host] of [['onw', h2], ['onm', h1]] as const) {
      const client = new RuntimeClient(hostPaths(DEFAULT_LAB_STATE_DIR, name, host.name).agentSocket);
      clients.push(client);
      const c = await client.get(task);
      expect(c.state).toBe('running');
      expect(await processGone(c.pid)).toBe(false);
      containerPids[task] = c.pid;
    }
    // The containers have namespaces of their own: the host's namespace does not list them, its agent's cgroups do.
    expect(await pidsInNetns(h2.netns)).not.toContain(containerPids['onw']);
    expect(await pidsInAgentCgroups(new Set([hostAgentKey(DEFAULT_LAB_STATE_DIR, name, h2)]))).toContain(containerPids['onw']);
  });

  it("kill of the worker is a power loss for all it ran: agent, shim and container gone; h1's container runs on", async () => {
    const kill = await shoal(['lab', 'kill', '--name', name, 'h2']);
    expect(kill.exitCode, kill.stderr).toBe(0);
    // The agent and its shim in the host's namespace, the container (sleep) in its own.
    expect(kill.stderr).toMatch(/^h2: underlay link down, sent SIGKILL to \d+ processes\n$/);
    expect(await processGone(containerPids['onw'] as number)).toBe(true);
    expect(await alive(await pidsInNetns(h2.netns))).toEqual([]);
    expect(await alive(await pidsInAgentCgroups(new Set([hostAgentKey(DEFAULT_LAB_STATE_DIR, name, h2)])))).toEqual([]);
    expect(await processGone(containerPids['onm'] as number)).toBe(false);
    expect((await ls(name)).hosts.map((h) => h.linkUp)).toEqual([true, false]);
    await until('h2 down', () => json<NodeRow[]>(env, ['node', 'ls']), (ns) => ns.some((n) => n.hostname === 'h2' && n.status === 'down'));
  });

  it('start brings the worker back: its agent again on its data dir, its node Ready; a second start is refused', async () => {
    const start = await shoal(['lab', 'start', '--name', name, 'h2']);
    expect([start.exitCode, start.stderr]).toEqual([0, 'h2: underlay link up, agent running\n']);
    const nodes = await json<NodeRow[]>(env, ['node', 'ls']);
    expect(nodes.filter((n) => n.hostname === 'h2').map((n) => n.status)).toEqual(['ready']);
    const pids = await agentPids(DEFAULT_LAB_STATE_DIR, name, h2);
    expect(pids).toHaveLength(1);
    const again = await shoal(['lab', 'start', '--name', name, 'h2']);
    expect([again.exitCode, again.stderr]).toEqual([1, `shoal: lab ${name}: the agent of h2 is running (pid ${pids.join(', ')}); kill the host first (shoal lab kill h2)\n`]);
  });

  it("kill and start of the manager's host: manager, agent and container gone; both back, the node Ready and leading", async () => {
    const kill = await shoal(['lab', 'kill', '--name', name, 'h1']);
    expect(kill.exitCode, kill.stderr).toBe(0);
    expect(await processGone(containerPids['onm'] as number)).toBe(true);
    expect(await alive(await pidsInNetns(h1.netns))).toEqual([]);
    expect(await alive(await pidsInAgentCgroups(new Set([hostAgentKey(DEFAULT_LAB_STATE_DIR, name, h1)])))).toEqual([]);
    const start = await shoal(['lab', 'start', '--name', name, 'h1']);
    expect([start.exitCode, start.stderr]).toEqual([0, 'h1: underlay link up, manager and agent running\n']);
    expect((await agentPids(DEFAULT_LAB_STATE_DIR, name, h1)).length).toBe(1);
    // h1 at once (start awaited it); h2's agent finds the manager back by itself.
    const nodes = await until('h2 ready again', () => json<NodeRow[]>(env, ['node', 'ls']), (ns) => ns.some((n) => n.hostname === 'h2' && n.status === 'ready'));
    expect(nodes.map((n) => [n.hostname, n.status, n.managerStatus]).sort()).toEqual([
      ['h1', 'ready', 'leader'],
      ['h2', 'ready', ''],
    ]);
  });

  it('refuses bad input with one line and changes nothing', async () => {
    const join = await shoal(['lab', 'join-manager', '--name', name, 'h2']);
    expect([join.exitCode, join.stderr]).toEqual([1, `shoal: lab ${name}: h2 runs an agent, a worker of the cluster; join-manager takes a host that runs none (a spare host of --hosts)\n`]);
    const other = newLab('c');
    for (const [args, line] of [
      [['--workers', '1'], "shoal: --workers: needs --managers (the workers join the managers' cluster)\n"],
      [['--managers', '1', '--workers', '1', '--hosts', '3'], 'shoal: --hosts: not with --workers (a cluster has --managers + --workers hosts)\n'],
      [['--managers', '1', '--workers', '-1'], 'shoal: --workers: "-1" is not an integer from 0 to 63\n'],
    ] as const) {
      const r = await shoal(['lab', 'up', '--name', other, ...args]);
      expect([r.exitCode, r.stderr], args.join(' ')).toEqual([2, line]);
    }
    expect(await findLabResources(other)).toEqual({ netns: [], links: [], iptablesRules: [], mounts: [], dirs: [], cgroups: [] });
    expect((await agentPids(DEFAULT_LAB_STATE_DIR, name, h2)).length).toBe(1);
  });

  it('down after another kill leaves nothing: no process, container, mount, namespace, cgroup or rule', async () => {
    expect((await shoal(['lab', 'kill', '--name', name, 'h2'])).exitCode).toBe(0);
    const keys = new Set([h1, h2].map((h) => hostAgentKey(DEFAULT_LAB_STATE_DIR, name, h)));
    const down = await shoal(['lab', 'down', '--name', name]);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stderr).toMatch(new RegExp(`^lab ${name} removed: 2 hosts, 3 links, 1 iptables rules, \\d+ mounts, \\d+ processes killed, \\d+ cgroups\\n$`));
    expect(await processGone(containerPids['onm'] as number)).toBe(true);
    await expectNothingLeft(name, keys);
  });
});

describe('lab up with agents that do not come up (root)', () => {
  it('names the host whose agent exited, quotes the end of its log, and leaves nothing', async () => {
    const name = newLab('e');
    // A stand-in for `shoal` that runs the real one, except for the agents.
    const failing = ['sh', '-c', `if [ "$1" = agent ]; then echo "agent refused: a test" >&2; exit 3; fi; exec '${process.execPath}' '${shoalBin}' "$@"`, 'shoal'];
    const up = labUp({ name, hosts: 0, managers: 1, workers: 1, stateDir: DEFAULT_LAB_STATE_DIR, shoalCommand: failing });
    await expect(up).rejects.toThrow(
      new RegExp(`^lab ${name}: the agent of h[12] did not come up: its process exited \\(exit code 3\\); its log ${DEFAULT_LAB_STATE_DIR}/${name}\\.d/h[12]/agent\\.log ends: agent refused: a test$`),
    );
    const keys = new Set(['h1', 'h2'].map((h) => hostAgentKey(DEFAULT_LAB_STATE_DIR, name, { name: h } as LabHostPlan)));
    await expectNothingLeft(name, keys);
  });
});
