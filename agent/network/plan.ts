// The overlay data plane, planned: the desired state of one host (its networks, its local
// endpoints, the remote endpoints it must reach) and what the host has now go in; the
// operations that turn one into the other come out, in an order that works (devices before
// their ports, ports before entries; entries removed before devices). Pure: the executor
// (exec.ts) carries the operations out and observes the host.
//
// Per network and host: one bridge `shb<vni>` and one VXLAN device `shx<vni>` (UDP, no
// learning, ARP answered from static neighbour entries: `proxy`), both with the container MTU
// (underlay − 50). A local endpoint is a veth pair: `shv<hash>` on the bridge, its peer inside
// the container's network namespace. A remote endpoint is a static FDB entry (its MAC → its
// host's VTEP) and a static neighbour entry (its IP → its MAC) on the VXLAN device: no
// flooding, no learning, nothing flushed — entries come and go one by one. And the VXLAN filter
// (vxlan-filter.ts): a network's VXLAN packets are taken only from its peer hosts' VTEPs, never
// from a container.

import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { intToIpv4, ipv4ToInt } from '../../shared/config.js';
import { invalidArgument } from '../../shared/errors.js';
import { planVxlanFilter, type VxlanFilterOp, type VxlanFilterState } from './vxlan-filter.js';

/** VXLAN's overhead: outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8. */
export const VXLAN_OVERHEAD = 50;
export const VXLAN_PORT_DEFAULT = 4789;
export const VNI_MAX = 16_777_215;

export interface NetworkSpec {
  readonly name: string;
  readonly vni: number;
  /** CIDR, e.g. 10.20.0.0/24. */
  readonly subnet: string;
  readonly port: number;
  /** Containers' MTU on it; default (and most) the underlay's less 50. */
  readonly mtu?: number;
  /** The bridge's address on every host (containers' default route; published ports go through it). */
  readonly gateway?: string;
}

export interface HostSpec {
  /** This host's underlay address: the VXLAN source and the address remote hosts send to. */
  readonly vtep: string;
  readonly underlayDevice: string;
  readonly underlayMtu: number;
}

export interface LocalEndpoint {
  readonly network: string;
  /** Distinguishes endpoints: the container id. */
  readonly owner: string;
  /** The container's network namespace, by name under /run/netns. */
  readonly netns: string;
  /** The interface name inside the container: eth0, eth1, ... */
  readonly ifname: string;
  readonly ip: string;
  readonly mac: string;
}

export interface RemoteEndpoint {
  readonly network: string;
  readonly ip: string;
  readonly mac: string;
  readonly vtep: string;
}

export interface DesiredState {
  readonly host: HostSpec;
  readonly networks: readonly NetworkSpec[];
  readonly local: readonly LocalEndpoint[];
  readonly remote: readonly RemoteEndpoint[];
  /**
   * Keep veths no local endpoint wants: set while some container's record cannot be read, since
   * its endpoints (and so its veths' names) are unknown and it may still run.
   */
  readonly keepUnknownVeths?: boolean;
}

/** What the executor found on the host, limited to Shoal's own devices and entries. */
export interface ObservedState {
  readonly bridges: readonly { name: string }[];
  readonly vxlans: readonly { name: string; vni: number; port: number; mtu: number }[];
  /** Host ends of the endpoints' veth pairs. */
  readonly veths: readonly { name: string }[];
  /** Static FDB entries on the VXLAN devices (dst set). */
  readonly fdb: readonly { dev: string; mac: string; dst: string }[];
  /** Static neighbour entries on the VXLAN devices. */
  readonly neigh: readonly { dev: string; ip: string; mac: string }[];
  /** Shoal's VXLAN filter chains and the jump to them (vxlan-filter.ts). */
  readonly vxlanFilter: VxlanFilterState;
}

