// The lab's managers: a real `shoal manager` process per manager host, inside the host (its
// network and UTS namespaces), its data dir and log under the lab's folder (plan.ts, hostPaths).
// h1 runs `init`; the others `join` with the manager token, one after the other (Raft changes
// its membership one server at a time); `start` runs the manager of a data dir again, as after a
// reboot; `joinLabManager` makes one more host a manager later (`shoal lab join-manager`). Each
// waits, bounded in time, until the managers' own `node ls` shows the host as a voter (leader or
// reachable), and a manager that exits or stays silent is reported with the tail of its log.

import type { ChildProcess } from 'node:child_process';
import { appendFile, open, readFile, stat } from 'node:fs/promises';
import type { Cluster__Output } from '../../proto/gen/shoal/control/v1/Cluster.js';
import type { ListNodesResponse__Output } from '../../proto/gen/shoal/control/v1/ListNodesResponse.js';
import { ManagerClient } from '../../cli/manager-client.js';
import { systemClock, type Clock } from '../../shared/clock.js';
import { failedPrecondition, oneLine, unavailable } from '../../shared/errors.js';
import { hostPaths, labEnv, managerAddress, managersNotVoting, type LabHostPlan, type LabPlan, type ManagerNodeView } from './plan.js';
import * as sys from './sys.js';

/** How long one manager may take to answer as a voter after it was started. */
export const LAB_MANAGER_UP_TIMEOUT_MS = 45_000;
/** Between two looks at the managers' `node ls` while waiting. */
export const LAB_MANAGER_POLL_INTERVAL_MS = 250;
/** What of a manager's log goes into the error that says it did not come up. */
export const LAB_LOG_TAIL_LINES = 5;
export const LAB_LOG_TAIL_BYTES_MAX = 8 * 1024;
/** How long a host whose link just came up may take to reach the manager it joins. */
export const LAB_REACH_TIMEOUT_MS = 5_000;
/** How long the processes of a host may take to go once sent SIGKILL. */
export const LAB_KILL_WAIT_MS = 5_000;
/** How many times `kill` lists a host's processes again after killing what it found (a child forked meanwhile). */
export const LAB_KILL_ROUNDS_MAX = 10;

export interface ManagerStartOptions {
  readonly plan: LabPlan;
  readonly stateDir: string;
  /** How to run `shoal` (e.g. [node, /path/to/bin/shoal.js]): the managers are this binary. */
  readonly shoalCommand: readonly string[];
  readonly clock?: Clock;
  readonly timeoutMs?: number;
  readonly onProgress?: (line: string) => void;
  /** The admin bundle to call the managers with: the lab's (`lab env`) unless said. */
  readonly adminTlsDir?: string;
}

/** Starts every manager of the lab and returns once all of them are voters. */
export async function startLabManagers(o: ManagerStartOptions, managers: readonly LabHostPlan[]): Promise<void> {
  const [first, ...others] = managers;
  if (first === undefined) return;
  const up: LabHostPlan[] = [first];
  const init = await startManager(o, first, ['init', '--advertise-addr', managerAddress(first)]);
  await waitForVoters(o, first, init, up, up);
  o.onProgress?.(`${first.name}: manager up at ${managerAddress(first)}`);
  const token = await managerJoinToken(o, first, init);
  for (const host of others) {
    const join = await startManager(o, host, ['join', '--advertise-addr', managerAddress(host), managerAddress(first)], { SHOAL_TOKEN: token });
    up.push(host);
    await waitForVoters(o, host, join, up, up);
    o.onProgress?.(`${host.name}: manager joined at ${managerAddress(host)}`);
  }
}

/**
 * Runs the manager of `host`'s data dir again (`shoal manager --data-dir D`) and returns once it
 * answers `node ls` itself and shows itself a voter: it found a leader and is one of the voters.
 */
export async function restartManager(o: ManagerStartOptions, host: LabHostPlan): Promise<void> {
  const child = await startManager(o, host, []);
  await waitForVoters(o, host, child, [host], [host]);
}

