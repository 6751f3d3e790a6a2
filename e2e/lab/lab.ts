// Lab hosts on one machine: each host a network namespace with a veth into an underlay bridge
// on a subnet of its own. `up` writes its whole plan to a state file before creating anything,
// so `down` can remove what an interrupted `up` left; `down` also scans for anything named after
// the lab, so even a lost state file leaves nothing behind.

import type { Cidr } from '../../shared/config.js';
import { ShoalError, failedPrecondition, notFound, oneLine } from '../../shared/errors.js';
import {
  LAB_POOL,
  parseCidrList,
  bridgeName,
  checkLabName,
  cidrsOverlap,
  findHost,
  formatCidr,
  iptablesComment,
  netnsPrefix,
  planLab,
  poolSubnets,
  vethPrefix,
  type LabHostPlan,
  type LabPlan,
} from './plan.js';
import { claimSubnet, createState, listStateNames, readState, releaseSubnets, removeState, updateState, type LabState } from './state.js';
import * as sys from './sys.js';

export interface LabUpOptions {
  readonly name: string;
  readonly hosts: number;
  /** Default: the first free /24 of the lab pool. */
  readonly subnet?: Cidr;
  readonly stateDir: string;
  /** Told as each step completes, e.g. "h2 up at 198.18.0.3". */
  readonly onProgress?: (line: string) => void;
}

export async function labUp(options: LabUpOptions): Promise<LabState> {
  const { name, stateDir } = options;
  checkLabName(name);
  planLab(name, options.hosts, options.subnet ?? { network: LAB_POOL.network, prefixLength: 24 }); // validates before claiming
  if ((await readState(stateDir, name)) !== undefined) {
    throw failedPrecondition('lab.exists', `lab ${name} already exists (see shoal lab ls; remove it with shoal lab down --name ${name})`);
  }
  const subnet = await claimFreeSubnet(stateDir, name, options.subnet);
  const plan = planLab(name, options.hosts, subnet);
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
      await createHost(plan, host);
      options.onProgress?.(`${host.name} up at ${host.address}`);
    }
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

async function createHost(plan: LabPlan, host: LabHostPlan): Promise<void> {
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
}

export async function findLabResources(name: string): Promise<LabResources> {
  checkLabName(name);
  const [allNetns, allLinks, rules] = await Promise.all([sys.listNetns(), sys.listLinks(), sys.forwardRulesTagged(iptablesComment(name))]);
  return {
    netns: allNetns.filter((n) => n.startsWith(netnsPrefix(name))),
    links: allLinks.filter((l) => l === bridgeName(name) || l.startsWith(vethPrefix(name))),
    iptablesRules: rules,
  };
}

export function isEmpty(r: LabResources): boolean {
  return r.netns.length === 0 && r.links.length === 0 && r.iptablesRules.length === 0;
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
  const found = await findLabResourcesOr(name, state?.plan, attempt);
  const report: LabDownReport = { name, processesKilled: 0, removed: found, warnings };
  if (state === undefined && warnings.length === 0 && failures.length === 0 && isEmpty(found)) {
    await releaseSubnets(stateDir, name);
    if (options.ifExists === true) return report;
    throw notFound('lab.not_found', `no lab named ${name} (see shoal lab ls)`);
  }
  let killed = 0;
  // Processes first: a namespace with live processes outlives `ip netns delete`.
  for (const netns of found.netns) killed += await attempt(`kill the processes of ${netns}`, () => killAll(netns, 'SIGKILL'), 0);
  for (const netns of found.netns) await attempt(`delete namespace ${netns}`, () => sys.ipRemove(['netns', 'delete', netns]), false);
  for (const link of found.links.filter((l) => l !== bridgeName(name))) await attempt(`delete link ${link}`, () => sys.ipRemove(['link', 'delete', link]), false);
  if (found.links.includes(bridgeName(name))) await attempt(`delete bridge ${bridgeName(name)}`, () => sys.ipRemove(['link', 'delete', bridgeName(name)]), false);
  for (const rule of found.iptablesRules) await attempt(`delete iptables rule ${rule.join(' ')}`, () => sys.deleteRule(rule), undefined);
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
  plan: LabPlan | undefined,
  attempt: <T>(what: string, step: () => Promise<T>, fallback: T) => Promise<T>,
): Promise<LabResources> {
  const plannedNetns = plan?.hosts.map((h) => h.netns) ?? [];
  const plannedLinks = plan === undefined ? [] : [plan.bridge, ...plan.hosts.map((h) => h.veth)];
  const netns = await attempt('list network namespaces', () => sys.listNetns(), plannedNetns);
  const links = await attempt('list links', () => sys.listLinks(), plannedLinks);
  return {
    netns: netns.filter((n) => n.startsWith(netnsPrefix(name))),
    links: links.filter((l) => l === bridgeName(name) || l.startsWith(vethPrefix(name))),
    iptablesRules: await attempt('list iptables rules', () => sys.forwardRulesTagged(iptablesComment(name)), []),
  };
}

/** Signals every process in a host's namespace; returns how many were signalled. */
async function killAll(netns: string, signal: NodeJS.Signals): Promise<number> {
  let n = 0;
  for (const pid of await sys.pidsInNetns(netns)) {
    if (pid === process.pid) continue;
    try {
      process.kill(pid, signal);
      n++;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err; // ESRCH: gone already
    }
  }
  return n;
}

export interface LabSummary {
  readonly name: string;
  readonly subnet: string;
  readonly bridge: string;
  /** ready: every host up; creating: `up` still running; partial: `up` stopped half-way. */
  readonly status: 'ready' | 'creating' | 'partial';
  readonly hosts: readonly (LabHostPlan & { readonly present: boolean })[];
}

export async function labList(stateDir: string): Promise<LabSummary[]> {
  const present = new Set(await sys.listNetns());
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
      hosts: plan.hosts.map((h) => ({ ...h, present: present.has(h.netns) })),
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

/** The namespace of a lab host, checked to exist. */
export async function resolveHost(stateDir: string, lab: string, host: string): Promise<LabHostPlan> {
  checkLabName(lab);
  const state = await readState(stateDir, lab);
  if (state === undefined) throw notFound('lab.not_found', `no lab named ${lab} (see shoal lab ls)`);
  const found = findHost(state.plan, host);
  if (found === undefined) {
    throw notFound('lab.host_not_found', `lab ${lab} has no host ${JSON.stringify(host)} (hosts: ${state.plan.hosts.map((h) => h.name).join(', ')})`);
  }
  if (!(await sys.netnsExists(found.netns))) throw notFound('lab.host_gone', `lab ${lab}: host ${found.name} is not up (its namespace is missing)`);
  return found;
}

export async function labExec(stateDir: string, lab: string, host: string, argv: readonly string[]): Promise<number> {
  const target = await resolveHost(stateDir, lab, host);
  return sys.execInNetns(target.netns, argv);
}

/** Kills every process of a lab host, as if the machine had died; the host itself stays. */
export async function labKill(stateDir: string, lab: string, host: string, signal: NodeJS.Signals): Promise<number> {
  const target = await resolveHost(stateDir, lab, host);
  return killAll(target.netns, signal);
}
