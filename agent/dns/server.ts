// The embedded DNS server: UDP and TCP on 127.0.0.11:53 inside each container's network
// namespace (sockets made there by agent/sys bindInNetns, then adopted by dgram and net, so
// that every container is served by this one event loop), answering from the record table
// (resolver.ts) and forwarding other names to the host's resolvers (Forwarder): a bounded
// number of queries in flight, a timeout per upstream, SERVFAIL when they all fail.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect, createServer, isIP, type Server, type Socket } from 'node:net';
import type { Clock } from '../../shared/clock.js';
import { invalidArgument, oneLine } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { Rng } from '../../shared/rng.js';
import { bindInNetns } from '../sys/libc.js';
import type { RecordTable } from './records.js';
import { RCODE, errorResponse, resolve } from './resolver.js';

export const DNS_ADDRESS = '127.0.0.11';
const TCP_MESSAGE_MAX = 65_535;
const TCP_IDLE_MS = 10_000;

export interface Upstream {
  readonly ip: string;
  readonly port: number;
}

/** `nameserver` lines of a resolv.conf; loopback ones are skipped (unreachable from containers' view and often a local stub). */
export function upstreamsFromResolvConf(text: string): Upstream[] {
  return text
    .split('\n')
    .map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1])
    .filter((ip): ip is string => ip !== undefined && isIP(ip) === 4 && !ip.startsWith('127.'))
    .map((ip) => ({ ip, port: 53 }));
}

/** `IP` or `IP:PORT`. */
export function parseUpstream(raw: string): Upstream {
  const m = /^(\d+\.\d+\.\d+\.\d+)(?::(\d{1,5}))?$/.exec(raw.trim());
  if (m === null || isIP(m[1] as string) !== 4 || Number(m[2] ?? 53) > 65535) throw invalidArgument('dns.bad_upstream', `DNS upstream ${JSON.stringify(raw)} is not IPv4[:port]`);
  return { ip: m[1] as string, port: Number(m[2] ?? 53) };
}

export interface ForwarderOptions {
  readonly upstreams: readonly Upstream[];
  readonly clock: Clock;
  readonly rng: Rng;
  readonly timeoutMs?: number;
  readonly maxInFlight?: number;
}

/** Forwards queries to upstream resolvers over UDP (TCP when the answer is truncated). */
export class Forwarder {
  private socket: UdpSocket | undefined;
  private closed = false;
  private readonly pending = new Map<number, { upstream: Upstream; resolve: (b: Buffer | undefined) => void }>();

  constructor(private readonly o: ForwarderOptions) {}

  private udp(): UdpSocket {
    if (this.socket !== undefined) return this.socket;
    const s = createSocket('udp4');
    s.on('message', (msg, from) => {
      if (msg.length < 12) return;
      const p = this.pending.get(msg.readUInt16BE(0));
      if (p === undefined || p.upstream.ip !== from.address || p.upstream.port !== from.port) return;
      p.resolve(msg);
    });
    // A failed send is answered in its own callback (SERVFAIL, below), a lost answer by the timeout.
    s.on('error', () => undefined);
    s.unref();
    this.socket = s;
    return s;
  }

  /** The upstream's answer with the query's own id, or SERVFAIL. Never rejects. */
  async forward(query: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer> {
    if (this.closed || this.o.upstreams.length === 0 || this.pending.size >= (this.o.maxInFlight ?? 256)) return errorResponse(query, RCODE.SERVFAIL);
    for (const upstream of this.o.upstreams) {
      if (this.closed) break;
      let answer = await this.askUdp(query, upstream);
      if (answer !== undefined && transport === 'tcp' && ((answer[2] as number) & 0x02) !== 0) answer = await this.askTcp(query, upstream);
      if (answer !== undefined) {
        query.copy(answer, 0, 0, 2);
        return answer;
      }
    }
    return errorResponse(query, RCODE.SERVFAIL);
  }

  private askUdp(query: Buffer, upstream: Upstream): Promise<Buffer | undefined> {
    let id = this.o.rng.int(65536);
    for (let tries = 0; this.pending.has(id) && tries < 65536; tries++) id = (id + 1) % 65536;
    const out = Buffer.from(query);
    out.writeUInt16BE(id, 0);
    return new Promise((resolve) => {
      const timer = this.o.clock.setTimer(this.o.timeoutMs ?? 2_000, () => {
        this.pending.delete(id);
        resolve(undefined);
      });
      this.pending.set(id, {
        upstream,
        resolve: (b) => {
          timer.cancel();
          this.pending.delete(id);
          resolve(b);
        },
      });
      this.udp().send(out, upstream.port, upstream.ip, (err) => {
        if (err) this.pending.get(id)?.resolve(errorResponse(query, RCODE.SERVFAIL));
      });
    });
  }

  private askTcp(query: Buffer, upstream: Upstream): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const s = connect(upstream.port, upstream.ip);
      const timer = this.o.clock.setTimer(this.o.timeoutMs ?? 2_000, () => s.destroy());
      let buf = Buffer.alloc(0);
      let done = false;
      const finish = (v: Buffer | undefined): void => {
        if (done) return;
        done = true;
        timer.cancel();
        s.destroy();
        resolve(v);
      };
      s.on('connect', () => {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(query.length);
        s.write(Buffer.concat([len, query]));
      });
      s.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) finish(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      });
      s.on('error', () => finish(undefined));
      s.on('close', () => finish(undefined));
    });
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
    this.socket = undefined;
    for (const p of [...this.pending.values()]) p.resolve(undefined);
  }
}

