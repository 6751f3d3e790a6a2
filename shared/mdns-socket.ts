// The one edge of discovery that touches the network: a multicast DNS socket (the
// `multicast-dns` package) on one interface, the one of an advertise address. It binds
// 0.0.0.0:5353 with SO_REUSEADDR (so a manager, an agent and the host's own mDNS daemon share
// the port) and joins 224.0.0.251 on that interface only; what it sends leaves by that
// interface. Bounded and safe: a packet larger than MDNS_PACKET_BYTES_MAX is dropped before our
// code looks at it, a packet that is not DNS is dropped by the package, and a handler that
// throws is logged: no packet can crash the process. Pure parts: shared/discovery.ts.

import type { RemoteInfo } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import type { Answer, Question } from 'dns-packet';
import makeMdns from 'multicast-dns';
import type { Clock } from './clock.js';
import { MDNS_GROUP, MDNS_PACKET_BYTES_MAX, MDNS_PORT } from './discovery.js';
import { oneLine, unavailable } from './errors.js';
import { RateLimitedLog } from './log-limit.js';
import type { Logger } from './logger.js';

/** The interface that holds `address` (IPv4), with its netmask; undefined when none does. */
export function interfaceOf(address: string): { name: string; netmask: string } | undefined {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    const hit = addrs?.find((a) => a.family === 'IPv4' && a.address === address);
    if (hit !== undefined) return { name, netmask: hit.netmask };
  }
  return undefined;
}

export interface MdnsPacket {
  readonly id?: number | undefined;
  readonly questions?: Question[] | undefined;
  readonly answers?: Answer[] | undefined;
  readonly additionals?: Answer[] | undefined;
}

export type MdnsHandler = (packet: MdnsPacket, from: { address: string; port: number }) => void;

/** What discovery needs of a socket (tests give a fake). */
export interface MdnsSocket {
  onQuery(handler: MdnsHandler): void;
  onResponse(handler: MdnsHandler): void;
  /** A response, multicast to the group, or to `to` (a legacy unicast querier). */
  respond(packet: { id?: number; questions?: Question[]; answers: Answer[]; additionals?: Answer[] }, to?: { address: string; port: number }): Promise<void>;
  query(questions: Question[]): Promise<void>;
  close(): Promise<void>;
}

export type OpenMdnsSocket = (o: { interfaceAddress: string; logger: Logger; clock: Clock }) => Promise<MdnsSocket>;

/**
 * Opens the socket on the interface of `interfaceAddress`. Fails in one line when the port
 * cannot be bound (EACCES, EADDRINUSE without SO_REUSEADDR elsewhere).
 */
export const openMdnsSocket: OpenMdnsSocket = async ({ interfaceAddress, logger, clock }) => {
  // bind 0.0.0.0: the package would bind the interface's own address, which receives no multicast.
  const mdns = makeMdns({ interface: interfaceAddress, bind: '0.0.0.0', port: MDNS_PORT, ip: MDNS_GROUP, reuseAddr: true, loopback: true });
  const limited = new RateLimitedLog(logger, clock);
  await new Promise<void>((resolve, reject) => {
    const failed = (err: Error): void => {
      mdns.destroy();
      reject(unavailable('mdns.bind_failed', `multicast DNS on ${interfaceAddress}: cannot bind port ${MDNS_PORT} (${oneLine(err)})`, { cause: err }));
    };
    mdns.once('error', failed);
    mdns.once('ready', () => {
      mdns.off('error', failed);
      resolve();
    });
  });
  // After start, socket errors and undecodable packets are the network's doing: logged, never thrown.
  mdns.on('error', (err: Error) => limited.note('warn', 'mdns.error', { err: oneLine(err) }, 'multicast DNS socket error'));
  mdns.on('warning', (err: Error & { syscall?: string }) => {
    // Joining the group or choosing the interface failed: nothing will be heard or sent there (the package tries the join again every 5 s).
    if (err.syscall === 'addMembership' || err.syscall === 'setMulticastInterface') limited.note('warn', `mdns.${err.syscall}`, { interface: interfaceAddress, err: oneLine(err) }, 'multicast DNS cannot use the interface');
    else limited.note('debug', 'mdns.warning', { err: oneLine(err) }, 'multicast DNS: a packet that is not DNS, or a socket warning; ignored');
  });
  const guarded =
    (kind: string, handler: MdnsHandler) =>
    (packet: MdnsPacket, rinfo: RemoteInfo): void => {
      if (rinfo.size > MDNS_PACKET_BYTES_MAX) {
        limited.note('debug', `mdns.too_large:${kind}`, { from: rinfo.address, bytes: rinfo.size, max: MDNS_PACKET_BYTES_MAX }, 'multicast DNS packet larger than any mDNS packet; ignored');
        return;
      }
      try {
        handler(packet, { address: rinfo.address, port: rinfo.port });
      } catch (err) {
        limited.note('warn', `mdns.handler:${kind}`, { from: rinfo.address, err: oneLine(err) }, 'multicast DNS packet could not be handled; ignored');
      }
    };
  const sent = (what: string) => (resolve: () => void) => (err: Error | null) => {
    if (err !== null) limited.note('warn', `mdns.send:${what}`, { err: oneLine(err) }, `multicast DNS ${what} not sent`);
    resolve();
  };
  return {
    onQuery: (handler) => mdns.on('query', guarded('query', handler)),
    onResponse: (handler) => mdns.on('response', guarded('response', handler)),
    respond: (packet, to) => new Promise<void>((resolve) => (to === undefined ? mdns.respond(packet, sent('response')(resolve)) : mdns.respond(packet, to, sent('response')(resolve)))),
    query: (questions) => new Promise<void>((resolve) => mdns.query({ questions }, sent('query')(resolve))),
    close: () => new Promise<void>((resolve) => mdns.destroy(resolve)),
  };
};