/**
 * Makes `host` one more manager of the cluster that `managers` run: `shoal manager join` inside
 * it, with the cluster's manager token as it is now (read through the lab's admin bundle), sent
 * to the leader (a follower would name it). Returns once the managers list `host` as a voter.
 */
export async function joinLabManager(o: ManagerStartOptions, managers: readonly LabHostPlan[], host: LabHostPlan): Promise<void> {
  const { token, leaderAddress } = await withClient(o, managers, async (c) => {
    const cluster = await c.call<Cluster__Output>('GetCluster', {});
    const { nodes } = await c.call<ListNodesResponse__Output>('ListNodes', {});
    return { token: cluster.managerJoinToken, leaderAddress: nodes.find((n) => n.leaderStatus === 'leader')?.description?.advertiseAddress };
  }).catch((err: unknown) => {
    throw unavailable('lab.no_manager', `lab ${o.plan.name}: ${host.name} cannot join: the lab's managers did not give the manager token (${oneLine(err)})`);
  });
  const target = managers.find((m) => m.address === leaderAddress) ?? managers[0];
  if (target === undefined || token === '') throw failedPrecondition('lab.no_managers', `lab ${o.plan.name}: ${host.name} cannot join: no manager token to join with`);
  await waitUntilReaches(o, host, target);
  const logFrom = await stat(hostPaths(o.stateDir, o.plan.name, host.name).managerLog).then((st) => st.size, () => 0);
  const child = await startManager(o, host, ['join', '--advertise-addr', managerAddress(host), managerAddress(target)], { SHOAL_TOKEN: token });
  await waitForVoters(o, host, child, [...managers, host], [host]);
  await waitForJoinedLine(o, host, child, logFrom);
}

/**
 * The joiner's own word that it is a voter (`... joined cluster ... as a manager.` in its log).
 * The managers' list alone cannot tell a host's new manager from its old one at the same address:
 * a killed manager's last heartbeats, left in its host's kernel while the link was down, arrive
 * when the link comes back and show the old one reachable for a moment.
 */
async function waitForJoinedLine(o: ManagerStartOptions, host: LabHostPlan, child: ChildProcess, logFrom: number): Promise<void> {
  const clock = o.clock ?? systemClock;
  const deadline = clock.nowMs() + (o.timeoutMs ?? LAB_MANAGER_UP_TIMEOUT_MS);
  const exit = exitOf(child);
  const logPath = hostPaths(o.stateDir, o.plan.name, host.name).managerLog;
  for (;;) {
    const exited = exit.code();
    if (exited !== undefined) throw await notUp(o, host, `its process exited (${exited})`);
    const text = await readFile(logPath).then((b) => b.subarray(logFrom).toString(), () => '');
    if (/joined cluster \S+ as a manager\./.test(text)) return;
    if (clock.nowMs() >= deadline) throw await notUp(o, host, `it did not say it joined as a voter within ${durationText(o.timeoutMs ?? LAB_MANAGER_UP_TIMEOUT_MS)}`);
    await clock.sleep(LAB_MANAGER_POLL_INTERVAL_MS);
  }
}

/**
 * Waits, bounded, until `host` gets an answer from `peer` (ping), as a host's boot waits for its
 * network before a join: the first packets of a host whose link just came up back can fail at once
 * (connect: EHOSTUNREACH, the neighbour entry having failed while the link was down), and a join
 * tries once.
 */
async function waitUntilReaches(o: ManagerStartOptions, host: LabHostPlan, peer: LabHostPlan): Promise<void> {
  const clock = o.clock ?? systemClock;
  const deadline = clock.nowMs() + LAB_REACH_TIMEOUT_MS;
  for (;;) {
    if ((await sys.runInNetns(host.netns, ['ping', '-c', '1', '-W', '1', peer.address], LAB_REACH_TIMEOUT_MS)).exitCode === 0) return;
    if (clock.nowMs() >= deadline) throw unavailable('lab.unreachable', `lab ${o.plan.name}: ${host.name} cannot reach ${peer.name} (${peer.address}): no answer to ping within ${durationText(LAB_REACH_TIMEOUT_MS)}`);
    await clock.sleep(LAB_MANAGER_POLL_INTERVAL_MS);
  }
}

