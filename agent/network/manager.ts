// A standalone agent's networks: the desired state this host keeps (<data>/networks.json:
// networks and their peers on other hosts), its containers' endpoints (each container on an
// overlay gets its own network namespace, `shoal-c-<id>`, with one interface per network), and
// the embedded DNS server that answers them. Every change is checked as a whole first, then
// written, then the host is reconciled (plan.ts, exec.ts). On start the host is reconciled from
// the stored state: what is missing is made, what is stale is removed, nothing else is touched.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../shared/fs-modes.js';
import { join } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import { intToIpv4, ipv4ToInt } from '../../shared/config.js';
import { alreadyExists, failedPrecondition, invalidArgument, notFound, oneLine } from '../../shared/errors.js';
import { run, runUnchecked } from '../../shared/exec.js';
import type { Logger } from '../../shared/logger.js';
import { Mutex } from '../../shared/mutex.js';
import type { Rng } from '../../shared/rng.js';
import { RecordTable, normalizeName } from '../dns/records.js';
import { DEFAULT_TTL_S } from '../dns/resolver.js';
import { DnsServer, Forwarder, type DnsLimits, type Upstream } from '../dns/server.js';
import { apply, observe, underlayOf, type HostRunner } from './exec.js';
import { enableForwarding, removeFirewall, syncFirewall, type PublishedPort } from './firewall.js';
import { VXLAN_PORT_DEFAULT, checkDesired, inSubnet, macFor, overlayMtu, parseCidr, planNetwork, type DesiredState, type HostSpec, type NetworkSpec } from './plan.js';

export interface StoredNetwork extends NetworkSpec {
  readonly gateway: string;
  readonly createdAtMs: number;
}

export interface StoredPeer {
  readonly network: string;
  readonly ip: string;
  readonly mac: string;
  readonly vtep: string;
  readonly dnsNames: readonly string[];
}

export interface Endpoint {
  readonly network: string;
  readonly ip: string;
  readonly mac: string;
  readonly aliases: readonly string[];
}

export interface PortSpec {
  readonly protocol: 'tcp' | 'udp';
  readonly hostPort: number;
  readonly containerPort: number;
}

export interface ContainerNet {
  readonly id: string;
  readonly name: string;
  readonly endpoints: readonly Endpoint[];
  /** Published on this host, to the container's first address. */
  readonly ports: readonly PortSpec[];
}

export interface Attachment {
  readonly network: string;
  /** Requested address; empty = the first free one. */
  readonly address: string;
  readonly aliases: readonly string[];
}

export interface NetworkManagerOptions {
  readonly dataDir: string;
  /** This host's underlay address (--advertise); its interface and MTU are detected. Without it no overlay can be made. */
  readonly advertise?: string;
  readonly runner: HostRunner;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger: Logger;
  readonly upstreams: readonly Upstream[];
  readonly domain?: string;
  /** TTL of the DNS answers for cluster names; default 5 s. */
  readonly dnsTtlSeconds?: number;
  /** The DNS server's limits per container and in all; default DNS_LIMITS. */
  readonly dnsLimits?: Partial<DnsLimits>;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

export const netnsName = (containerId: string): string => `shoal-c-${containerId.slice(0, 24)}`;

export class NetworkManager {
  private networks: StoredNetwork[] = [];
  private peers: StoredPeer[] = [];
  private readonly containers = new Map<string, ContainerNet>();
  private readonly lock = new Mutex();
  private readonly table = new RecordTable();
  private host: HostSpec | undefined;
  private keepUnknownVeths = false;
  readonly dns: DnsServer;

  constructor(private readonly o: NetworkManagerOptions) {
    this.dns = new DnsServer({
      table: this.table,
      rng: o.rng,
      domain: o.domain ?? 'shoal',
      ttlSeconds: o.dnsTtlSeconds ?? DEFAULT_TTL_S,
      forwarder: new Forwarder({ upstreams: o.upstreams, clock: o.clock, rng: o.rng }),
      logger: o.logger,
      clock: o.clock,
      ...(o.dnsLimits !== undefined ? { limits: o.dnsLimits } : {}),
    });
  }

  private get path(): string {
    return join(this.o.dataDir, 'networks.json');
  }

