// The overlay data plane, carried out: observing Shoal's devices and entries on a host
// (iproute2's JSON output) and its VXLAN filter (`iptables -S`), and applying planned operations
// with iproute2 and bridge in batch mode — one process per run of operations of one tool, not one
// per command — and the filter with one `iptables-restore --noflush` (one transaction). A batch
// stops at its first failing line and that line's message is the error.
//
// Every command goes through a HostRunner, so the same code serves an agent in the root
// namespace and an agent (or a test) inside a lab host's namespace.

import { invalidArgument } from '../../shared/errors.js';
import { run } from '../../shared/exec.js';
import { isShoalBridge, isShoalVeth, isShoalVxlan, type NetOp, type ObservedState } from './plan.js';
import { parseVxlanFilter } from './vxlan-filter.js';

/** Runs a command on the host (in its network namespace); resolves stdout, throws with the tool's message. */
export type HostRunner = (argv: readonly string[], input?: string) => Promise<string>;

export const rootRunner: HostRunner = async (argv, input) => (await run(argv[0] as string, argv.slice(1), input === undefined ? {} : { input })).stdout;

/** A runner for the host whose network namespace is /run/netns/<netns> (a lab host). */
export function netnsRunner(netns: string): HostRunner {
  return async (argv, input) => (await run('nsenter', [`--net=/run/netns/${netns}`, '--', ...argv], input === undefined ? {} : { input })).stdout;
}

interface IpLink {
  ifname: string;
  mtu: number;
  linkinfo?: { info_kind?: string; info_data?: { id?: number; port?: number } };
}

export async function observe(runner: HostRunner): Promise<ObservedState> {
  const links = JSON.parse((await runner(['ip', '-d', '-j', 'link', 'show'])) || '[]') as IpLink[];
  const bridges = links.filter((l) => isShoalBridge(l.ifname) && l.linkinfo?.info_kind === 'bridge').map((l) => ({ name: l.ifname }));
  const vxlans = links
    .filter((l) => isShoalVxlan(l.ifname) && l.linkinfo?.info_kind === 'vxlan')
    .map((l) => ({ name: l.ifname, vni: l.linkinfo?.info_data?.id ?? 0, port: l.linkinfo?.info_data?.port ?? 0, mtu: l.mtu }));
  const veths = links.filter((l) => isShoalVeth(l.ifname) && l.linkinfo?.info_kind === 'veth').map((l) => ({ name: l.ifname }));
  const fdb: { dev: string; mac: string; dst: string }[] = [];
  const neigh: { dev: string; ip: string; mac: string }[] = [];
  for (const v of vxlans) {
    const f = JSON.parse((await runner(['bridge', '-j', 'fdb', 'show', 'dev', v.name])) || '[]') as { mac: string; dst?: string }[];
    for (const e of f) if (e.dst !== undefined && e.mac !== '00:00:00:00:00:00') fdb.push({ dev: v.name, mac: e.mac, dst: e.dst });
    const n = JSON.parse((await runner(['ip', '-j', 'neigh', 'show', 'dev', v.name, 'nud', 'permanent'])) || '[]') as { dst: string; lladdr?: string }[];
    for (const e of n) if (e.lladdr !== undefined) neigh.push({ dev: v.name, ip: e.dst, mac: e.lladdr });
  }
  const vxlanFilter = parseVxlanFilter(await runner(['iptables', '-w', '-S']));
  return { bridges, vxlans, veths, fdb, neigh, vxlanFilter };
}

type Tool = 'ip' | 'bridge' | 'iptables';

/** The lines one operation adds to the host's `ip`, `bridge` or `iptables-restore` batch, and to the container's. */
function linesOf(op: NetOp): { tool: Tool; lines: readonly string[]; inNetns?: { netns: string; lines: string[] } } {
  switch (op.op) {
    case 'vxlan.filter':
      return { tool: 'iptables', lines: op.lines };
    case 'bridge.add':
      return {
        tool: 'ip',
        lines: [`link add ${op.name} mtu ${op.mtu} type bridge`, `link set ${op.name} addrgenmode none`, ...(op.address !== undefined ? [`addr add ${op.address} dev ${op.name}`] : []), `link set ${op.name} up`],
      };
    case 'vxlan.add':
      return {
        tool: 'ip',
        lines: [
          `link add ${op.name} mtu ${op.mtu} type vxlan id ${op.vni} local ${op.vtep} dev ${op.device} dstport ${op.port} nolearning proxy`,
          `link set ${op.name} addrgenmode none`,
          `link set ${op.name} master ${op.bridge}`,
          `link set ${op.name} up`,
        ],
      };
    case 'veth.add':
      return {
        tool: 'ip',
        lines: [`link add ${op.name} mtu ${op.mtu} type veth peer name ${op.ifname} mtu ${op.mtu} netns ${op.netns}`, `link set ${op.name} master ${op.bridge}`, `link set ${op.name} up`],
        inNetns: {
          netns: op.netns,
          lines: [`link set ${op.ifname} address ${op.mac}`, `addr add ${op.address} dev ${op.ifname}`, `link set ${op.ifname} up`, 'link set lo up', ...(op.gateway !== undefined ? [`route add default via ${op.gateway}`] : [])],
        },
      };
    case 'link.del':
      return { tool: 'ip', lines: [`link del ${op.name}`] };
    case 'neigh.add':
      return { tool: 'ip', lines: [`neigh replace ${op.ip} lladdr ${op.mac} dev ${op.dev} nud permanent`] };
    case 'neigh.del':
      return { tool: 'ip', lines: [`neigh del ${op.ip} dev ${op.dev}`] };
    case 'fdb.add':
      return { tool: 'bridge', lines: [`fdb replace ${op.mac} dev ${op.dev} dst ${op.dst} self permanent`] };
    case 'fdb.del':
      return { tool: 'bridge', lines: [`fdb del ${op.mac} dev ${op.dev} dst ${op.dst} self`] };
  }
}

/** Applies operations in order, batching consecutive lines for the same tool. */
export async function apply(ops: readonly NetOp[], runner: HostRunner): Promise<{ processes: number }> {
  let tool: Tool | undefined;
  let lines: string[] = [];
  let processes = 0;
  const flush = async (): Promise<void> => {
    if (tool === undefined || lines.length === 0) return;
    if (tool === 'iptables') await runner(['iptables-restore', '-w', '--noflush'], `*filter\n${lines.join('\n')}\nCOMMIT\n`);
    else await runner([tool, '-batch', '-'], `${lines.join('\n')}\n`);
    processes++;
    lines = [];
  };
  for (const op of ops) {
    const l = linesOf(op);
    if (l.tool !== tool) {
      await flush();
      tool = l.tool;
    }
    lines.push(...l.lines);
    if (l.inNetns !== undefined) {
      await flush();
      await runner(['ip', '-n', l.inNetns.netns, '-batch', '-'], `${l.inNetns.lines.join('\n')}\n`);
      processes++;
    }
  }
  await flush();
  return { processes };
}

/** The interface that holds `address` on the host, and its MTU. */
export async function underlayOf(address: string, runner: HostRunner): Promise<{ device: string; mtu: number }> {
  const addrs = JSON.parse((await runner(['ip', '-j', 'addr', 'show'])) || '[]') as { ifname: string; mtu: number; addr_info?: { family: string; local: string }[] }[];
  const found = addrs.find((a) => (a.addr_info ?? []).some((i) => i.family === 'inet' && i.local === address));
  if (found === undefined) throw invalidArgument('network.no_underlay', `--advertise ${address}: no interface of this host has that address`);
  return { device: found.ifname, mtu: found.mtu };
}
