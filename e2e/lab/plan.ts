// The lab's pure part: from a lab name, a host count and a subnet, every name and address the
// lab will use. Names are chosen so that two labs never collide and fit Linux's 15-character
// interface names: lab names are 1–8 lowercase letters and digits (no dashes, so the prefix
// `shoal-<lab>-` of one lab is never a prefix of another's). Hosts h1..hN of a lab made with
// `--managers N` run a manager each; with `--workers M` (a cluster) every host also runs an agent
// (the M hosts after the managers are workers), and the lab runs a registry on its gateway.

import { join } from 'node:path';
import { intToIpv4, ipv4ToInt, type Cidr } from '../../shared/config.js';
import { failedPrecondition, invalidArgument } from '../../shared/errors.js';
import { MANAGER_PORT } from '../../shared/manager-hosts.js';

export const LAB_NAME_LENGTH_MAX = 8;
export const LAB_HOSTS_MAX = 64;
/** RFC 2544's benchmarking range: reserved for test networks, never routed on the Internet. */
export const LAB_POOL: Cidr = { network: '198.18.0.0', prefixLength: 15 };
export const LAB_SUBNET_PREFIX_LENGTH = 24;
export const IPTABLES_COMMENT_PREFIX = 'shoal-lab:';
/** Raft clusters of more than 7 voters only get slower (Docker says the same of swarm managers). */
export const LAB_MANAGERS_MAX = 7;

/** The port of the lab's registry on its gateway address (5000, Docker's, is left to a registry the machine may run on all addresses). */
export const LAB_REGISTRY_PORT = 5001;
/** What `lab up` pushes into a cluster lab's registry: busybox-static as an image. */
export const LAB_BUSYBOX_REPOSITORY = 'shoal/busybox:latest';

/** What a host runs: a `manager`, an `agent` (on a manager's host, the same node as the manager). */
export type LabRole = 'manager' | 'agent';

export interface LabHostPlan {
  /** h1, h2, ...; also its hostname (in a UTS namespace of its own), as `shoal node ls` shows it. */
  readonly name: string;
  /** The network namespace, /run/netns/<netns>. */
  readonly netns: string;
  /** The host-side end of the veth pair, a port of the underlay bridge. */
  readonly veth: string;
  /** The interface inside the host. */
  readonly interfaceName: string;
  readonly address: string;
  /** What it runs. Absent in state files written before roles existed: read it with `rolesOf`. */
  readonly roles?: readonly LabRole[];
}

export interface LabPlan {
  readonly name: string;
  readonly subnet: Cidr;
  /** The underlay bridge in the root namespace; it holds the gateway address. */
  readonly bridge: string;
  readonly gateway: string;
  readonly hosts: readonly LabHostPlan[];
  /** Tags the lab's iptables rules so that `down` finds every one of them. */
  readonly iptablesComment: string;
  /** IP:PORT of the lab's registry (plain HTTP, on the gateway address), when its hosts run agents. */
  readonly registry?: string;
}

export function checkLabName(name: string): string {
  if (!/^[a-z][a-z0-9]*$/.test(name) || name.length > LAB_NAME_LENGTH_MAX) {
    throw invalidArgument(
      'lab.bad_name',
      `lab name ${JSON.stringify(name)}: must be 1 to ${LAB_NAME_LENGTH_MAX} lowercase letters and digits, starting with a letter`,
    );
  }
  return name;
}

export const netnsPrefix = (lab: string): string => `shoal-${lab}-`;
export const bridgeName = (lab: string): string => `slb-${lab}`;
export const vethPrefix = (lab: string): string => `sl-${lab}-`;
export const iptablesComment = (lab: string): string => `${IPTABLES_COMMENT_PREFIX}${lab}`;

/**
 * `managerCount` 0: hosts without daemons, as the lab was before managers. `agents`: a cluster —
 * every host runs an agent too (the hosts after the managers are its workers), and the lab a
 * registry; it needs a manager.
 */
