// `shoal agent --token T --advertise IP --discover` on a lab (root): a lab of one manager and a
// spare host (`lab up --managers 1 --hosts 2`), the manager announcing itself by multicast DNS on
// the lab's bridge as every manager does by default. Inside h2, an agent given only the worker
// token finds h1's manager, joins, and h2 shows Ready in `node ls`; restarted without a token it
// resumes from its data dir with nothing to discover. A token of another cluster (a made-up CA
// fingerprint) finds none, says so in one line and leaves nothing; --discover beside managers,
// with --standalone, or without a token is refused in one line. The agent runs in h2's folder
// (its data dir, socket and cgroups are the lab's), so `lab down` removes whatever a failed test
// leaves; the agent process is stopped by its pid in afterAll too.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../shared/clock.js';
import { runUnchecked } from '../shared/exec.js';
import { formatJoinToken } from '../shared/join-token.js';
import { cleanupLabs, shoal, shoalBin, uniqueLabName } from './helpers.js';
import { hostNamespaces, readLab } from './lab/lab.js';
import { hostPaths, type LabHostPlan } from './lab/plan.js';
import { DEFAULT_LAB_STATE_DIR } from './lab/state.js';
import { netnsPath } from './lab/sys.js';

type NodeRow = { hostname: string; status: string; role: string };

const name = uniqueLabName('d');
const children: ChildProcess[] = [];
let h1: LabHostPlan;
let h2: LabHostPlan;
let env: Record<string, string>;
let workerToken = '';

/** nsenter's arguments that put a command in h2 (its network and UTS namespaces), as `lab exec` does. */
function inH2(argv: readonly string[]): string[] {
  const ns = hostNamespaces(DEFAULT_LAB_STATE_DIR, name, h2);
  return [`--net=${netnsPath(ns.netns)}`, ...(ns.utsFile !== undefined ? [`--uts=${ns.utsFile}`] : []), '--', process.execPath, shoalBin, ...argv];
}

const agentArgs = (dataDir: string, socket: string): string[] => ['agent', '--data-dir', dataDir, '--socket', socket, '--advertise', h2.address, '--discover'];

/** Starts an agent inside h2, its output appended to `log`; stopped in afterAll whatever happens. */
async function startAgentInH2(argv: readonly string[], log: string, extraEnv: Record<string, string>): Promise<ChildProcess> {
  const file = await open(log, 'a', 0o600);
  try {
    const child = spawn('nsenter', inH2(argv), { stdio: ['ignore', file.fd, file.fd], env: envWith(extraEnv) });
    children.push(child);
    return child;
  } finally {
    await file.close();
  }
}

/** SIGTERM, then SIGKILL after 15 s; resolves once it exited. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function json<T>(args: readonly string[]): Promise<T> {
  const r = await shoal(['--format', 'json', ...args], 60_000, env);
  if (r.exitCode !== 0) throw new Error(`shoal ${args.join(' ')}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as T;
}

/** Asks again until `accept` takes the answer: 40 s at most, every 250 ms; fails early when `alive` says the agent died. */
async function until<T>(what: string, get: () => Promise<T>, accept: (v: T) => boolean, alive: () => boolean): Promise<T> {
  const deadline = systemClock.nowMs() + 40_000;
  let last: unknown;
  for (let attempt = 0; attempt < 400 && systemClock.nowMs() < deadline; attempt++) {
    if (!alive()) throw new Error(`${what}: the agent exited`);
    try {
      last = await get();
      if (accept(last as T)) return last as T;
    } catch (err) {
      last = (err as Error).message;
    }
    await systemClock.sleep(250);
  }
  throw new Error(`${what} did not happen; last: ${JSON.stringify(last)}`);
}

const lastLine = (text: string): string => text.trim().split('\n').at(-1) ?? '';

/** The test's environment without a token (the CLI would read SHOAL_TOKEN), plus `extra`. */
function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  delete base['SHOAL_TOKEN'];
  return { ...base, ...extra };
}

beforeAll(async () => {
  const up = await shoal(['lab', 'up', '--name', name, '--managers', '1', '--hosts', '2']);
  expect(up.exitCode, up.stderr).toBe(0);
  [h1, h2] = (await readLab(DEFAULT_LAB_STATE_DIR, name)).plan.hosts as [LabHostPlan, LabHostPlan];
  env = JSON.parse((await shoal(['--format', 'json', 'lab', 'env', '--name', name])).stdout) as Record<string, string>;
  const t = await shoal(['cluster', 'join-token', 'worker', '--quiet'], 60_000, env);
  expect(t.exitCode, t.stderr).toBe(0);
  workerToken = t.stdout.trim();
});

afterAll(async () => {
  try {
    await Promise.all(children.map(stop));
  } finally {
    await cleanupLabs([name]);
  }
});

