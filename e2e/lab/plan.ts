// The lab's pure part: from a lab name, a host count and a subnet, every name and address the
// lab will use. Names are chosen so that two labs never collide and fit Linux's 15-character
// interface names: lab names are 1–8 lowercase letters and digits (no dashes, so the prefix
// `shoal-<lab>-` of one lab is never a prefix of another's).

import { intToIpv4, ipv4ToInt, type Cidr } from '../../shared/config.js';
import { invalidArgument } from '../../shared/errors.js';

export const LAB_NAME_LENGTH_MAX = 8;
export const LAB_HOSTS_MAX = 64;
/** RFC 2544's benchmarking range: reserved for test networks, never routed on the Internet. */
export const LAB_POOL: Cidr = { network: '198.18.0.0', prefixLength: 15 };
export const LAB_SUBNET_PREFIX_LENGTH = 24;
export const IPTABLES_COMMENT_PREFIX = 'shoal-lab:';

export interface LabHostPlan {
  /** h1, h2, ... */
  readonly name: string;
  /** The network namespace, /run/netns/<netns>. */
  readonly netns: string;
  /** The host-side end of the veth pair, a port of the underlay bridge. */
  readonly veth: string;
  /** The interface inside the host. */
  readonly interfaceName: string;
  readonly address: string;
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

export function planLab(name: string, hostCount: number, subnet: Cidr): LabPlan {
  checkLabName(name);
  if (!Number.isInteger(hostCount) || hostCount < 1 || hostCount > LAB_HOSTS_MAX) {
    throw invalidArgument('lab.bad_hosts', `--hosts: must be from 1 to ${LAB_HOSTS_MAX}, got ${hostCount}`);
  }
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
    });
  }
  return { name, subnet, bridge: bridgeName(name), gateway: intToIpv4(base + 1), hosts, iptablesComment: iptablesComment(name) };
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
