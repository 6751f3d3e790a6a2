// The embedded DNS server's decisions, pure: a query's bytes and the asking container's
// networks in, the answer's bytes out (or "forward it upstream"). Names in the cluster — a
// single label (`web`), `tasks.<service>`, or either under the cluster's domain (`web.shoal`)
// — are answered here: every A record of the name, in a fresh random order each time (DNS
// round robin), with a short TTL; NXDOMAIN when unknown; an empty NOERROR for AAAA and other
// types of a known name. PTR queries for endpoint addresses are answered too. Anything else goes
// to the host's resolvers. Messages are parsed and built with dns-packet.

import dnsPacket, { type Answer, type Packet, type Question } from 'dns-packet';
import { shuffled, type Rng } from '../../shared/rng.js';
import { normalizeName, type RecordTable } from './records.js';

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const FLAG = { AA: 1 << 10, TC: 1 << 9, RD: 1 << 8, RA: 1 << 7 } as const;
/** Without EDNS a UDP answer may hold 512 bytes; with it, what the client offers, up to this. */
export const UDP_PAYLOAD_MAX = 4096;
const UDP_PAYLOAD_CLASSIC = 512;
export const DEFAULT_TTL_S = 5;

export interface ResolverOptions {
  readonly table: RecordTable;
  readonly rng: Rng;
  /** The cluster's domain: `web.<domain>` is `web`. */
  readonly domain: string;
  readonly ttlSeconds: number;
}

export type Decision =
  /** Send these bytes back. */
  | { readonly kind: 'answer'; readonly bytes: Buffer; readonly rcode: number }
  /** Ask the upstream resolvers with the query as it came. */
  | { readonly kind: 'forward'; readonly id: number }
  /** Not a DNS query worth an answer (too short to carry an id): drop it. */
  | { readonly kind: 'drop' };

/** A header-only answer (FORMERR, SERVFAIL, ...) to a query whose first 12 bytes may be all we can read. */
export function errorResponse(query: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  query.copy(out, 0, 0, 2); // id
  const rd = query.length >= 3 ? (query[2] as number) & 0x01 : 0;
  out.writeUInt16BE(0x8000 | (rd << 8) | FLAG.RA | (rcode & 0xf), 2);
  return out;
}

/** The in-cluster name a question asks for, or undefined when it belongs to the outside world. */
export function clusterName(qname: string, domain: string): string | undefined {
  let name: string;
  try {
    name = normalizeName(qname);
  } catch {
    return undefined; // not a name the cluster could hold: forwarded as it is, the upstream answers
  }
  const suffix = `.${domain}`;
  if (name.endsWith(suffix)) name = name.slice(0, -suffix.length);
  const labels = name.split('.');
  if (labels.length === 1 || (labels.length === 2 && labels[0] === 'tasks')) return name;
  return undefined;
}

/** `4.3.2.1.in-addr.arpa` → `1.2.3.4`. */
export function ptrAddress(qname: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa\.?$/i.exec(qname);
  if (m === null) return undefined;
  const octets = [m[4], m[3], m[2], m[1]].map(Number);
  return octets.every((o) => o <= 255) ? octets.join('.') : undefined;
}

function udpLimit(query: Packet): number {
  const opt = (query.additionals ?? []).find((a): a is Extract<Answer, { type: 'OPT' }> => a.type === 'OPT');
  return opt === undefined ? UDP_PAYLOAD_CLASSIC : Math.max(UDP_PAYLOAD_CLASSIC, Math.min(opt.udpPayloadSize, UDP_PAYLOAD_MAX));
}

function respond(query: Packet, question: Question, rcode: number, answers: Answer[], transport: 'udp' | 'tcp', authoritative: boolean): Buffer {
  const rd = (query.flags ?? 0) & FLAG.RD;
  const build = (ans: Answer[], tc: boolean): Buffer =>
    dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags: rd | FLAG.RA | (authoritative ? FLAG.AA : 0) | (tc ? FLAG.TC : 0) | rcode,
      questions: [question],
      answers: ans,
    });
  const full = build(answers, false);
  if (transport === 'tcp' || full.length <= udpLimit(query)) return full;
  // Too large for this UDP client: say so (TC) with no records; it retries over TCP.
  return build([], true);
}

/** The one question of a plain query, read straight from the bytes (no compression, as queries have none). */
function readQuestion(bytes: Buffer): { name: string; qtype: number; qclass: number; end: number } | undefined {
  let o = 12;
  const labels: string[] = [];
  for (let len = bytes[o]; len !== 0; len = bytes[o]) {
    if (len === undefined || len > 63 || o + 1 + len > bytes.length) return undefined;
    labels.push(bytes.toString('latin1', o + 1, o + 1 + len));
    o += 1 + len;
    if (o > 12 + 255) return undefined;
  }
  if (o + 5 > bytes.length) return undefined;
  return { name: labels.join('.').toLowerCase(), qtype: bytes.readUInt16BE(o + 1), qclass: bytes.readUInt16BE(o + 3), end: o + 5 };
}

/** The UDP size an OPT record right after the question offers, or 512 without one; undefined when the rest is not just that. */
function readUdpLimit(bytes: Buffer, at: number, additionals: number): number | undefined {
  if (additionals === 0) return at === bytes.length ? UDP_PAYLOAD_CLASSIC : undefined;
  // An OPT record: root name, type 41, class = payload size, TTL, rdata length.
  if (additionals !== 1 || at + 11 > bytes.length || bytes[at] !== 0 || bytes.readUInt16BE(at + 1) !== 41) return undefined;
  if (at + 11 + bytes.readUInt16BE(at + 9) !== bytes.length) return undefined;
  return Math.max(UDP_PAYLOAD_CLASSIC, Math.min(bytes.readUInt16BE(at + 3), UDP_PAYLOAD_MAX));
}