  private requireHost(): HostSpec {
    if (this.host === undefined) throw failedPrecondition('network.no_advertise', 'overlay networks need the agent to know its underlay address: start it with --advertise IP');
    return this.host;
  }

  /**
   * Loads the stored state, takes the containers that exist, reconciles the host and serves their
   * DNS. `containersUnknown`: how many container records could not be read; while there are any,
   * no veth is removed for want of an owner (one of them may own it, and run).
   */
  async open(containers: readonly ContainerNet[], o: { containersUnknown?: number } = {}): Promise<void> {
    this.keepUnknownVeths = (o.containersUnknown ?? 0) > 0;
    if (this.keepUnknownVeths) this.o.logger.warn({ containersUnknown: o.containersUnknown }, 'network: some container records are unreadable; veths without a known owner are kept');
    if (existsSync(this.path)) {
      const stored = JSON.parse(await readFile(this.path, 'utf8')) as { networks: StoredNetwork[]; peers: StoredPeer[] };
      this.networks = stored.networks;
      this.peers = stored.peers;
    }
    for (const c of containers) if (c.endpoints.length > 0) this.containers.set(c.id, c);
    if (this.o.advertise === undefined) return;
    const underlay = await underlayOf(this.o.advertise, this.o.runner);
    this.host = { vtep: this.o.advertise, underlayDevice: underlay.device, underlayMtu: underlay.mtu };
    for (const c of this.containers.values()) await ensureNetns(netnsName(c.id));
    this.rebuildRecords();
    await this.reconcile();
    for (const c of this.containers.values()) await this.serveDns(c);
  }

  async close(): Promise<void> {
    await this.dns.close();
  }

  list(): StoredNetwork[] {
    return [...this.networks];
  }

  get(name: string): StoredNetwork {
    const n = this.networks.find((x) => x.name === name);
    if (n === undefined) throw notFound('network.not_found', `no network ${JSON.stringify(name)}`);
    return n;
  }

  peersOf(network: string): StoredPeer[] {
    return this.peers.filter((p) => p.network === network);
  }

  endpointsOf(network: string): { container: ContainerNet; endpoint: Endpoint }[] {
    return [...this.containers.values()].flatMap((c) => c.endpoints.filter((e) => e.network === network).map((endpoint) => ({ container: c, endpoint })));
  }

  private desired(networks = this.networks, peers = this.peers, containers = [...this.containers.values()]): DesiredState {
    return {
      host: this.requireHost(),
      networks,
      local: containers.flatMap((c) => c.endpoints.map((e, i) => ({ network: e.network, owner: c.id, netns: netnsName(c.id), ifname: `eth${i}`, ip: e.ip, mac: e.mac }))),
      remote: peers.map((p) => ({ network: p.network, ip: p.ip, mac: p.mac, vtep: p.vtep })),
      keepUnknownVeths: this.keepUnknownVeths,
    };
  }

  private async reconcile(): Promise<void> {
    const ops = planNetwork(this.desired(), await observe(this.o.runner));
    if (ops.length > 0) this.o.logger.info({ ops: ops.length }, 'network: reconciling the host');
    await apply(ops, this.o.runner);
    if (this.networks.length === 0) {
      await removeFirewall(this.o.runner);
      return;
    }
    await enableForwarding(this.o.runner);
    await syncFirewall(this.networks, this.published(), this.o.runner);
  }

  private published(containers: Iterable<ContainerNet> = this.containers.values()): PublishedPort[] {
    return [...containers].flatMap((c) => c.ports.map((p) => ({ ...p, containerIp: (c.endpoints[0] as Endpoint).ip, owner: c.name })));
  }

  private async save(): Promise<void> {
    // Root's alone and whole after a power loss, as every record in the data dir (agent/runtime/data-dir.ts).
    await writeFileAtomic(this.path, JSON.stringify({ networks: this.networks, peers: this.peers }, null, 2));
  }

  /** Checks a candidate state as a whole, and only then makes it this host's. */
  private async commit(networks: StoredNetwork[], peers: StoredPeer[], containers = [...this.containers.values()]): Promise<void> {
    checkDesired(this.desired(networks, peers, containers));
    this.networks = networks;
    this.peers = peers;
    await this.save();
    this.rebuildRecords();
    await this.reconcile();
  }

