// Shoal's iptables rules on a host: published ports (DNAT from the host's addresses to a
// container, for traffic from other hosts and from the host itself) and the FORWARD rules the
// overlay needs — traffic within one network's bridge accepted (hosts where Docker set the
// FORWARD policy to DROP and br_netfilter sends bridged frames through it), traffic between two
// networks' bridges dropped (each bridge holds its gateway address, so the host could route
// between them), published and outgoing traffic accepted — except UDP to a VXLAN port: a
// container's VXLAN never leaves its host, so that it cannot pose as its host, or with a forged
// source as another, to a VTEP elsewhere (vxlan-filter.ts guards what arrives; this guards what
// leaves).
//
// The rules live in Shoal's own chains, SHOAL-FORWARD (filter) and SHOAL-DNAT (nat), written
// whole and atomically with `iptables-restore --noflush` (which resets only the chains it
// declares); one jump rule each from FORWARD, PREROUTING and OUTPUT. Nothing else is touched.
// The rule text is pure; syncFirewall and removeFirewall run the tools.

import type { HostRunner } from './exec.js';
import { bridgeName } from './plan.js';

export interface PublishedPort {
  readonly protocol: 'tcp' | 'udp';
  readonly hostPort: number;
  readonly containerIp: string;
  readonly containerPort: number;
  /** The container that published it, for error messages. */
  readonly owner: string;
}

const JUMPS: readonly (readonly string[])[] = [
  ['-t', 'filter', 'FORWARD', '-j', 'SHOAL-FORWARD'],
  ['-t', 'nat', 'PREROUTING', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'SHOAL-DNAT'],
  ['-t', 'nat', 'OUTPUT', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'SHOAL-DNAT'],
];

/** The iptables-restore input for Shoal's chains. */
export function firewallRules(networks: readonly { readonly vni: number; readonly port: number }[], ports: readonly PublishedPort[]): string {
  const vxlanPorts = [...new Set(networks.map((n) => n.port))].sort((a, b) => a - b);
  const filter = [
    '*filter',
    ':SHOAL-FORWARD - [0:0]',
    ...networks.map((n) => `-A SHOAL-FORWARD -i ${bridgeName(n.vni)} -o ${bridgeName(n.vni)} -j ACCEPT`),
    '-A SHOAL-FORWARD -i shb+ -o shb+ -j DROP',
    ...vxlanPorts.map((p) => `-A SHOAL-FORWARD -i shb+ -p udp -m udp --dport ${p} -j DROP`),
    '-A SHOAL-FORWARD -o shb+ -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-A SHOAL-FORWARD -o shb+ -m conntrack --ctstate DNAT -j ACCEPT',
    '-A SHOAL-FORWARD -i shb+ -j ACCEPT',
    'COMMIT',
  ];
  const nat = ['*nat', ':SHOAL-DNAT - [0:0]', ...ports.map((p) => `-A SHOAL-DNAT -p ${p.protocol} --dport ${p.hostPort} -j DNAT --to-destination ${p.containerIp}:${p.containerPort}`), 'COMMIT'];
  return `${[...filter, ...nat].join('\n')}\n`;
}

/** Writes Shoal's chains and makes sure each jump to them exists once. */
export async function syncFirewall(networks: readonly { readonly vni: number; readonly port: number }[], ports: readonly PublishedPort[], runner: HostRunner): Promise<void> {
  await runner(['iptables-restore', '--noflush'], firewallRules(networks, ports));
  for (const [, table, chain, ...rule] of JUMPS) {
    const present = await runner(['sh', '-c', `iptables -t ${table} -C ${chain} ${rule.join(' ')} 2>/dev/null && echo yes || true`]);
    if (present.trim() !== 'yes') await runner(['iptables', '-t', table as string, '-I', chain as string, '1', ...rule]);
  }
}

/** Removes the jumps and Shoal's chains; what is already gone is fine. */
export async function removeFirewall(runner: HostRunner): Promise<void> {
  for (const [, table, chain, ...rule] of JUMPS) {
    await runner(['sh', '-c', `while iptables -t ${table} -D ${chain} ${rule.join(' ')} 2>/dev/null; do :; done; true`]);
  }
  await runner(['sh', '-c', 'iptables -t filter -F SHOAL-FORWARD 2>/dev/null; iptables -t filter -X SHOAL-FORWARD 2>/dev/null; iptables -t nat -F SHOAL-DNAT 2>/dev/null; iptables -t nat -X SHOAL-DNAT 2>/dev/null; true']);
}

/** Lets the host forward between its underlay and the bridges (net.ipv4.ip_forward, per network namespace); left on when the last network goes (README.md). */
export async function enableForwarding(runner: HostRunner): Promise<void> {
  await runner(['sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward']);
}
