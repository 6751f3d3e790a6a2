// A cluster lab's agents: a real `shoal agent` in every host (plan.ts, agentArgs), inside the
// host's network and UTS namespaces, in a session of its own so that it outlives `lab up`, its
// data dir, socket and log in the host's folder — so its cgroups are its own too
// (`/shoal/<agentKey(data dir)>`), which is how `kill` and `down` find its shim's and containers'
// processes, in namespaces of their own. On a manager's host the agent is the manager's node;
// a worker joins with the worker token (read through the lab's admin bundle, passed in the
// environment) and keeps its membership in its data dir, so a restart needs no token. Each start
// is awaited, bounded, until the agent says its session opened and `node ls` shows the host ready.

import type { ChildProcess } from 'node:child_process';
import { appendFile, readFile, stat } from 'node:fs/promises';
import type { Cluster__Output } from '../../proto/gen/shoal/control/v1/Cluster.js';
import type { ListNodesResponse__Output } from '../../proto/gen/shoal/control/v1/ListNodesResponse.js';
import { agentKey } from '../../agent/runtime/supervisor.js';
import { systemClock } from '../../shared/clock.js';
import { failedPrecondition, oneLine, unavailable } from '../../shared/errors.js';
import { LAB_MANAGER_POLL_INTERVAL_MS, durationText, exitOf, logTail, withClient, type ManagerStartOptions } from './managers.js';
import { LAB_HOSTS_MAX, agentArgs, hostPaths, hostsNotReady, managerHosts, rolesOf, type LabHostPlan } from './plan.js';
import * as sys from './sys.js';

/** How long agents may take, once started, to open a session and show their nodes ready. */
export const LAB_AGENT_UP_TIMEOUT_MS = 45_000;
/** What the agent logs when a session with the managers opened (agent/worker/session.ts). */
const SESSION_OPENED = /"msg":"session with the managers"/;

interface Started {
  readonly host: LabHostPlan;
  readonly child: ChildProcess;
  readonly exit: { code: () => string | undefined };
  /** Where this start's lines begin in the host's agent log. */
  readonly logFrom: number;
}

/** Starts the agents of `hosts` (all at once) and returns once every one holds a session and its node is ready. */
export async function startLabAgents(o: ManagerStartOptions, hosts: readonly LabHostPlan[]): Promise<void> {
  if (hosts.length === 0) return;
  const needsToken = hosts.some((h) => !rolesOf(h).includes('manager'));
  const token = needsToken ? await workerJoinToken(o) : '';
  const started: Started[] = [];
  for (const host of hosts) started.push(await startAgent(o, host, rolesOf(host).includes('manager') ? {} : { SHOAL_TOKEN: token }));
  await waitForAgents(o, started);
  for (const s of started) o.onProgress?.(`${s.host.name}: agent up, node ready`);
}

/** Runs the agent of `host`'s data dir again (no token: it kept its membership) and awaits it as `up` does. */
export async function restartAgent(o: ManagerStartOptions, host: LabHostPlan): Promise<void> {
  await waitForAgents(o, [await startAgent(o, host, {})]);
}

/** Pids of the processes that run `host`'s agent (the one of its data dir). */
export async function agentPids(stateDir: string, lab: string, host: LabHostPlan): Promise<number[]> {
  const dataDir = hostPaths(stateDir, lab, host.name).agentDataDir;
  const pids: number[] = [];
  for (const pid of await sys.pidsInNetns(host.netns)) {
    const argv = (await sys.commandLineOf(pid)) ?? [];
    if (argv.some((a, i) => a === dataDir && argv[i - 1] === '--data-dir')) pids.push(pid);
  }
  return pids;
}

/** Refuses to start a second agent on a data dir whose agent runs (both would run its containers). */
export async function checkAgentStopped(stateDir: string, lab: string, host: LabHostPlan): Promise<void> {
  const pids = await agentPids(stateDir, lab, host);
  if (pids.length > 0) {
    throw failedPrecondition('lab.agent_running', `lab ${lab}: the agent of ${host.name} is running (pid ${pids.join(', ')}); kill the host first (shoal lab kill ${host.name})`);
  }
}

/**
 * The agent keys (hence cgroups) that hosts of the lab may have used: one per possible host,
 * whether or not its data dir is still there, so that `down` finds them by name alone.
 */