  create(req: { name: string; vni: number; subnet: string; gateway: string; mtu: number; port: number }): Promise<StoredNetwork> {
    return this.lock.run(async () => {
      this.requireHost();
      if (!NAME.test(req.name)) throw invalidArgument('network.bad_name', `network name ${JSON.stringify(req.name)} is not valid (letters, digits, _ . -, up to 63)`);
      if (this.networks.some((n) => n.name === req.name)) throw alreadyExists('network.exists', `network ${req.name} already exists`);
      const { network, prefix } = parseCidr(req.subnet, `network ${req.name}: --subnet`);
      const gateway = req.gateway === '' ? intToIpv4(network + 1) : req.gateway;
      if (!inSubnet(gateway, req.subnet) || gateway === intToIpv4(network) || ipv4ToInt(gateway) === network + 2 ** (32 - prefix) - 1) {
        throw invalidArgument('network.bad_gateway', `network ${req.name}: gateway ${gateway} is not a host address of ${req.subnet}`);
      }
      if (req.port !== 0 && (req.port < 1 || req.port > 65535)) throw invalidArgument('network.bad_port', `network ${req.name}: port ${req.port} is not from 1 to 65535`);
      const n: StoredNetwork = {
        name: req.name,
        vni: req.vni,
        subnet: req.subnet,
        gateway,
        port: req.port === 0 ? VXLAN_PORT_DEFAULT : req.port,
        ...(req.mtu !== 0 ? { mtu: req.mtu } : {}),
        createdAtMs: this.o.clock.wallMs(),
      };
      await this.commit([...this.networks, n], this.peers);
      return n;
    });
  }

  remove(name: string): Promise<void> {
    return this.lock.run(async () => {
      this.get(name);
      const users = this.endpointsOf(name).map((x) => x.container.name);
      if (users.length > 0) throw failedPrecondition('network.in_use', `network ${name} has containers: ${users.join(', ')}; remove them first`);
      await this.commit(
        this.networks.filter((n) => n.name !== name),
        this.peers.filter((p) => p.network !== name),
      );
    });
  }

