// The names the embedded DNS server answers for: every endpoint (a container's address on one
// network) with the names it goes by there — its container name, its aliases, its service's
// name and `tasks.<service>`. A container sees only endpoints on networks it is attached to.
// Pure: the agent feeds it from the plan (standalone) or the cluster's state (later).

import { isIP } from 'node:net';
import { invalidArgument } from '../../shared/errors.js';

export interface DnsEndpoint {
  readonly network: string;
  readonly ip: string;
  /** Names it answers to on that network; the first is its own (the PTR answer). */
  readonly names: readonly string[];
}

const LABEL = /^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$/;

/** Lower case, no trailing dot; refuses what is not a DNS name. */
export function normalizeName(raw: string): string {
  const name = raw.toLowerCase().replace(/\.$/, '');
  if (name === '' || name.length > 253 || !name.split('.').every((l) => LABEL.test(l))) throw invalidArgument('dns.bad_name', `${JSON.stringify(raw)} is not a DNS name`);
  return name;
}

export class RecordTable {
  /** network → name → ips (insertion order; answers shuffle them). */
  private readonly byName = new Map<string, Map<string, Set<string>>>();
  /** network → ip → endpoint. */
  private readonly byIp = new Map<string, Map<string, DnsEndpoint>>();

  /** Adds or replaces the endpoint at (network, ip). */
  upsert(e: DnsEndpoint): void {
    if (isIP(e.ip) !== 4) throw invalidArgument('dns.bad_ip', `endpoint address ${JSON.stringify(e.ip)} is not an IPv4 address`);
    if (e.names.length === 0) throw invalidArgument('dns.no_name', `endpoint ${e.ip} has no name`);
    const names = e.names.map(normalizeName);
    this.remove(e.network, e.ip);
    const endpoint = { network: e.network, ip: e.ip, names };
    let ips = this.byIp.get(e.network);
    if (ips === undefined) this.byIp.set(e.network, (ips = new Map()));
    ips.set(e.ip, endpoint);
    let table = this.byName.get(e.network);
    if (table === undefined) this.byName.set(e.network, (table = new Map()));
    for (const n of names) {
      let set = table.get(n);
      if (set === undefined) table.set(n, (set = new Set()));
      set.add(e.ip);
    }
  }

  remove(network: string, ip: string): void {
    const old = this.byIp.get(network)?.get(ip);
    if (old === undefined) return;
    this.byIp.get(network)?.delete(ip);
    const table = this.byName.get(network);
    for (const n of old.names) {
      const set = table?.get(n);
      set?.delete(ip);
      if (set?.size === 0) table?.delete(n);
    }
  }

  /** Every address `name` has on the given networks (duplicates across networks once). */
  lookup(name: string, networks: Iterable<string>): string[] {
    const out = new Set<string>();
    for (const n of networks) for (const ip of this.byName.get(n)?.get(name) ?? []) out.add(ip);
    return [...out];
  }

  /** The endpoint's own name for an address seen on the given networks. */
  reverse(ip: string, networks: Iterable<string>): string | undefined {
    for (const n of networks) {
      const e = this.byIp.get(n)?.get(ip);
      if (e !== undefined) return e.names[0];
    }
    return undefined;
  }

  clear(): void {
    this.byName.clear();
    this.byIp.clear();
  }
}