export function planLab(name: string, hostCount: number, subnet: Cidr, managerCount = 0, agents = false): LabPlan {
  checkLabName(name);
  if (!Number.isInteger(hostCount) || hostCount < 1 || hostCount > LAB_HOSTS_MAX) {
    throw invalidArgument('lab.bad_hosts', `--hosts: must be from 1 to ${LAB_HOSTS_MAX}, got ${hostCount}`);
  }
  checkManagerCount(managerCount, hostCount);
  if (agents && managerCount === 0) throw invalidArgument('lab.bad_workers', '--workers: needs --managers (the agents join the managers\' cluster)');
  const size = 2 ** (32 - subnet.prefixLength);
  // network address, gateway, hosts, broadcast
  if (size < hostCount + 3) {
    throw invalidArgument('lab.subnet_too_small', `--subnet ${subnet.network}/${subnet.prefixLength}: too small for ${hostCount} hosts and a gateway`);
  }
  const base = ipv4ToInt(subnet.network);
  const hosts: LabHostPlan[] = [];
  for (let i = 1; i <= hostCount; i++) {
    hosts.push({
      name: `h${i}`,
      netns: `${netnsPrefix(name)}h${i}`,
      veth: `${vethPrefix(name)}${i}`,
      interfaceName: 'eth0',
      address: intToIpv4(base + 1 + i),
      roles: [...(i <= managerCount ? (['manager'] as const) : []), ...(agents ? (['agent'] as const) : [])],
    });
  }
  const gateway = intToIpv4(base + 1);
  return { name, subnet, bridge: bridgeName(name), gateway, hosts, iptablesComment: iptablesComment(name), ...(agents ? { registry: `${gateway}:${LAB_REGISTRY_PORT}` } : {}) };
}

/** A cluster lab's host count: its managers and its workers, within LAB_HOSTS_MAX. */
export function clusterHostCount(managerCount: number, workerCount: number): number {
  if (!Number.isInteger(workerCount) || workerCount < 0 || workerCount > LAB_HOSTS_MAX - 1) {
    throw invalidArgument('lab.bad_workers', `--workers: must be from 0 to ${LAB_HOSTS_MAX - 1}, got ${workerCount}`);
  }
  if (managerCount + workerCount > LAB_HOSTS_MAX) {
    throw invalidArgument('lab.bad_workers', `--managers ${managerCount} --workers ${workerCount}: more than the ${LAB_HOSTS_MAX} hosts a lab can have`);
  }
  return managerCount + workerCount;
}

/** 0 (no managers) or 1 to min(hosts, LAB_MANAGERS_MAX). */
export function checkManagerCount(managerCount: number, hostCount: number): void {
  if (managerCount === 0) return;
  if (!Number.isInteger(managerCount) || managerCount < 1 || managerCount > LAB_MANAGERS_MAX) {
    throw invalidArgument('lab.bad_managers', `--managers: must be from 1 to ${LAB_MANAGERS_MAX}, got ${managerCount}`);
  }
  if (managerCount > hostCount) {
    throw invalidArgument('lab.bad_managers', `--managers ${managerCount}: more than the lab's ${hostCount} host${hostCount === 1 ? '' : 's'} (--hosts)`);
  }
}

export const rolesOf = (host: LabHostPlan): readonly LabRole[] => host.roles ?? [];
export const managerHosts = (plan: LabPlan): LabHostPlan[] => plan.hosts.filter((h) => rolesOf(h).includes('manager'));
export const agentHosts = (plan: LabPlan): LabHostPlan[] => plan.hosts.filter((h) => rolesOf(h).includes('agent'));
/** The address a host's manager advertises and serves on (the manager port). */
export const managerAddress = (host: LabHostPlan): string => `${host.address}:${MANAGER_PORT}`;