  addPeer(network: string, peer: { ip: string; mac: string; vtep: string; dnsNames: readonly string[] }): Promise<StoredNetwork> {
    return this.lock.run(async () => {
      const n = this.get(network);
      const dnsNames = peer.dnsNames.map(normalizeName);
      if (!/^\d+\.\d+\.\d+\.\d+$/.test(peer.vtep)) throw invalidArgument('network.bad_vtep', `peer ${peer.ip}: --vtep ${JSON.stringify(peer.vtep)} is not an IPv4 address`);
      const mac = peer.mac === '' ? macFor(peer.ip) : peer.mac.toLowerCase();
      if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac)) throw invalidArgument('network.bad_mac', `peer ${peer.ip}: --mac ${JSON.stringify(peer.mac)} is not a MAC address`);
      if (peer.ip === n.gateway) throw invalidArgument('network.ip_in_use', `address ${peer.ip} on network ${network} is its gateway`);
      await this.commit(this.networks, [...this.peers, { network, ip: peer.ip, mac, vtep: peer.vtep, dnsNames }]);
      return n;
    });
  }

  removePeer(network: string, ip: string): Promise<StoredNetwork> {
    return this.lock.run(async () => {
      const n = this.get(network);
      if (!this.peers.some((p) => p.network === network && p.ip === ip)) throw notFound('network.no_peer', `network ${network} has no peer ${ip}`);
      await this.commit(
        this.networks,
        this.peers.filter((p) => !(p.network === network && p.ip === ip)),
      );
      return n;
    });
  }

  /** Gives a container its namespace and an address on each network; returns where its namespace is. */
  attach(id: string, name: string, attachments: readonly Attachment[], ports: readonly PortSpec[] = []): Promise<ContainerNet> {
    return this.lock.run(async () => {
      this.requireHost();
      if (ports.length > 0 && attachments.length === 0) throw invalidArgument('network.ports_need_network', `container ${name}: publishing ports needs an overlay network (--network)`);
      const taken = this.published();
      for (const [i, p] of ports.entries()) {
        for (const port of [p.hostPort, p.containerPort]) if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalidArgument('network.bad_port', `container ${name}: port ${port} is not from 1 to 65535`);
        const clash = [...taken, ...ports.slice(0, i).map((q) => ({ ...q, owner: name }))].find((q) => q.protocol === p.protocol && q.hostPort === p.hostPort);
        if (clash !== undefined) throw alreadyExists('network.port_in_use', `host port ${p.hostPort}/${p.protocol} is already published by container ${clash.owner}`);
      }
      const seen = new Set<string>();
      const endpoints: Endpoint[] = [];
      for (const a of attachments) {
        const n = this.get(a.network);
        if (seen.has(n.name)) throw invalidArgument('network.attached_twice', `container ${name}: network ${n.name} is named twice`);
        seen.add(n.name);
        const used = new Set([n.gateway, ...this.peers.filter((p) => p.network === n.name).map((p) => p.ip), ...this.endpointsOf(n.name).map((x) => x.endpoint.ip)]);
        const ip = a.address === '' ? this.freeAddress(n, used) : a.address;
        if (a.address !== '' && used.has(ip)) throw invalidArgument('network.ip_in_use', `address ${ip} on network ${n.name} is already in use`);
        const aliases = a.aliases.map(normalizeName);
        endpoints.push({ network: n.name, ip, mac: macFor(ip), aliases });
      }
      const c: ContainerNet = { id, name, endpoints, ports };
      checkDesired(this.desired(this.networks, this.peers, [...this.containers.values(), c]));
      await ensureNetns(netnsName(id));
      this.containers.set(id, c);
      try {
        this.rebuildRecords();
        await this.reconcile();
        await this.serveDns(c);
      } catch (e) {
        this.containers.delete(id);
        this.rebuildRecords();
        await runUnchecked('ip', ['netns', 'del', netnsName(id)]);
        // Report the attach's own failure; a failed undo is logged (the next change reconciles again).
        await this.reconcile().catch((r: unknown) => this.o.logger.error({ id, err: oneLine(r) }, 'failed attach: cannot reconcile the networks back'));
        throw e;
      }
      return c;
    });
  }

  private freeAddress(n: StoredNetwork, used: ReadonlySet<string>): string {
    const { network, prefix } = parseCidr(n.subnet, n.name);
    const last = network + 2 ** (32 - prefix) - 2;
    for (let a = network + 1; a <= last; a++) {
      const ip = intToIpv4(a);
      if (!used.has(ip)) return ip;
    }
    throw failedPrecondition('network.full', `network ${n.name} has no free address left in ${n.subnet}`);
  }

  /** Removes a container's endpoints, its DNS and its namespace. */
  detach(id: string): Promise<void> {
    return this.lock.run(async () => {
      if (!this.containers.has(id)) return;
      await this.dns.stop(id);
      this.containers.delete(id);
      this.rebuildRecords();
      // Its veths first, while the namespace holds their peers: a namespace is torn down by
      // the kernel later than `ip netns del` returns.
      await this.reconcile();
      await runUnchecked('ip', ['netns', 'del', netnsName(id)]);
    });
  }

  private async serveDns(c: ContainerNet): Promise<void> {
    try {
      await this.dns.serve(
        c.id,
        `/run/netns/${netnsName(c.id)}`,
        c.endpoints.map((e) => e.network),
      );
    } catch (e) {
      this.o.logger.error({ id: c.id, err: oneLine(e) }, 'dns: cannot serve a container');
      throw e;
    }
  }

  /** The DNS records: this host's containers (name and aliases) and the peers' names. */
  private rebuildRecords(): void {
    this.table.clear();
    for (const c of this.containers.values()) for (const e of c.endpoints) this.table.upsert({ network: e.network, ip: e.ip, names: [normalizeName(c.name), ...e.aliases] });
    for (const p of this.peers) if (p.dnsNames.length > 0) this.table.upsert({ network: p.network, ip: p.ip, names: [...p.dnsNames] });
  }

  /** The containers' MTU on a network. */
  mtuOf(n: StoredNetwork): number {
    return n.mtu ?? overlayMtu(this.requireHost().underlayMtu);
  }
}

async function ensureNetns(name: string): Promise<void> {
  if (existsSync(`/run/netns/${name}`)) return;
  await run('ip', ['netns', 'add', name]);
  await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
}
