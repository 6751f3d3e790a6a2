// The VXLAN filter, planned: who may put frames onto this host's overlays. The kernel gives all
// VXLAN devices of one UDP port a single socket bound to every address of the host, and hands
// each packet to the device of its VNI whatever its source (`nolearning` stops learning, not
// delivery). Unfiltered, anyone who reaches the host at UDP 4789 — a machine on the underlay, or
// a container through its bridge — can inject frames into any overlay. So, in the filter table:
//
//   INPUT -p udp → SHOAL-VXLAN
//     -i shb+ --dport P → DROP                  a container never sends VXLAN to its host
//     --dport P, VNI v (u32 match) → SHOAL-VXLAN-v   one chain per network
//   SHOAL-VXLAN-v
//     -s <VTEP of a peer host of v> → RETURN    one rule per peer host
//     → DROP
//
// Per network and not one list for all: a host that is a peer on one network is not let into
// another. RETURN rather than ACCEPT: the filter only takes traffic away, and the host's own
// INPUT rules still judge what passes. VNIs of no network here are left alone (the kernel drops
// them, or they are another tool's on the same port). Rules are written in the form `iptables -S`
// prints them, so that observing the host and comparing is exact; a difference rewrites the
// chains whole, atomically (`iptables-restore --noflush`). Pure: exec.ts observes and applies.
//
// This module sees only what it needs of the desired state, so that plan.ts can import it.

export const VXLAN_FILTER_CHAIN = 'SHOAL-VXLAN';
export const vxlanFilterChain = (vni: number): string => `${VXLAN_FILTER_CHAIN}-${vni}`;
const OUR_CHAIN = /^SHOAL-VXLAN(-\d+)?$/;
/** The rule that sends UDP to the filter, as `iptables -S` prints it (inserted first in INPUT). */
export const VXLAN_FILTER_JUMP = `-A INPUT -p udp -j ${VXLAN_FILTER_CHAIN}`;
/** Shoal's bridges (plan.ts bridgeName): what a container's traffic enters its host through. */
const BRIDGES = 'shb+';

/** Shoal's VXLAN filter on a host, as `iptables -S` shows it. */
export interface VxlanFilterState {
  /** Each of Shoal's VXLAN chains and its rules (`-A ...` lines), in order. */
  readonly chains: Readonly<Record<string, readonly string[]>>;
  /** The rules that jump to the filter (`-A INPUT ... -j SHOAL-VXLAN`), wherever they are. */
  readonly jumps: readonly string[];
}

export const NO_VXLAN_FILTER: VxlanFilterState = { chains: {}, jumps: [] };

/** What the filter needs of the desired state: the networks and where their remote endpoints live. */
export interface VxlanFilterInput {
  readonly networks: readonly { readonly name: string; readonly vni: number; readonly port: number }[];
  readonly remote: readonly { readonly network: string; readonly vtep: string }[];
}

/** The operation: lines for `iptables-restore --noflush` in the filter table (between `*filter` and `COMMIT`). */
export interface VxlanFilterOp {
  readonly op: 'vxlan.filter';
  readonly lines: readonly string[];
}

/**
 * The VNI of a VXLAN packet, read by the u32 match from the IPv4 header on: `0>>22&0x3c` is the
 * IP header's length (IHL × 4), `@` moves past it to the UDP header, and 12 bytes on (8 of UDP,
 * 4 of VXLAN) the 32-bit word holds the 24-bit VNI and a reserved byte, shifted away.
 */
export function vniMatch(vni: number): string {
  return `-m u32 --u32 "0x0>>0x16&0x3c@0xc>>0x8=0x${vni.toString(16)}"`;
}

/** The filter a desired state wants; nothing at all when it has no network. */
export function wantedVxlanFilter(d: VxlanFilterInput): VxlanFilterState {
  if (d.networks.length === 0) return NO_VXLAN_FILTER;
  const ports = [...new Set(d.networks.map((n) => n.port))].sort((a, b) => a - b);
  const dispatch = [
    ...ports.map((p) => `-A ${VXLAN_FILTER_CHAIN} -i ${BRIDGES} -p udp -m udp --dport ${p} -j DROP`),
    ...[...d.networks].sort((a, b) => a.vni - b.vni).map((n) => `-A ${VXLAN_FILTER_CHAIN} -p udp -m udp --dport ${n.port} ${vniMatch(n.vni)} -j ${vxlanFilterChain(n.vni)}`),
  ];
  const chains: Record<string, readonly string[]> = { [VXLAN_FILTER_CHAIN]: dispatch };
  for (const n of d.networks) {
    const vteps = [...new Set(d.remote.filter((r) => r.network === n.name).map((r) => r.vtep))].sort();
    const chain = vxlanFilterChain(n.vni);
    chains[chain] = [...vteps.map((v) => `-A ${chain} -s ${v}/32 -j RETURN`), `-A ${chain} -j DROP`];
  }
  return { chains, jumps: [VXLAN_FILTER_JUMP] };
}

/** Shoal's VXLAN filter in the output of `iptables -S` (the filter table). */
export function parseVxlanFilter(iptablesS: string): VxlanFilterState {
  const chains: Record<string, string[]> = {};
  const jumps: string[] = [];
  for (const raw of iptablesS.split('\n')) {
    const line = raw.trim();
    const [verb, chain] = line.split(' ');
    if (chain === undefined) continue;
    if (verb === '-N' && OUR_CHAIN.test(chain)) chains[chain] ??= [];
    else if (verb === '-A' && OUR_CHAIN.test(chain)) (chains[chain] ??= []).push(line);
    else if (verb === '-A' && line.endsWith(` -j ${VXLAN_FILTER_CHAIN}`)) jumps.push(line);
  }
  return { chains, jumps };
}

function same(a: VxlanFilterState, b: VxlanFilterState): boolean {
  const names = Object.keys(a.chains);
  if (names.length !== Object.keys(b.chains).length || a.jumps.join('\n') !== b.jumps.join('\n')) return false;
  return names.every((c) => b.chains[c] !== undefined && (a.chains[c] as readonly string[]).join('\n') === b.chains[c].join('\n'));
}

/**
 * The operation that makes the host's filter the wanted one, or none when it already is. Wanted
 * chains are declared (made, or emptied) and filled; jumps other than the one wanted are deleted
 * and a missing one inserted first in INPUT; chains no longer wanted are emptied, then deleted
 * once nothing refers to them — all in one transaction.
 */
export function planVxlanFilter(d: VxlanFilterInput, observed: VxlanFilterState): VxlanFilterOp[] {
  const want = wantedVxlanFilter(d);
  if (same(want, observed)) return [];
  const wanted = Object.keys(want.chains);
  const stale = Object.keys(observed.chains).filter((c) => want.chains[c] === undefined);
  const keptJump = want.jumps.find((j) => observed.jumps.includes(j));
  const deleted = observed.jumps.filter((j, i) => j !== keptJump || observed.jumps.indexOf(j) !== i);
  const lines = [
    ...wanted.map((c) => `:${c} - [0:0]`),
    ...wanted.flatMap((c) => want.chains[c] as readonly string[]),
    ...deleted.map((j) => j.replace(/^-A /, '-D ')),
    ...want.jumps.filter((j) => j !== keptJump).map((j) => j.replace(/^-A (\S+) /, '-I $1 1 ')),
    ...stale.map((c) => `-F ${c}`),
    ...stale.map((c) => `-X ${c}`),
  ];
  return [{ op: 'vxlan.filter', lines }];
}