/** Pids of the processes that run `host`'s manager (the one of its data dir). */
export async function managerPids(stateDir: string, lab: string, host: LabHostPlan): Promise<number[]> {
  const dataDir = hostPaths(stateDir, lab, host.name).managerDataDir;
  const pids: number[] = [];
  for (const pid of await sys.pidsInNetns(host.netns)) {
    const argv = (await sys.commandLineOf(pid)) ?? [];
    if (argv.some((a, i) => a === dataDir && argv[i - 1] === '--data-dir')) pids.push(pid);
  }
  return pids;
}

/** `shoal manager [init|join] --data-dir D ...` inside the host, its output appended to its log. */
async function startManager(o: ManagerStartOptions, host: LabHostPlan, subcommand: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<ChildProcess> {
  const paths = hostPaths(o.stateDir, o.plan.name, host.name);
  const [sub] = subcommand;
  const what = sub === 'init' || sub === 'join' ? `shoal manager ${sub}` : 'shoal manager';
  // A line per start, so that a log kept across restarts reads in episodes (never the token).
  await appendFile(paths.managerLog, `# ${new Date((o.clock ?? systemClock).wallMs()).toISOString()} shoal lab: ${what} --data-dir ${paths.managerDataDir}\n`, { mode: 0o600 });
  const argv = [...o.shoalCommand, 'manager', ...subcommand, '--data-dir', paths.managerDataDir];
  return sys.spawnDaemon({ netns: host.netns, utsFile: paths.uts }, argv, paths.managerLog, env);
}

/**
 * Polls `node ls` through the managers `via` (the admin bundle of the lab's first manager) until
 * every host of `expected` is a voter. Fails fast when `child` exits, and at the deadline; either
 * way naming `host` and quoting the end of its log.
 */
async function waitForVoters(o: ManagerStartOptions, host: LabHostPlan, child: ChildProcess, via: readonly LabHostPlan[], expected: readonly LabHostPlan[]): Promise<void> {
  const clock = o.clock ?? systemClock;
  const timeoutMs = o.timeoutMs ?? LAB_MANAGER_UP_TIMEOUT_MS;
  const deadline = clock.nowMs() + timeoutMs;
  const exit = exitOf(child);
  let last = 'no answer yet';
  for (;;) {
    const exited = exit.code();
    if (exited !== undefined) throw await notUp(o, host, `its process exited (${exited})`);
    try {
      const nodes = await listNodes(o, via);
      const missing = managersNotVoting(expected, nodes);
      if (missing.length === 0) return;
      last = `not a voter yet: ${missing.map((h) => h.name).join(', ')}`;
    } catch (err) {
      last = oneLine(err);
    }
    if (clock.nowMs() >= deadline) throw await notUp(o, host, `no voter within ${durationText(timeoutMs)} (last: ${last})`);
    await clock.sleep(LAB_MANAGER_POLL_INTERVAL_MS);
  }
}

/** The manager token, once the first leader wrote the cluster object. */
async function managerJoinToken(o: ManagerStartOptions, first: LabHostPlan, child: ChildProcess): Promise<string> {
  const clock = o.clock ?? systemClock;
  const deadline = clock.nowMs() + (o.timeoutMs ?? LAB_MANAGER_UP_TIMEOUT_MS);
  const exit = exitOf(child);
  let last = 'no answer yet';
  for (;;) {
    const exited = exit.code();
    if (exited !== undefined) throw await notUp(o, first, `its process exited (${exited})`);
    try {
      const token = (await withClient(o, [first], (c) => c.call<Cluster__Output>('GetCluster', {}))).managerJoinToken;
      if (token !== '') return token;
      last = 'the cluster has no manager token yet';
    } catch (err) {
      last = oneLine(err);
    }
    if (clock.nowMs() >= deadline) throw await notUp(o, first, `no manager join token (last: ${last})`);
    await clock.sleep(LAB_MANAGER_POLL_INTERVAL_MS);
  }
}

async function listNodes(o: ManagerStartOptions, via: readonly LabHostPlan[]): Promise<ManagerNodeView[]> {
  const { nodes } = await withClient(o, via, (c) => c.call<ListNodesResponse__Output>('ListNodes', {}));
  return nodes.map((n) => ({ address: n.description?.advertiseAddress ?? '', role: n.role, managerStatus: n.leaderStatus }));
}

/**
 * A fresh client per look: a gRPC channel that failed to connect backs off for longer and longer,
 * and would hide a manager that has just started listening.
 */
export async function withClient<T>(o: ManagerStartOptions, via: readonly LabHostPlan[], call: (c: ManagerClient) => Promise<T>): Promise<T> {
  const client = await ManagerClient.connect({ host: via.map(managerAddress).join(','), tlsDir: o.adminTlsDir ?? labEnv(o.plan, o.stateDir).SHOAL_TLS_DIR });
  try {
    return await call(client);
  } finally {
    client.close();
  }
}

export const durationText = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

export function exitOf(child: ChildProcess): { code: () => string | undefined } {
  let code: string | undefined;
  const describe = (c: number | null, s: NodeJS.Signals | null): string => (s !== null ? `killed by ${s}` : `exit code ${c}`);
  if (child.exitCode !== null || child.signalCode !== null) code = describe(child.exitCode, child.signalCode);
  child.once('exit', (c, s) => (code = describe(c, s)));
  return { code: () => code };
}

async function notUp(o: ManagerStartOptions, host: LabHostPlan, why: string): Promise<Error> {
  const log = hostPaths(o.stateDir, o.plan.name, host.name).managerLog;
  return unavailable('lab.manager_not_up', `lab ${o.plan.name}: the manager of ${host.name} did not come up: ${why}; its log ${log} ends: ${await logTail(log)}`);
}

/** The end of a log file, as `readableLogTail` shows it. */
export async function logTail(path: string): Promise<string> {
  try {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, LAB_LOG_TAIL_BYTES_MAX);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      return readableLogTail(buffer.toString('utf8'));
    } finally {
      await handle.close();
    }
  } catch (err) {
    return `(unreadable: ${oneLine(err)})`;
  }
}

