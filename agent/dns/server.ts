// The embedded DNS server: UDP and TCP on 127.0.0.11:53 inside each container's network
// namespace (sockets made there by agent/sys bindInNetns, then adopted by dgram and net, so
// that every container is served by this one event loop), answering from the record table
// (resolver.ts) and forwarding other names to the host's resolvers (Forwarder): a timeout per
// upstream, SERVFAIL when they all fail.
//
// Every container shares this one process, so none may take what the others need: its TCP
// connections, and its forwarded queries waiting for an upstream, are capped per container (and
// in all), and a TCP connection that brings no whole query within the idle timeout is closed,
// however many bytes it dribbles (DNS_LIMITS). A limit hit is logged, rate-limited.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect, createServer, isIP, type Server, type Socket } from 'node:net';
import type { Clock, Timer } from '../../shared/clock.js';
import { invalidArgument, oneLine } from '../../shared/errors.js';
import { RateLimitedLog } from '../../shared/log-limit.js';
import type { Logger } from '../../shared/logger.js';
import type { Rng } from '../../shared/rng.js';
import { bindInNetns } from '../sys/libc.js';
import type { RecordTable } from './records.js';
import { RCODE, errorResponse, resolve } from './resolver.js';

export const DNS_ADDRESS = '127.0.0.11';

/** The embedded DNS server's limits; each one, when hit, is logged (DnsLimits.limitLogIntervalMs). */
export const DNS_LIMITS = {
  /** TCP connections one container may hold open; one more is closed at once. */
  tcpConnectionsPerContainerMax: 16,
  /** TCP connections of all containers together (each is a file descriptor of the agent). */
  tcpConnectionsMax: 1024,
  /** A TCP connection is closed this long after its last whole query or answer; a part of one does not count. */
  tcpIdleTimeoutMs: 10_000,
  /** Answers waiting on one TCP connection for the client to read them: past this, no more queries are read from it. */
  tcpUnsentBytesMax: 256 * 1024,
  /** Forwarded queries of one container waiting for an upstream; one more is answered SERVFAIL at once. */
  forwardedInFlightPerContainerMax: 64,
  /** Forwarded queries of all containers waiting for an upstream. */
  forwardedInFlightMax: 1024,
  /** One log line per limit and container per this interval, with a count of those held back. */
  limitLogIntervalMs: 10_000,
} as const;

export type DnsLimits = { readonly [K in keyof typeof DNS_LIMITS]: number };

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
}

/**
 * Forwards queries to upstream resolvers over UDP (TCP when the answer is truncated). How many
 * are in flight is its caller's to bound (DnsServer: DNS_LIMITS.forwardedInFlight*).
 */
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
    if (this.closed || this.o.upstreams.length === 0) return errorResponse(query, RCODE.SERVFAIL);
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
  readonly clock: Clock;
  /** DNS_LIMITS, each one replaceable. */
  readonly limits?: Partial<DnsLimits>;
  /** Where to listen inside each namespace; 127.0.0.11:53 unless a test says otherwise. */
  readonly address?: string;
  readonly port?: number;
}

interface Served {
  readonly id: string;
  readonly udp: UdpSocket;
  readonly tcp: Server;
  readonly connections: Set<Socket>;
  networks: ReadonlySet<string>;
  /** Its forwarded queries waiting for an upstream. */
  forwarding: number;
}

export class DnsServer {
  private readonly served = new Map<string, Served>();
  private readonly limits: DnsLimits;
  private readonly limitLog: RateLimitedLog;
  private tcpConnections = 0;
  private forwarding = 0;

  constructor(private readonly o: DnsServerOptions) {
    this.limits = { ...DNS_LIMITS, ...o.limits };
    this.limitLog = new RateLimitedLog(o.logger, o.clock, this.limits.limitLogIntervalMs);
  }

  /** Logs that `limit` was hit for container `id` (one line per limit, container and interval). */
  private limitHit(limit: keyof DnsLimits, id: string, msg: string, level: 'info' | 'warn' = 'warn'): void {
    this.limitLog.note(level, `${id}\0${limit}`, { container: id, limit, value: this.limits[limit] }, msg);
  }

