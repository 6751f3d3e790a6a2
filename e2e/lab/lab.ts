// Lab hosts on one machine: each host a network namespace with a veth into an underlay bridge
// on a subnet of its own, and a UTS namespace with its own hostname; manager hosts run a real
// `shoal manager` each (managers.ts); in a cluster lab every host also runs an agent (agents.ts)
// and the lab a registry on its gateway (registry.ts). `up` writes its whole plan to a state file before creating
// anything, so `down` can remove what an interrupted `up` left; `down` also scans for anything
// named after the lab, so even a lost state file leaves nothing behind.

import { existsSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { purgeAgent } from '../../agent/runtime/testing.js';
import { agentCgroupParent, cgroupHierarchies, removeCgroup, removeCgroupIfUnused } from '../../agent/sys/cgroups.js';
import { systemClock, type Clock } from '../../shared/clock.js';
import type { Cidr } from '../../shared/config.js';
import { ShoalError, assert, failedPrecondition, notFound, oneLine } from '../../shared/errors.js';
import { labAgentKeys, startLabAgents } from './agents.js';
import { LAB_KILL_ROUNDS_MAX, LAB_KILL_WAIT_MS, startLabManagers } from './managers.js';
import { pushBusybox, registryPids, startLabRegistry } from './registry.js';
import {
  LAB_POOL,
  agentHosts,
  clusterHostCount,
  parseCidrList,
  bridgeName,
  checkLabName,
  cidrsOverlap,
  findHost,
  formatCidr,
  hostPaths,
  iptablesComment,
  labDir,
  managerHosts,
  netnsPrefix,
  planLab,
  poolSubnets,
  rolesOf,
  vethPrefix,
  type LabHostPlan,
  type LabPlan,
  type LabRole,
} from './plan.js';
import { DEFAULT_LAB_STATE_DIR, claimSubnet, createState, listStateNames, readState, releaseSubnets, removeState, updateState, type LabState } from './state.js';
import * as sys from './sys.js';

export interface LabUpOptions {
  readonly name: string;
  /** Without `workers`: the number of hosts. With it, ignored: a cluster has managers + workers hosts. */
  readonly hosts: number;
  /** Hosts h1..hN run a manager each (N ≤ hosts); 0 or absent: no daemon, hosts only. */
  readonly managers?: number;
  /**
   * A cluster: this many worker hosts after the managers, an agent on every host (the managers'
   * too) and a registry holding busybox. Absent: no agent, no registry.
   */
  readonly workers?: number;
  /** How to run `shoal` (e.g. [node, bin/shoal.js]); needed with managers: they run this binary. */
  readonly shoalCommand?: readonly string[];
  /** How long each manager may take to become a voter (LAB_MANAGER_UP_TIMEOUT_MS). */
  readonly managerUpTimeoutMs?: number;
  readonly clock?: Clock;
  /** Default: the first free /24 of the lab pool. */
  readonly subnet?: Cidr;
  readonly stateDir: string;
  /** Told as each step completes, e.g. "h2 up at 198.18.0.3". */
  readonly onProgress?: (line: string) => void;
}

export async function labUp(options: LabUpOptions): Promise<LabState> {
  const { name, stateDir } = options;
  const managers = options.managers ?? 0;
  const agents = options.workers !== undefined;
  const hostCount = agents ? clusterHostCount(managers, options.workers ?? 0) : options.hosts;
  checkLabName(name);
  planLab(name, hostCount, options.subnet ?? { network: LAB_POOL.network, prefixLength: 24 }, managers, agents); // validates before claiming
  assert(managers === 0 || options.shoalCommand !== undefined, 'labUp: managers need the shoal command to run');
  if ((await readState(stateDir, name)) !== undefined) {
    throw failedPrecondition('lab.exists', `lab ${name} already exists (see shoal lab ls; remove it with shoal lab down --name ${name})`);
  }
  const subnet = await claimFreeSubnet(stateDir, name, options.subnet);
  const plan = planLab(name, hostCount, subnet, managers, agents);
  const withIptables = await sys.iptablesAvailable();
  let state: LabState = { version: 1, plan, creatorPid: process.pid, createdAtMs: Date.now(), complete: false, iptables: withIptables };
  try {
    await createState(stateDir, state);
  } catch (err) {
    await releaseSubnets(stateDir, name);
    throw err;
  }
  try {
    await createUnderlay(plan, withIptables);
    options.onProgress?.(`underlay ${plan.bridge} up at ${plan.gateway}/${plan.subnet.prefixLength}`);
    for (const host of plan.hosts) {
      await createHost(plan, host, stateDir);
      options.onProgress?.(`${host.name} up at ${host.address}`);
    }
    if (plan.registry !== undefined) {
      await startLabRegistry(plan, stateDir, options.clock);
      const image = await pushBusybox(plan, stateDir);
      options.onProgress?.(`registry up at ${plan.registry} (plain HTTP), holding ${image}`);
    }
    const daemons = {
      plan,
      stateDir,
      shoalCommand: options.shoalCommand ?? [],
      ...(options.clock !== undefined ? { clock: options.clock } : {}),
      ...(options.managerUpTimeoutMs !== undefined ? { timeoutMs: options.managerUpTimeoutMs } : {}),
      ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
    };
    if (managers > 0) await startLabManagers(daemons, managerHosts(plan));
    await startLabAgents(daemons, agentHosts(plan));
    state = { ...state, complete: true };
    await updateState(stateDir, state);
    return state;
  } catch (err) {
    // Bad luck half-way: leave nothing behind, then report the failure (and a failed cleanup with it).
    const cleanup = await labDown({ name, stateDir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (cleanup === undefined) throw err;
    const kind = err instanceof ShoalError ? err.kind : 'internal';
    const code = err instanceof ShoalError ? err.code : 'lab.up_failed';
    throw new ShoalError(kind, code, `${oneLine(err)}; and removing what was made failed: ${oneLine(cleanup)}`, { cause: new AggregateError([err, cleanup]) });
  }
}

async function claimFreeSubnet(stateDir: string, lab: string, wanted?: Cidr): Promise<Cidr> {
  const routed = parseCidrList(await sys.routedCidrs());
  const candidates = wanted !== undefined ? [wanted] : poolSubnets();
  for (const candidate of candidates) {
    const clash = routed.find((r) => cidrsOverlap(r, candidate));
    if (clash !== undefined) {
      if (wanted !== undefined) {
        throw failedPrecondition('lab.subnet_in_use', `--subnet ${formatCidr(wanted)}: overlaps ${formatCidr(clash)}, already routed on this machine`);
      }
      continue;
    }
    if (await claimSubnet(stateDir, candidate.network, lab)) return candidate;
    if (wanted !== undefined) throw failedPrecondition('lab.subnet_in_use', `--subnet ${formatCidr(wanted)}: claimed by another lab`);
  }
  throw failedPrecondition('lab.pool_exhausted', `no free /24 left in ${formatCidr(LAB_POOL)} for a lab`);
}

async function createUnderlay(plan: LabPlan, withIptables: boolean): Promise<void> {
  if (withIptables) {
    // Where Docker runs, FORWARD's policy is DROP and br_netfilter passes bridged frames through
    // it: without this rule lab hosts could not reach each other.
    await sys.insertForwardAccept(plan.bridge, plan.iptablesComment);
  }
  await sys.ip(['link', 'add', plan.bridge, 'type', 'bridge']);
  await sys.ip(['addr', 'add', `${plan.gateway}/${plan.subnet.prefixLength}`, 'dev', plan.bridge]);
  await sys.ip(['link', 'set', plan.bridge, 'up']);
}

async function createHost(plan: LabPlan, host: LabHostPlan, stateDir: string): Promise<void> {
  // The lab's folder holds managers' CA keys: root's alone.
  await mkdir(labDir(stateDir, plan.name), { recursive: true, mode: 0o700 });
  const paths = hostPaths(stateDir, plan.name, host.name);
  await mkdir(paths.dir, { mode: 0o700 });
  // Its own hostname, so that a manager or agent in it names its node after the host.
  await sys.createUtsNamespace(paths.uts, host.name);
  await sys.ip(['netns', 'add', host.netns]);
  await sys.ip(['link', 'add', host.veth, 'type', 'veth', 'peer', 'name', host.interfaceName, 'netns', host.netns]);
  await sys.ip(['link', 'set', host.veth, 'master', plan.bridge, 'up']);
  await sys.ip(['-n', host.netns, 'addr', 'add', `${host.address}/${plan.subnet.prefixLength}`, 'dev', host.interfaceName]);
  await sys.ip(['-n', host.netns, 'link', 'set', host.interfaceName, 'up']);
  // `ip netns add` leaves loopback down; services in the host listen on it.
  await sys.ip(['-n', host.netns, 'link', 'set', 'lo', 'up']);
}

/** What exists on this machine that carries a lab's name. */
export interface LabResources {
  readonly netns: string[];
  readonly links: string[];
  /** Each rule as the arguments `iptables -S` printed for it. */
  readonly iptablesRules: string[][];
  /** Mount points in the lab's folder: the hosts' UTS namespaces. */
  readonly mounts: string[];
  /** The lab's folder (its hosts' data dirs and logs), when it exists. */
  readonly dirs: string[];
  /** The cgroups of the lab's agents (`<tree>/shoal/<key>` of a host's agent), in every tree. */
  readonly cgroups: string[];
}

export async function findLabResources(name: string, stateDir = DEFAULT_LAB_STATE_DIR): Promise<LabResources> {
  checkLabName(name);
  const dir = labDir(stateDir, name);
  const [allNetns, allLinks, rules, mounts, dirExists] = await Promise.all([
    sys.listNetns(),
    sys.listLinks(),
    sys.forwardRulesTagged(iptablesComment(name)),
    sys.mountsUnder(dir),
    pathExists(dir),
  ]);
  return {
    netns: allNetns.filter((n) => n.startsWith(netnsPrefix(name))),
    links: allLinks.filter((l) => l === bridgeName(name) || l.startsWith(vethPrefix(name))),
    iptablesRules: rules,
    mounts,
    dirs: dirExists ? [dir] : [],
    cgroups: agentCgroupDirs(stateDir, name),
  };
}

export function isEmpty(r: LabResources): boolean {
  return r.netns.length === 0 && r.links.length === 0 && r.iptablesRules.length === 0 && r.mounts.length === 0 && r.dirs.length === 0 && r.cgroups.length === 0;
}

/** The agent cgroups of the lab that exist: `/shoal/<key>` in each tree, for every key a host of it may have used. */
function agentCgroupDirs(stateDir: string, lab: string): string[] {
  const trees = cgroupHierarchies();
  return [...labAgentKeys(stateDir, lab).keys()].flatMap((key) => trees.map((t) => join(t, agentCgroupParent(key))).filter((d) => existsSync(d)));
}

async function pathExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
}

export interface LabDownOptions {
  readonly name: string;
  readonly stateDir: string;
  /** Succeed quietly when there is no such lab (for cleanup paths). */
  readonly ifExists?: boolean;
}

export interface LabDownReport {
  readonly name: string;
  readonly processesKilled: number;
  readonly removed: LabResources;
  /** What went wrong without stopping the removal (an unreadable state file). */
  readonly warnings: readonly string[];
}

export async function labDown(options: LabDownOptions): Promise<LabDownReport> {
  const { name, stateDir } = options;
  checkLabName(name);
  // Every step runs whatever failed before it; the failures are reported together at the end.
  const failures: string[] = [];
  const attempt = async <T>(what: string, step: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await step();
    } catch (err) {
      failures.push(`${what}: ${oneLine(err)}`);
      return fallback;
    }
  };
  const warnings: string[] = [];
  // An unreadable state file cannot help another `down`: what it named is found by name below.
  const state = await readState(stateDir, name).catch((err: unknown) => {
    warnings.push(`its state file could not be read (${oneLine(err)}); removed, and what carries the lab's name removed without it`);
    return undefined;
  });
  const found = await findLabResourcesOr(name, stateDir, state?.plan, attempt);
  const report: LabDownReport = { name, processesKilled: 0, removed: found, warnings };
  if (state === undefined && warnings.length === 0 && failures.length === 0 && isEmpty(found)) {
    await releaseSubnets(stateDir, name);
    if (options.ifExists === true) return report;
    throw notFound('lab.not_found', `no lab named ${name} (see shoal lab ls)`);
  }
  let killed = 0;
  // Processes first: a namespace with live processes outlives `ip netns delete`, and a manager
  // still running would write into the data dir removed below.
  for (const netns of found.netns) killed += await attempt(`kill the processes of ${netns}`, () => killHostProcesses(netns), 0);
  // The agents' containers, in namespaces of their own, found by their agents' cgroups; the registry.
  const agentKeys = labAgentKeys(stateDir, name);
  killed += await attempt('kill the containers of its agents', () => killUntilNone(() => sys.pidsInAgentCgroups(new Set(agentKeys.keys())), `lab ${name}'s containers`), 0);
  killed += await attempt('kill its registry', () => killUntilNone(() => registryPids(stateDir, name), `lab ${name}'s registry`), 0);
  // What the agents left outside their processes: runc state, overlay mounts, containers'
  // namespaces, cgroups (the host's namespace still there, for devices an agent made in it).
  for (const host of agentKeys.values()) {
    const dataDir = join(labDir(stateDir, name), host, 'agent');
    if (existsSync(dataDir)) await attempt(`remove the agent of ${host}`, () => purgeAgent(dataDir, { netns: `${netnsPrefix(name)}${host}` }), undefined);
  }
  for (const key of agentKeys.keys()) await attempt(`remove the cgroups of agent ${key}`, async () => removeCgroup(agentCgroupParent(key)), undefined);
  // Their shared parent too, once no other agent on the machine uses it.
  const [anyKey] = agentKeys.keys();
  if (found.cgroups.length > 0 && anyKey !== undefined) await attempt('remove the shared shoal cgroup', async () => removeCgroupIfUnused(dirname(agentCgroupParent(anyKey))), undefined);
  for (const mount of found.mounts) await attempt(`unmount ${mount}`, () => sys.unmount(mount), false);
  for (const netns of found.netns) await attempt(`delete namespace ${netns}`, () => sys.ipRemove(['netns', 'delete', netns]), false);
  for (const link of found.links.filter((l) => l !== bridgeName(name))) await attempt(`delete link ${link}`, () => sys.ipRemove(['link', 'delete', link]), false);
  if (found.links.includes(bridgeName(name))) await attempt(`delete bridge ${bridgeName(name)}`, () => sys.ipRemove(['link', 'delete', bridgeName(name)]), false);
  for (const rule of found.iptablesRules) await attempt(`delete iptables rule ${rule.join(' ')}`, () => sys.deleteRule(rule), undefined);
  // Last: rm would refuse a folder that a mount still holds (and then say so).
  for (const dir of found.dirs) await attempt(`remove ${dir}`, () => rm(dir, { recursive: true, force: true }), undefined);
  if (failures.length > 0) {
    // Keep the state file so that another `down` can finish the job.
    throw failedPrecondition('lab.down_incomplete', `lab ${name}: could not remove everything: ${failures.join('; ')}`);
  }
  await releaseSubnets(stateDir, name);
  await removeState(stateDir, name);
  return { ...report, processesKilled: killed };
}

/**
 * What carries the lab's name on this machine. A listing that fails is reported through
 * `attempt`, and the names the lab's plan gave (when its state file could be read) stand in for it.
 */
async function findLabResourcesOr(
  name: string,
  stateDir: string,
  plan: LabPlan | undefined,
  attempt: <T>(what: string, step: () => Promise<T>, fallback: T) => Promise<T>,
): Promise<LabResources> {
  const plannedNetns = plan?.hosts.map((h) => h.netns) ?? [];
  const plannedLinks = plan === undefined ? [] : [plan.bridge, ...plan.hosts.map((h) => h.veth)];
  const dir = labDir(stateDir, name);
  const plannedMounts = plan?.hosts.map((h) => hostPaths(stateDir, name, h.name).uts) ?? [];
  const netns = await attempt('list network namespaces', () => sys.listNetns(), plannedNetns);
  const links = await attempt('list links', () => sys.listLinks(), plannedLinks);
  return {
    netns: netns.filter((n) => n.startsWith(netnsPrefix(name))),
    links: links.filter((l) => l === bridgeName(name) || l.startsWith(vethPrefix(name))),
    iptablesRules: await attempt('list iptables rules', () => sys.forwardRulesTagged(iptablesComment(name)), []),
    mounts: await attempt('list mounts', () => sys.mountsUnder(dir), plannedMounts),
    dirs: (await attempt(`look for ${dir}`, () => pathExists(dir), true)) ? [dir] : [],
    cgroups: await attempt('list cgroups', async () => agentCgroupDirs(stateDir, name), []),
  };
}

/** Signals every process in a host's namespace; returns the pids signalled. */
export async function signalHostProcesses(netns: string, signal: NodeJS.Signals): Promise<number[]> {
  const signalled: number[] = [];
  for (const pid of await sys.pidsInNetns(netns)) {
    if (pid === process.pid) continue;
    try {
      process.kill(pid, signal);
      signalled.push(pid);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err; // ESRCH: gone already
    }
  }
  return signalled;
}

/**
 * SIGKILLs every process of a host and waits until they are gone (LAB_KILL_WAIT_MS at most), so
 * that what comes next (a restart on the same data dir, the removal of that dir) never races a
 * dying process. Returns how many were killed.
 */
export async function killHostProcesses(netns: string, clock: Clock = systemClock): Promise<number> {
  return killUntilNone(() => sys.pidsInNetns(netns), netns, clock);
}

/**
 * SIGKILLs what `list` names, waits until it is gone, and lists again, until the list is empty
 * (LAB_KILL_ROUNDS_MAX rounds): a process forked between a listing and the kill (a shim's `runc`,
 * an agent's `ip`) is not in that listing, and would outlive the host. Returns how many were killed.
 */
export async function killUntilNone(list: () => Promise<number[]>, what: string, clock: Clock = systemClock): Promise<number> {
  let killed = 0;
  for (let round = 0; round < LAB_KILL_ROUNDS_MAX; round++) {
    const signalled: number[] = [];
    for (const pid of await list()) {
      if (pid === process.pid || (await sys.processGone(pid))) continue;
      try {
        process.kill(pid, 'SIGKILL');
        signalled.push(pid);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err; // ESRCH: gone already
      }
    }
    if (signalled.length === 0) return killed;
    await awaitGone(signalled, what, clock);
    killed += signalled.length;
  }
  throw failedPrecondition('lab.kill_timeout', `${what}: processes still appear after ${LAB_KILL_ROUNDS_MAX} rounds of SIGKILL (something keeps starting them)`);
}

async function awaitGone(pids: readonly number[], what: string, clock: Clock): Promise<void> {
  const deadline = clock.nowMs() + LAB_KILL_WAIT_MS;
  for (;;) {
    const alive = [];
    for (const pid of pids) if (!(await sys.processGone(pid))) alive.push(pid);
    if (alive.length === 0) return;
    if (clock.nowMs() >= deadline) throw failedPrecondition('lab.kill_timeout', `${what}: pids ${alive.join(', ')} still alive ${LAB_KILL_WAIT_MS} ms after SIGKILL`);
    await clock.sleep(20);
  }
}

export interface LabHostSummary extends LabHostPlan {
  readonly roles: readonly LabRole[];
  /** Its namespace exists. */
  readonly present: boolean;
  /** Its underlay link is up: false after `shoal lab kill` or `partition`, until `start` or `heal`. */
  readonly linkUp: boolean;
}

export interface LabSummary {
  readonly name: string;
  readonly subnet: string;
  readonly bridge: string;
  /** ready: every host up; creating: `up` still running; partial: `up` stopped half-way. */
  readonly status: 'ready' | 'creating' | 'partial';
  readonly hosts: readonly LabHostSummary[];
}

export async function labList(stateDir: string): Promise<LabSummary[]> {
  const present = new Set(await sys.listNetns());
  const linksUp = new Set((await sys.listLinkStates()).filter((l) => l.up).map((l) => l.name));
  const out: LabSummary[] = [];
  for (const name of await listStateNames(stateDir)) {
    // An unreadable state file is not listed; `shoal lab down --name` removes it and says so.
    const state = await readState(stateDir, name).catch(() => undefined);
    if (state === undefined) continue;
    const { plan } = state;
    const status = state.complete ? 'ready' : processAlive(state.creatorPid) ? 'creating' : 'partial';
    out.push({
      name,
      subnet: formatCidr(plan.subnet),
      bridge: plan.bridge,
      status,
      hosts: plan.hosts.map((h) => ({ ...h, roles: rolesOf(h), present: present.has(h.netns), linkUp: linksUp.has(h.veth) })),
    });
  }
  return out;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A lab's state, which must exist. */
export async function readLab(stateDir: string, lab: string): Promise<LabState> {
  checkLabName(lab);
  const state = await readState(stateDir, lab);
  if (state === undefined) throw notFound('lab.not_found', `no lab named ${lab} (see shoal lab ls)`);
  return state;
}

/** A lab host, checked to exist; with the lab's plan. */
export async function resolveLabHost(stateDir: string, lab: string, host: string): Promise<{ plan: LabPlan; host: LabHostPlan }> {
  const { plan } = await readLab(stateDir, lab);
  const found = findHost(plan, host);
  if (found === undefined) {
    throw notFound('lab.host_not_found', `lab ${lab} has no host ${JSON.stringify(host)} (hosts: ${plan.hosts.map((h) => h.name).join(', ')})`);
  }
  if (!(await sys.netnsExists(found.netns))) throw notFound('lab.host_gone', `lab ${lab}: host ${found.name} is not up (its namespace is missing)`);
  return { plan, host: found };
}

/** The namespace of a lab host, checked to exist. */
export async function resolveHost(stateDir: string, lab: string, host: string): Promise<LabHostPlan> {
  return (await resolveLabHost(stateDir, lab, host)).host;
}

/** The namespaces a process of the host enters: its network and its UTS namespace (its hostname). */
export const hostNamespaces = (stateDir: string, lab: string, host: LabHostPlan): sys.HostNamespaces => ({
  netns: host.netns,
  utsFile: hostPaths(stateDir, lab, host.name).uts,
});

export async function labExec(stateDir: string, lab: string, host: string, argv: readonly string[]): Promise<number> {
  const target = await resolveHost(stateDir, lab, host);
  return sys.execInHost(hostNamespaces(stateDir, lab, target), argv);
}