/**
 * Where a lab keeps what its hosts hold on disk, beside its state file: `<stateDir>/<lab>.d/`
 * (a lab name has no dot, so this never meets another lab's files nor `subnets/`), and in it one
 * folder per host: `uts` (its UTS namespace, a bind mount), `manager/` (its manager's data dir),
 * `manager.log` (that manager's output, kept across restarts), `agent/`, `agent.sock` and
 * `agent.log` (its agent's); and `registry/` (the registry's config, storage and log).
 */
export const labDir = (stateDir: string, lab: string): string => join(stateDir, `${lab}.d`);

export interface LabHostPaths {
  readonly dir: string;
  readonly uts: string;
  readonly managerDataDir: string;
  readonly managerLog: string;
  /** The admin bundle `shoal manager init` makes (only h1's is used: it is the lab's). */
  readonly adminTlsDir: string;
  /** The agent's data dir; its cgroups follow from it (`/shoal/<agentKey(dir)>`). */
  readonly agentDataDir: string;
  readonly agentSocket: string;
  readonly agentLog: string;
}

export function hostPaths(stateDir: string, lab: string, host: string): LabHostPaths {
  const dir = join(labDir(stateDir, lab), host);
  const managerDataDir = join(dir, 'manager');
  return {
    dir,
    uts: join(dir, 'uts'),
    managerDataDir,
    managerLog: join(dir, 'manager.log'),
    adminTlsDir: join(managerDataDir, 'admin'),
    agentDataDir: join(dir, 'agent'),
    agentSocket: join(dir, 'agent.sock'),
    agentLog: join(dir, 'agent.log'),
  };
}

/** Where the lab's registry keeps its config, its storage and its log. */
export function registryPaths(stateDir: string, lab: string): { dir: string; config: string; storage: string; log: string } {
  const dir = join(labDir(stateDir, lab), 'registry');
  return { dir, config: join(dir, 'config.yml'), storage: join(dir, 'data'), log: join(dir, 'registry.log') };
}