/**
 * The last lines of a log on one line, pino's JSON lines shown as their message (and error),
 * other lines (nsenter's, the CLI's) as they are; the lab's own `# ...` lines left out.
 */
export function readableLogTail(text: string, lines = LAB_LOG_TAIL_LINES): string {
  const kept = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('# '));
  const shown = kept.slice(-lines).map(readableLogLine);
  return shown.length === 0 ? '(empty)' : shown.join(' | ');
}

function readableLogLine(line: string): string {
  try {
    const entry = JSON.parse(line) as { msg?: unknown; err?: unknown };
    if (typeof entry.msg === 'string') return entry.err === undefined ? entry.msg : `${entry.msg}: ${typeof entry.err === 'string' ? entry.err : JSON.stringify(entry.err)}`;
  } catch {
    // not JSON: a line of nsenter or of the CLI, shown as it is
  }
  return line.trim();
}

/** Refuses to start a second manager on a data dir whose manager runs (both would write its Raft log). */
export async function checkManagerStopped(stateDir: string, lab: string, host: LabHostPlan): Promise<void> {
  const pids = await managerPids(stateDir, lab, host);
  if (pids.length > 0) {
    throw failedPrecondition('lab.manager_running', `lab ${lab}: the manager of ${host.name} is running (pid ${pids.join(', ')}); kill the host first (shoal lab kill ${host.name})`);
  }
}