const QTYPE = { A: 1, AAAA: 28, ANY: 255 } as const;

/**
 * The common case without a general parser: one question for A, AAAA or ANY of a cluster
 * name, answered by writing the bytes directly (the answers point at the question's name).
 * Undefined for anything else, which takes the general path.
 */
function fastAnswer(bytes: Buffer, networks: ReadonlySet<string>, transport: 'udp' | 'tcp', o: ResolverOptions, additionals: number): Decision | undefined {
  if ((((bytes[2] as number) >> 3) & 0x0f) !== 0) return undefined;
  const q = readQuestion(bytes);
  if (q === undefined || q.qclass !== 1 || (q.qtype !== QTYPE.A && q.qtype !== QTYPE.AAAA && q.qtype !== QTYPE.ANY)) return undefined;
  const limit = readUdpLimit(bytes, q.end, additionals);
  if (limit === undefined) return undefined;
  const name = clusterName(q.name, o.domain);
  if (name === undefined) return undefined;
  const ips = o.table.lookup(name, networks);
  const rcode = ips.length === 0 ? RCODE.NXDOMAIN : RCODE.NOERROR;
  const records = q.qtype === QTYPE.AAAA ? [] : shuffled(o.rng, ips);
  const qlen = q.end - 12;
  let count = records.length;
  let tc = false;
  if (transport === 'udp' && 12 + qlen + 16 * count > limit) {
    count = 0;
    tc = true;
  }
  const out = Buffer.allocUnsafe(12 + qlen + 16 * count);
  bytes.copy(out, 0, 0, 2);
  out.writeUInt16BE(0x8000 | ((bytes[2] as number) & 0x01) << 8 | FLAG.AA | FLAG.RA | (tc ? FLAG.TC : 0) | rcode, 2);
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(count, 6);
  out.writeUInt32BE(0, 8);
  bytes.copy(out, 12, 12, q.end);
  let at = 12 + qlen;
  for (let i = 0; i < count; i++) {
    out.writeUInt16BE(0xc00c, at); // the question's name
    out.writeUInt16BE(QTYPE.A, at + 2);
    out.writeUInt16BE(1, at + 4);
    out.writeUInt32BE(o.ttlSeconds, at + 6);
    out.writeUInt16BE(4, at + 10);
    const parts = (records[i] as string).split('.');
    for (let k = 0; k < 4; k++) out[at + 12 + k] = Number(parts[k]);
    at += 16;
  }
  return { kind: 'answer', bytes: out, rcode };
}

/** What to do with one query from a container attached to `networks`. */
export function resolve(bytes: Buffer, networks: ReadonlySet<string>, transport: 'udp' | 'tcp', o: ResolverOptions): Decision {
  if (bytes.length < 12) return { kind: 'drop' };
  if (((bytes[2] as number) & 0x80) !== 0) return { kind: 'drop' }; // a response, not a query
  // A query asks one question and carries no answers; at most an EDNS record besides. Checked
  // before parsing: a 12-byte header claiming 65,535 records would cost the parser milliseconds.
  const [qd, an, ns, ar] = [4, 6, 8, 10].map((at) => bytes.readUInt16BE(at)) as [number, number, number, number];
  if (qd !== 1 || an !== 0 || ns !== 0 || ar > 2) return { kind: 'answer', bytes: errorResponse(bytes, RCODE.FORMERR), rcode: RCODE.FORMERR };
  const fast = fastAnswer(bytes, networks, transport, o, ar);
  if (fast !== undefined) return fast;
  let query: Packet;
  try {
    query = dnsPacket.decode(bytes);
  } catch {
    return { kind: 'answer', bytes: errorResponse(bytes, RCODE.FORMERR), rcode: RCODE.FORMERR };
  }
  const opcode = ((bytes[2] as number) >> 3) & 0x0f;
  if (opcode !== 0) return { kind: 'answer', bytes: errorResponse(bytes, RCODE.NOTIMP), rcode: RCODE.NOTIMP };
  const question = query.questions?.[0];
  if (question === undefined || typeof question.name !== 'string') return { kind: 'answer', bytes: errorResponse(bytes, RCODE.FORMERR), rcode: RCODE.FORMERR };
  if (question.class !== 'IN' && question.class !== undefined) return { kind: 'forward', id: query.id ?? 0 };

  const reverse = question.type === 'PTR' ? ptrAddress(question.name) : undefined;
  if (reverse !== undefined) {
    const name = o.table.reverse(reverse, networks);
    if (name === undefined) return { kind: 'forward', id: query.id ?? 0 };
    const answer: Answer = { type: 'PTR', name: question.name, ttl: o.ttlSeconds, data: `${name}.${o.domain}` };
    return { kind: 'answer', bytes: respond(query, question, RCODE.NOERROR, [answer], transport, true), rcode: RCODE.NOERROR };
  }

  const name = clusterName(question.name, o.domain);
  if (name === undefined) return { kind: 'forward', id: query.id ?? 0 };
  const ips = o.table.lookup(name, networks);
  if (ips.length === 0) return { kind: 'answer', bytes: respond(query, question, RCODE.NXDOMAIN, [], transport, true), rcode: RCODE.NXDOMAIN };
  // ANY (type 255, which dns-packet's types omit) gets the A records too.
  const wantsA = question.type === 'A' || (question.type as string) === 'ANY';
  const answers: Answer[] = wantsA ? shuffled(o.rng, ips).map((ip): Answer => ({ type: 'A', name: question.name, ttl: o.ttlSeconds, data: ip })) : [];
  return { kind: 'answer', bytes: respond(query, question, RCODE.NOERROR, answers, transport, true), rcode: RCODE.NOERROR };
}