/** docker-registry's config: plain HTTP on `address` (IP:PORT), storage in `storage`. */
export function registryConfig(address: string, storage: string): string {
  return ['version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${storage}`, '  delete:', '    enabled: true', 'http:', `  addr: ${address}`, ''].join('\n');
}

/**
 * `shoal agent ...` for a host of a cluster lab (after the shoal command): its own data dir,
 * socket and cgroups, its host's address, the lab's registry trusted over plain HTTP, every
 * manager. On a manager's host it is the manager's node (`--manager-data-dir`); a worker joins
 * with the worker token, which the caller passes in the environment (SHOAL_TOKEN), never here.
 */
export function agentArgs(plan: LabPlan, host: LabHostPlan, stateDir: string): string[] {
  const paths = hostPaths(stateDir, plan.name, host.name);
  const managers = managerHosts(plan).map(managerAddress).join(',');
  return [
    'agent',
    '--data-dir',
    paths.agentDataDir,
    '--socket',
    paths.agentSocket,
    '--advertise',
    host.address,
    ...(plan.registry !== undefined ? ['--insecure-registry', plan.registry] : []),
    ...(rolesOf(host).includes('manager') ? ['--manager-data-dir', paths.managerDataDir] : []),
    managers,
  ];
}

/** The node as `shoal node ls` shows it: what the lab waits on for an agent. */
export interface NodeStateView {
  readonly hostname: string;
  readonly state: string;
}

/** The hosts among `expected` that `nodes` does not show as a ready node of their name. */
export function hostsNotReady(expected: readonly LabHostPlan[], nodes: readonly NodeStateView[]): LabHostPlan[] {
  const ready = new Set(nodes.filter((n) => n.state === 'ready').map((n) => n.hostname));
  return expected.filter((h) => !ready.has(h.name));
}

/**
 * Whether a process is in the cgroups of one of the agents keyed `keys` — below `shoal/<key>` in
 * any tree — from its /proc/<pid>/cgroup (lines `ID:CONTROLLERS:PATH`). Below whatever base the
 * agent chose (the root, or a unit's cgroup), so the lab need not guess it.
 */
export function inAgentCgroups(procCgroup: string, keys: ReadonlySet<string>): boolean {
  for (const line of procCgroup.split('\n')) {
    const path = line.split(':').slice(2).join(':');
    const segments = path.split('/');
    for (let i = 0; i + 1 < segments.length; i++) if (segments[i] === 'shoal' && keys.has(segments[i + 1] as string)) return true;
  }
  return false;
}

/** The node as `shoal node ls` shows it, the fields the lab looks at. */
export interface ManagerNodeView {
  readonly address: string;
  readonly role: string;
  readonly managerStatus: string;
}

/**
 * The manager hosts among `expected` that `nodes` (one manager's `node ls`) does not show as a
 * voter yet: no manager node at their address whose manager status is leader or reachable.
 */
export function managersNotVoting(expected: readonly LabHostPlan[], nodes: readonly ManagerNodeView[]): LabHostPlan[] {
  const voting = new Set(nodes.filter((n) => n.role === 'manager' && (n.managerStatus === 'leader' || n.managerStatus === 'reachable')).map((n) => n.address));
  return expected.filter((h) => !voting.has(h.address));
}

/** `shoal lab env`: the variables that point the CLI at the lab's managers, with its admin bundle; and its registry. */
export function labEnv(plan: LabPlan, stateDir: string): Record<'SHOAL_HOST' | 'SHOAL_TLS_DIR' | 'SHOAL_LAB', string> & { SHOAL_REGISTRY?: string } {
  const managers = managerHosts(plan);
  const first = managers[0];
  if (first === undefined) {
    throw failedPrecondition('lab.no_managers', `lab ${plan.name} runs no manager (make one with shoal lab up --managers N)`);
  }
  return {
    SHOAL_HOST: managers.map(managerAddress).join(','),
    SHOAL_TLS_DIR: hostPaths(stateDir, plan.name, first.name).adminTlsDir,
    SHOAL_LAB: plan.name,
    ...(plan.registry !== undefined ? { SHOAL_REGISTRY: plan.registry } : {}),
  };
}

/** A value for a POSIX shell: as it is when it is plain, else in single quotes. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:,=+@%-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The candidate /24s of the pool, in order. */
export function* poolSubnets(): Generator<Cidr> {
  const base = ipv4ToInt(LAB_POOL.network);
  const count = 2 ** (LAB_SUBNET_PREFIX_LENGTH - LAB_POOL.prefixLength);
  for (let i = 0; i < count; i++) {
    yield { network: intToIpv4(base + i * 2 ** (32 - LAB_SUBNET_PREFIX_LENGTH)), prefixLength: LAB_SUBNET_PREFIX_LENGTH };
  }
}

export function cidrRange(c: Cidr): { first: number; last: number } {
  const first = ipv4ToInt(c.network);
  return { first, last: first + 2 ** (32 - c.prefixLength) - 1 };
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const ra = cidrRange(a);
  const rb = cidrRange(b);
  return ra.first <= rb.last && rb.first <= ra.last;
}

export const formatCidr = (c: Cidr): string => `${c.network}/${c.prefixLength}`;

/** Finds a host of the plan by its short name (h2) or its namespace name (shoal-lab-h2). */
export function findHost(plan: LabPlan, host: string): LabHostPlan | undefined {
  return plan.hosts.find((h) => h.name === host || h.netns === host);
}

/** Parses route destinations such as 10.0.0.0/8 or 192.168.1.7/32, masking host bits; skips others. */
export function parseCidrList(raw: readonly string[]): Cidr[] {
  const out: Cidr[] = [];
  for (const r of raw) {
    const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(r);
    if (m === null) continue;
    const prefixLength = Number(m[2]);
    const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
    out.push({ network: intToIpv4((ipv4ToInt(m[1] as string) & mask) >>> 0), prefixLength });
  }
  return out;
}