export interface DnsServerOptions {
  readonly table: RecordTable;
  readonly rng: Rng;
  readonly domain: string;
  readonly ttlSeconds: number;
  readonly forwarder: Forwarder;
  readonly logger: Logger;
  /** Where to listen inside each namespace; 127.0.0.11:53 unless a test says otherwise. */
  readonly address?: string;
  readonly port?: number;
}

interface Served {
  readonly udp: UdpSocket;
  readonly tcp: Server;
  readonly connections: Set<Socket>;
  networks: ReadonlySet<string>;
}

export class DnsServer {
  private readonly served = new Map<string, Served>();

  constructor(private readonly o: DnsServerOptions) {}

  /** Serves the container `id` inside `netnsPath`; it sees names on `networks` only. */
  async serve(id: string, netnsPath: string, networks: Iterable<string>): Promise<void> {
    if (this.served.has(id)) {
      this.setNetworks(id, networks);
      return;
    }
    const { udpFd, tcpFd } = bindInNetns(netnsPath, this.o.address ?? DNS_ADDRESS, this.o.port ?? 53);
    const udp = createSocket('udp4');
    const tcp = createServer();
    const s: Served = { udp, tcp, connections: new Set(), networks: new Set(networks) };
    await new Promise<void>((resolve) => udp.bind({ fd: udpFd }, resolve));
    await new Promise<void>((resolve) => tcp.listen({ fd: tcpFd }, resolve));
    udp.on('message', (msg, from) => {
      const send = (bytes: Buffer | undefined): void => {
        if (bytes === undefined || this.served.get(id) !== s) return; // stopped meanwhile
        // An answer that cannot be sent (the container is gone): the client retries; one log line a packet would flood.
        udp.send(bytes, from.port, from.address, () => undefined);
      };
      const answer = this.answer(msg, s, 'udp');
      // Cluster names are answered at once; only forwarded names wait for an upstream.
      if (answer instanceof Promise) void answer.then(send);
      else send(answer);
    });
    udp.on('error', (e) => this.o.logger.warn({ id, err: oneLine(e) }, 'dns udp socket error'));
    tcp.on('connection', (c) => this.onTcp(c, s));
    this.served.set(id, s);
  }

  setNetworks(id: string, networks: Iterable<string>): void {
    const s = this.served.get(id);
    if (s !== undefined) s.networks = new Set(networks);
  }

  private answer(msg: Buffer, s: Served, transport: 'udp' | 'tcp'): Buffer | undefined | Promise<Buffer> {
    let d;
    try {
      d = resolve(msg, s.networks, transport, this.o);
    } catch (e) {
      this.o.logger.warn({ err: oneLine(e) }, 'dns: a query broke the resolver');
      return errorResponse(msg, RCODE.SERVFAIL);
    }
    if (d.kind === 'drop') return undefined;
    if (d.kind === 'answer') return d.bytes;
    return this.o.forwarder.forward(msg, transport);
  }

  private onTcp(c: Socket, s: Served): void {
    s.connections.add(c);
    c.setTimeout(TCP_IDLE_MS, () => c.destroy());
    c.on('close', () => s.connections.delete(c));
    // A client that resets its connection: 'close' follows and forgets it.
    c.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    c.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length > TCP_MESSAGE_MAX + 2) {
        c.destroy();
        return;
      }
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        void Promise.resolve(this.answer(Buffer.from(msg), s, 'tcp')).then((bytes) => {
          if (bytes === undefined || c.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(bytes.length);
          c.write(Buffer.concat([len, bytes]));
        });
      }
    });
  }

  async stop(id: string): Promise<void> {
    const s = this.served.get(id);
    if (s === undefined) return;
    this.served.delete(id);
    s.udp.close();
    for (const c of s.connections) c.destroy();
    await new Promise<void>((resolve) => s.tcp.close(() => resolve()));
  }

  async close(): Promise<void> {
    for (const id of [...this.served.keys()]) await this.stop(id);
    this.o.forwarder.close();
  }
}

/** The host's resolvers, for a forwarder that has no upstream configured. */
export function hostUpstreams(path = '/etc/resolv.conf'): Upstream[] {
  try {
    return upstreamsFromResolvConf(readFileSync(path, 'utf8'));
  } catch {
    return []; // no resolv.conf: outside names get SERVFAIL, as with no upstream configured
  }
}