  /** Serves the container `id` inside `netnsPath`; it sees names on `networks` only. */
  async serve(id: string, netnsPath: string, networks: Iterable<string>): Promise<void> {
    if (this.served.has(id)) {
      this.setNetworks(id, networks);
      return;
    }
    const { udpFd, tcpFd } = bindInNetns(netnsPath, this.o.address ?? DNS_ADDRESS, this.o.port ?? 53);
    const udp = createSocket('udp4');
    const tcp = createServer();
    const s: Served = { id, udp, tcp, connections: new Set(), networks: new Set(networks), forwarding: 0 };
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
    return this.forward(msg, s, transport);
  }

  /** Forwards within the container's quota and the global one; beyond them, SERVFAIL at once. */
  private forward(msg: Buffer, s: Served, transport: 'udp' | 'tcp'): Buffer | Promise<Buffer> {
    if (s.forwarding >= this.limits.forwardedInFlightPerContainerMax) {
      this.limitHit('forwardedInFlightPerContainerMax', s.id, 'dns: a container has too many forwarded queries waiting for an upstream; answering SERVFAIL');
      return errorResponse(msg, RCODE.SERVFAIL);
    }
    if (this.forwarding >= this.limits.forwardedInFlightMax) {
      this.limitHit('forwardedInFlightMax', s.id, 'dns: too many forwarded queries waiting for an upstream in all; answering SERVFAIL');
      return errorResponse(msg, RCODE.SERVFAIL);
    }
    s.forwarding++;
    this.forwarding++;
    return this.o.forwarder.forward(msg, transport).finally(() => {
      s.forwarding--;
      this.forwarding--;
    });
  }

  private onTcp(c: Socket, s: Served): void {
    if (s.connections.size >= this.limits.tcpConnectionsPerContainerMax || this.tcpConnections >= this.limits.tcpConnectionsMax) {
      const limit = s.connections.size >= this.limits.tcpConnectionsPerContainerMax ? 'tcpConnectionsPerContainerMax' : 'tcpConnectionsMax';
      c.destroy();
      this.limitHit(limit, s.id, 'dns: too many TCP connections; closing a new one');
      return;
    }
    s.connections.add(c);
    this.tcpConnections++;
    // Idle means no whole message: the timer restarts on a query read in full or an answer
    // written, never on a byte, so that a client dribbling bytes is cut off all the same.
    let idle: Timer | undefined;
    const restartIdle = (): void => {
      idle?.cancel();
      idle = this.o.clock.setTimer(this.limits.tcpIdleTimeoutMs, () => {
        this.limitHit('tcpIdleTimeoutMs', s.id, 'dns: closing a TCP connection that sent no whole query in time', 'info');
        c.destroy();
      });
    };
    restartIdle();
    c.on('close', () => {
      idle?.cancel();
      s.connections.delete(c);
      this.tcpConnections--;
    });
    // A client that resets its connection: 'close' follows and forgets it.
    c.on('error', () => undefined);
    // Answers the client does not read pile up here: stop reading its queries until they drain.
    c.on('drain', () => c.resume());
    const send = (bytes: Buffer | undefined): void => {
      if (bytes === undefined || c.destroyed) return;
      const len = Buffer.alloc(2);
      len.writeUInt16BE(bytes.length);
      c.write(Buffer.concat([len, bytes]));
      restartIdle();
      if (c.writableLength > this.limits.tcpUnsentBytesMax && !c.isPaused()) {
        c.pause();
        this.limitHit('tcpUnsentBytesMax', s.id, 'dns: a TCP client does not read its answers; reading no more of its queries until it does', 'info');
      }
    };
    let buf: Buffer = Buffer.alloc(0);
    c.on('data', (d: Buffer) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = Buffer.from(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + msg.length);
        restartIdle();
        const answer = this.answer(msg, s, 'tcp');
        if (answer instanceof Promise) void answer.then(send);
        else send(answer);
      }
      // What is left is less than one whole message: at most 2 + 65,535 bytes, the prefix's bound.
    });
  }

  async stop(id: string): Promise<void> {
    const s = this.served.get(id);
    if (s === undefined) return;
    this.served.delete(id);
    this.limitLog.forget(`${id}\0`);
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