describe('shoal agent --discover on a lab (root)', () => {
  it("a token of another cluster finds no manager: one line naming the interface and the wait, and nothing made", async () => {
    const dataDir = join(hostPaths(DEFAULT_LAB_STATE_DIR, name, 'h2').dir, 'agent-other');
    const otherCluster = formatJoinToken({ fingerprint: '0'.repeat(50), secret: '0'.repeat(25) });
    const started = systemClock.nowMs();
    const r = await runUnchecked('nsenter', inH2(agentArgs(dataDir, `${dataDir}.sock`)), { timeoutMs: 30_000, env: envWith({ SHOAL_TOKEN: otherCluster }) });
    expect(r.exitCode).not.toBe(0);
    expect(lastLine(r.stderr)).toBe(`shoal: no manager of this cluster answered on ${h2.interfaceName} within 2 s (1 of another cluster did); give their addresses instead`);
    expect(r.stderr).toContain(`"manager":"${h1.address}:4377"`); // h1 answered, and was logged as another cluster's
    expect(r.stderr).toMatch(/a manager of another cluster answered/);
    expect(systemClock.nowMs() - started).toBeLessThan(20_000);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses --discover beside managers, with --standalone, and without a token, in one line each', async () => {
    const dataDir = join(hostPaths(DEFAULT_LAB_STATE_DIR, name, 'h2').dir, 'agent-refused');
    const cases: [string[], Record<string, string>, RegExp][] = [
      // The managers before the flags: `--discover X` would read X as the flag's true|false.
      [['agent', `${h1.address}:4377`, ...agentArgs(dataDir, `${dataDir}.sock`).slice(1)], { SHOAL_TOKEN: workerToken }, /^shoal: agent: --discover or the managers \(.+\), not both: --discover looks for them$/],
      [[...agentArgs(dataDir, `${dataDir}.sock`), '--standalone'], {}, /^shoal: agent: --discover finds managers to join; a --standalone agent has none$/],
      [agentArgs(dataDir, `${dataDir}.sock`), {}, /^shoal: --discover: needs --token \(the worker token names the cluster to look for\); this agent has not joined one \(no .+node\.json\)$/],
    ];
    for (const [argv, extra, line] of cases) {
      const r = await runUnchecked('nsenter', inH2(argv), { timeoutMs: 30_000, env: envWith(extra) });
      expect(r.exitCode, argv.join(' ')).not.toBe(0);
      expect(r.stderr.trim()).toMatch(line);
      expect(existsSync(dataDir)).toBe(false);
    }
  });

  it('the worker token alone is enough: the agent finds h1 on the LAN, joins, and h2 is Ready in node ls', async () => {
    const paths = hostPaths(DEFAULT_LAB_STATE_DIR, name, 'h2');
    const agent = await startAgentInH2(agentArgs(paths.agentDataDir, paths.agentSocket), paths.agentLog, { SHOAL_TOKEN: workerToken });
    const alive = (): boolean => agent.exitCode === null && agent.signalCode === null;
    const nodes = await until('h2 ready', () => json<NodeRow[]>(['node', 'ls']), (ns) => ns.some((n) => n.hostname === 'h2' && n.status === 'ready'), alive);
    expect(nodes.map((n) => [n.hostname, n.role]).sort()).toEqual([
      ['h1', 'manager'],
      ['h2', 'worker'],
    ]);
    const log = readFileSync(paths.agentLog, 'utf8');
    expect(log).toContain(`"managers":["${h1.address}:4377"],"msg":"managers found by multicast DNS"`);
    const identity = JSON.parse(readFileSync(join(paths.agentDataDir, 'cluster', 'node.json'), 'utf8')) as { managers: string[] };
    expect(identity.managers).toEqual([`${h1.address}:4377`]);

    // A restart needs neither the token nor the LAN: it knows its managers.
    await stop(agent);
    const from = readFileSync(paths.agentLog, 'utf8').length;
    const again = await startAgentInH2(agentArgs(paths.agentDataDir, paths.agentSocket), paths.agentLog, {});
    await until(
      'h2 ready after the restart',
      async () => readFileSync(paths.agentLog, 'utf8').slice(from),
      (text) => /"msg":"session with the managers"/.test(text),
      () => again.exitCode === null && again.signalCode === null,
    );
    const restartLog = readFileSync(paths.agentLog, 'utf8').slice(from);
    expect(restartLog).toMatch(/this agent kept its membership: it knows its managers, nothing to discover/);
    expect(restartLog).not.toMatch(/looking for managers/);
    await until('h2 ready', () => json<NodeRow[]>(['node', 'ls']), (ns) => ns.some((n) => n.hostname === 'h2' && n.status === 'ready'), () => again.exitCode === null);
  });
});