export type NetOp =
  | { readonly op: 'bridge.add'; readonly name: string; readonly mtu: number; readonly address?: string }
  | { readonly op: 'vxlan.add'; readonly name: string; readonly vni: number; readonly port: number; readonly vtep: string; readonly device: string; readonly bridge: string; readonly mtu: number }
  | { readonly op: 'veth.add'; readonly name: string; readonly bridge: string; readonly netns: string; readonly ifname: string; readonly address: string; readonly mac: string; readonly mtu: number; readonly gateway?: string }
  | { readonly op: 'link.del'; readonly name: string }
  | { readonly op: 'fdb.add'; readonly dev: string; readonly mac: string; readonly dst: string }
  | { readonly op: 'fdb.del'; readonly dev: string; readonly mac: string; readonly dst: string }
  | { readonly op: 'neigh.add'; readonly dev: string; readonly ip: string; readonly mac: string }
  | { readonly op: 'neigh.del'; readonly dev: string; readonly ip: string }
  | VxlanFilterOp;

export const bridgeName = (vni: number): string => `shb${vni}`;
export const vxlanName = (vni: number): string => `shx${vni}`;
/** The host end of an endpoint's veth: stable for (owner, network), 11 characters. */
export const vethName = (owner: string, network: string): string => `shv${createHash('sha256').update(`${owner}\0${network}`).digest('hex').slice(0, 8)}`;

export const isShoalBridge = (name: string): boolean => /^shb\d+$/.test(name);
export const isShoalVxlan = (name: string): boolean => /^shx\d+$/.test(name);
export const isShoalVeth = (name: string): boolean => /^shv[0-9a-f]{8}$/.test(name);

export function parseCidr(cidr: string, what: string): { network: number; prefix: number } {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(cidr);
  if (m === null || isIP(m[1] as string) !== 4 || Number(m[2]) > 30 || Number(m[2]) < 8) throw invalidArgument('network.bad_subnet', `${what}: ${JSON.stringify(cidr)} is not an IPv4 subnet from /8 to /30`);
  const prefix = Number(m[2]);
  const mask = (0xffffffff << (32 - prefix)) >>> 0;
  const network = ipv4ToInt(m[1] as string);
  if ((network & ~mask) >>> 0 !== 0) throw invalidArgument('network.bad_subnet', `${what}: ${cidr} has host bits set (did you mean ${intToIpv4((network & mask) >>> 0)}/${prefix}?)`);
  return { network, prefix };
}

export function inSubnet(ip: string, cidr: string): boolean {
  const { network, prefix } = parseCidr(cidr, 'subnet');
  const mask = (0xffffffff << (32 - prefix)) >>> 0;
  return isIP(ip) === 4 && ((ipv4ToInt(ip) & mask) >>> 0) === network;
}

export function overlaps(a: string, b: string): boolean {
  const x = parseCidr(a, 'subnet');
  const y = parseCidr(b, 'subnet');
  const prefix = Math.min(x.prefix, y.prefix);
  const mask = (0xffffffff << (32 - prefix)) >>> 0;
  return ((x.network & mask) >>> 0) === ((y.network & mask) >>> 0);
}

/** The MTU containers get on an overlay: what the underlay carries less VXLAN's overhead. */
export function overlayMtu(underlayMtu: number): number {
  return underlayMtu - VXLAN_OVERHEAD;
}

