// Tests: a multicast DNS socket in memory (shared/mdns-socket.ts's interface). It records what
// was sent, and delivers packets to the handlers as the network would — through dns-packet's
// bytes, so a test sees what a peer would.

import dnsPacket, { type Packet } from 'dns-packet';
import type { MdnsHandler, MdnsPacket, MdnsSocket, OpenMdnsSocket } from './mdns-socket.js';

export interface FakeMdns {
  readonly open: OpenMdnsSocket;
  /** What was sent, in order: queries and responses, with where a response went (undefined: multicast). */
  readonly sent: { kind: 'query' | 'response'; packet: MdnsPacket; to?: { address: string; port: number } | undefined }[];
  /** The interface address each open was for. */
  readonly opened: string[];
  closed: number;
  deliverQuery(packet: Packet, from: { address: string; port: number }): void;
  deliverResponse(packet: Packet, from: { address: string; port: number }): void;
}

const wire = (p: Packet, type: 'query' | 'response'): MdnsPacket => dnsPacket.decode(dnsPacket.encode({ ...p, type }));

export function fakeMdns(): FakeMdns {
  const queries: MdnsHandler[] = [];
  const responses: MdnsHandler[] = [];
  const fake: FakeMdns = {
    sent: [],
    opened: [],
    closed: 0,
    open: ({ interfaceAddress }) => {
      fake.opened.push(interfaceAddress);
      const socket: MdnsSocket = {
        onQuery: (h) => queries.push(h),
        onResponse: (h) => responses.push(h),
        respond: (packet, to) => {
          fake.sent.push({ kind: 'response', packet: wire(packet, 'response'), to });
          return Promise.resolve();
        },
        query: (questions) => {
          fake.sent.push({ kind: 'query', packet: wire({ questions }, 'query') });
          return Promise.resolve();
        },
        close: () => {
          fake.closed++;
          queries.length = 0;
          responses.length = 0;
          return Promise.resolve();
        },
      };
      return Promise.resolve(socket);
    },
    deliverQuery: (packet, from) => {
      for (const h of queries) h(wire(packet, 'query'), from);
    },
    deliverResponse: (packet, from) => {
      for (const h of responses) h(wire(packet, 'response'), from);
    },
  };
  return fake;
}