export function labAgentKeys(stateDir: string, lab: string): Map<string, string> {
  const keys = new Map<string, string>();
  for (let i = 1; i <= LAB_HOSTS_MAX; i++) keys.set(agentKey(hostPaths(stateDir, lab, `h${i}`).agentDataDir), `h${i}`);
  return keys;
}

/** The agent key of one host's agent: its cgroups are `/shoal/<key>/...`. */
export const hostAgentKey = (stateDir: string, lab: string, host: LabHostPlan): string => agentKey(hostPaths(stateDir, lab, host.name).agentDataDir);

/** `shoal agent ...` inside the host, its output appended to its log. */
async function startAgent(o: ManagerStartOptions, host: LabHostPlan, env: Readonly<Record<string, string>>): Promise<Started> {
  const paths = hostPaths(o.stateDir, o.plan.name, host.name);
  const logFrom = await stat(paths.agentLog).then((st) => st.size, () => 0);
  const argv = agentArgs(o.plan, host, o.stateDir);
  await appendFile(paths.agentLog, `# ${new Date((o.clock ?? systemClock).wallMs()).toISOString()} shoal lab: shoal ${argv.join(' ')}\n`, { mode: 0o600 });
  const child = await sys.spawnDaemon({ netns: host.netns, utsFile: paths.uts }, [...o.shoalCommand, ...argv], paths.agentLog, env);
  return { host, child, exit: exitOf(child), logFrom };
}

/**
 * Polls each agent's log and the managers' `node ls` until every agent said its session opened
 * and its host's node is ready. Fails fast when one exits, and at the deadline, naming the host
 * and quoting the end of its log.
 */
async function waitForAgents(o: ManagerStartOptions, started: readonly Started[]): Promise<void> {
  const clock = o.clock ?? systemClock;
  const timeoutMs = o.timeoutMs ?? LAB_AGENT_UP_TIMEOUT_MS;
  const deadline = clock.nowMs() + timeoutMs;
  const managers = managerHosts(o.plan);
  let last = 'no answer yet';
  for (;;) {
    const waiting: Started[] = [];
    for (const s of started) {
      const exited = s.exit.code();
      if (exited !== undefined) throw await agentNotUp(o, s.host, `its process exited (${exited})`);
      const text = await readFile(hostPaths(o.stateDir, o.plan.name, s.host.name).agentLog).then((b) => b.subarray(s.logFrom).toString(), () => '');
      if (!SESSION_OPENED.test(text)) waiting.push(s);
    }
    if (waiting.length > 0) last = `no session yet: ${waiting.map((s) => s.host.name).join(', ')}`;
    else {
      try {
        const { nodes } = await withClient(o, managers, (c) => c.call<ListNodesResponse__Output>('ListNodes', {}));
        const notReady = hostsNotReady(
          started.map((s) => s.host),
          nodes.map((n) => ({ hostname: n.description?.hostname ?? '', state: n.state })),
        );
        if (notReady.length === 0) return;
        last = `not ready in node ls: ${notReady.map((h) => h.name).join(', ')}`;
        waiting.push(...started.filter((s) => notReady.includes(s.host)));
      } catch (err) {
        last = oneLine(err);
        waiting.push(...started);
      }
    }
    if (clock.nowMs() >= deadline) {
      const first = waiting[0] ?? started[0];
      if (first !== undefined) throw await agentNotUp(o, first.host, `not up within ${durationText(timeoutMs)} (last: ${last})`);
    }
    await clock.sleep(LAB_MANAGER_POLL_INTERVAL_MS);
  }
}

/** The worker token, read through the lab's admin bundle. */
async function workerJoinToken(o: ManagerStartOptions): Promise<string> {
  const cluster = await withClient(o, managerHosts(o.plan), (c) => c.call<Cluster__Output>('GetCluster', {})).catch((err: unknown) => {
    throw unavailable('lab.no_manager', `lab ${o.plan.name}: the managers did not give the worker token (${oneLine(err)})`);
  });
  if (cluster.workerJoinToken === '') throw failedPrecondition('lab.no_token', `lab ${o.plan.name}: the cluster has no worker token yet`);
  return cluster.workerJoinToken;
}

async function agentNotUp(o: ManagerStartOptions, host: LabHostPlan, why: string): Promise<Error> {
  const log = hostPaths(o.stateDir, o.plan.name, host.name).agentLog;
  return unavailable('lab.agent_not_up', `lab ${o.plan.name}: the agent of ${host.name} did not come up: ${why}; its log ${log} ends: ${await logTail(log)}`);
}