/** A MAC derived from an IPv4 address (locally administered, as Docker does): 02:42:a.b.c.d. */
export function macFor(ip: string): string {
  return ['02', '42', ...ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0'))].join(':');
}

/** Checks a desired state on its own: each error names what is wrong. */
export function checkDesired(d: DesiredState): void {
  const byName = new Map<string, NetworkSpec>();
  for (const n of d.networks) {
    if (byName.has(n.name)) throw invalidArgument('network.duplicate', `network ${n.name} is named twice`);
    if (!Number.isInteger(n.vni) || n.vni < 1 || n.vni > VNI_MAX) throw invalidArgument('network.bad_vni', `network ${n.name}: VNI ${n.vni} is not from 1 to ${VNI_MAX}`);
    parseCidr(n.subnet, `network ${n.name}`);
    for (const other of byName.values()) {
      if (other.vni === n.vni) throw invalidArgument('network.vni_in_use', `network ${n.name}: VNI ${n.vni} is already used by network ${other.name}`);
      if (overlaps(other.subnet, n.subnet)) throw invalidArgument('network.subnet_overlap', `network ${n.name}: subnet ${n.subnet} overlaps ${other.name}'s ${other.subnet}`);
    }
    byName.set(n.name, n);
  }
  if (overlayMtu(d.host.underlayMtu) < 576) throw invalidArgument('network.mtu_too_small', `underlay ${d.host.underlayDevice}: MTU ${d.host.underlayMtu} leaves less than 576 bytes for containers after VXLAN's ${VXLAN_OVERHEAD}`);
  for (const n of d.networks) {
    if (n.mtu !== undefined && (n.mtu > overlayMtu(d.host.underlayMtu) || n.mtu < 576)) {
      throw invalidArgument('network.bad_mtu', `network ${n.name}: MTU ${n.mtu} cannot be carried: the underlay ${d.host.underlayDevice} (MTU ${d.host.underlayMtu}) carries at most ${overlayMtu(d.host.underlayMtu)} after VXLAN's ${VXLAN_OVERHEAD}, and the least is 576`);
    }
  }
  // These go into iptables rules: nothing but numbers and addresses may reach them.
  if (isIP(d.host.vtep) !== 4) throw invalidArgument('network.bad_vtep', `this host's VTEP ${JSON.stringify(d.host.vtep)} is not an IPv4 address`);
  for (const n of d.networks) if (!Number.isInteger(n.port) || n.port < 1 || n.port > 65535) throw invalidArgument('network.bad_port', `network ${n.name}: port ${n.port} is not from 1 to 65535`);
  for (const r of d.remote) if (isIP(r.vtep) !== 4) throw invalidArgument('network.bad_vtep', `remote endpoint ${r.ip}: VTEP ${JSON.stringify(r.vtep)} is not an IPv4 address`);
  const used = new Map<string, string>();
  for (const e of [...d.local, ...d.remote]) {
    const n = byName.get(e.network);
    if (n === undefined) throw invalidArgument('network.unknown', `endpoint ${e.ip}: no network ${e.network}`);
    if (!inSubnet(e.ip, n.subnet)) throw invalidArgument('network.ip_outside', `endpoint ${e.ip} is outside network ${n.name}'s subnet ${n.subnet}`);
    const key = `${e.network}/${e.ip}`;
    if (used.has(key)) throw invalidArgument('network.ip_in_use', `address ${e.ip} on network ${n.name} is already used by ${used.get(key)}`);
    used.set(key, 'owner' in e ? `container ${e.owner}` : `a remote endpoint on ${e.vtep}`);
  }
}

/** The operations that bring the host from `observed` to `desired`, in a workable order. */
export function planNetwork(desired: DesiredState, observed: ObservedState): NetOp[] {
  checkDesired(desired);
  const mtuOf = (n: NetworkSpec): number => n.mtu ?? overlayMtu(desired.host.underlayMtu);
  const nets = new Map(desired.networks.map((n) => [n.name, n]));
  const adds: NetOp[] = [];
  const entryAdds: NetOp[] = [];
  const entryDels: NetOp[] = [];
  const linkDels: NetOp[] = [];

  const haveBridge = new Set(observed.bridges.map((b) => b.name));
  const haveVxlan = new Map(observed.vxlans.map((v) => [v.name, v]));
  const wantBridges = new Set<string>();
  const wantVxlans = new Set<string>();
  for (const n of desired.networks) {
    const br = bridgeName(n.vni);
    const vx = vxlanName(n.vni);
    wantBridges.add(br);
    wantVxlans.add(vx);
    const mtu = mtuOf(n);
    const prefix = parseCidr(n.subnet, n.name).prefix;
    if (!haveBridge.has(br)) adds.push({ op: 'bridge.add', name: br, mtu, ...(n.gateway !== undefined ? { address: `${n.gateway}/${prefix}` } : {}) });
    const v = haveVxlan.get(vx);
    if (v !== undefined && (v.port !== n.port || v.mtu !== mtu || v.vni !== n.vni)) linkDels.push({ op: 'link.del', name: vx });
    if (v === undefined || v.port !== n.port || v.mtu !== mtu || v.vni !== n.vni) {
      adds.push({ op: 'vxlan.add', name: vx, vni: n.vni, port: n.port, vtep: desired.host.vtep, device: desired.host.underlayDevice, bridge: br, mtu });
    }
  }

  const haveVeth = new Set(observed.veths.map((v) => v.name));
  const wantVeths = new Set<string>();
  for (const e of desired.local) {
    const n = nets.get(e.network) as NetworkSpec;
    const name = vethName(e.owner, e.network);
    wantVeths.add(name);
    if (!haveVeth.has(name)) {
      // The first interface carries the default route, through its network's gateway.
      const gateway = e.ifname === 'eth0' && n.gateway !== undefined ? { gateway: n.gateway } : {};
      adds.push({ op: 'veth.add', name, bridge: bridgeName(n.vni), netns: e.netns, ifname: e.ifname, address: `${e.ip}/${parseCidr(n.subnet, n.name).prefix}`, mac: e.mac, mtu: mtuOf(n), ...gateway });
    }
  }

  // Remote endpoints: exactly the desired static entries on each VXLAN device.
  const wantFdb = new Map<string, { dev: string; mac: string; dst: string }>();
  const wantNeigh = new Map<string, { dev: string; ip: string; mac: string }>();
  for (const e of desired.remote) {
    const dev = vxlanName((nets.get(e.network) as NetworkSpec).vni);
    wantFdb.set(`${dev} ${e.mac} ${e.vtep}`, { dev, mac: e.mac, dst: e.vtep });
    wantNeigh.set(`${dev} ${e.ip}`, { dev, ip: e.ip, mac: e.mac });
  }
  const rebuilt = new Set(linkDels.map((o) => (o as { name: string }).name));
  const haveFdb = new Set(observed.fdb.filter((f) => !rebuilt.has(f.dev)).map((f) => `${f.dev} ${f.mac} ${f.dst}`));
  const haveNeigh = new Map(observed.neigh.filter((n) => !rebuilt.has(n.dev)).map((n) => [`${n.dev} ${n.ip}`, n]));
  for (const f of observed.fdb) if (!rebuilt.has(f.dev) && wantVxlans.has(f.dev) && !wantFdb.has(`${f.dev} ${f.mac} ${f.dst}`)) entryDels.push({ op: 'fdb.del', ...f });
  for (const n of observed.neigh) {
    const want = wantNeigh.get(`${n.dev} ${n.ip}`);
    if (!rebuilt.has(n.dev) && wantVxlans.has(n.dev) && (want === undefined || want.mac !== n.mac)) entryDels.push({ op: 'neigh.del', dev: n.dev, ip: n.ip });
  }
  for (const [key, f] of wantFdb) if (!haveFdb.has(key)) entryAdds.push({ op: 'fdb.add', ...f });
  for (const [key, n] of wantNeigh) {
    const have = haveNeigh.get(key);
    if (have === undefined || have.mac !== n.mac) entryAdds.push({ op: 'neigh.add', ...n });
  }

  if (desired.keepUnknownVeths !== true) for (const v of observed.veths) if (!wantVeths.has(v.name)) linkDels.push({ op: 'link.del', name: v.name });
  for (const v of observed.vxlans) if (!wantVxlans.has(v.name)) linkDels.push({ op: 'link.del', name: v.name });
  for (const b of observed.bridges) if (!wantBridges.has(b.name)) linkDels.push({ op: 'link.del', name: b.name });

  // Entries go before the devices they sit on; devices come before what sits on them. The filter
  // changes after a removed network's device is gone and before a new one exists, so that no
  // VXLAN device is ever up without it.
  return [...entryDels, ...linkDels, ...planVxlanFilter(desired, observed.vxlanFilter), ...adds, ...entryAdds];
}
