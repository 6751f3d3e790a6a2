// Finding managers on the LAN (`shoal agent --discover`): multicast DNS (RFC 6762) in the shape
// of DNS-SD (RFC 6763). A manager answers a query for `_shoal-manager._tcp.local` with a PTR to
// its instance, the instance's SRV (host and port) and TXT (the cluster's CA fingerprint as the
// join token carries it, and its Raft role), and the host's A record. An agent keeps the managers
// whose fingerprint is its token's; the join itself checks the CA again (shared/join-client.ts),
// so a forged answer gets nowhere. This file is pure: records in, records out; the sockets are
// shared/mdns-socket.ts, the manager's side manager/daemon/announce.ts, the agent's
// agent/worker/discover.ts.
//
// Names carry nothing but the address: the instance is `manager-198-18-0-2-4377` and the host
// `shoal-198-18-0-2.local`, so the announcement gives away only what a join shows anyway.

import type { Answer, Question } from 'dns-packet';
import { isIP } from 'node:net';
import { FINGERPRINT_BASE36_CHARS } from './ca-fingerprint.js';
import { ipv4ToInt } from './config.js';

export const DISCOVERY_SERVICE = '_shoal-manager._tcp.local';
/** The TXT record's `v`: what a reader of another version skips. */
export const DISCOVERY_TXT_VERSION = '1';
export const MDNS_PORT = 5353;
export const MDNS_GROUP = '224.0.0.251';
/** RFC 6762 §17: no mDNS packet is larger; anything larger is dropped before it is looked at. */
export const MDNS_PACKET_BYTES_MAX = 9000;
/** Questions of one query looked at; more are ignored (a query for us has one). */
export const MDNS_QUESTIONS_MAX = 16;
/** Records of one response looked at, all sections together; more are ignored and said so. */
export const MDNS_RECORDS_MAX = 64;
/** TTL of the announced records: RFC 6762 §10's figure for records that name a host. */
export const ANNOUNCE_TTL_S = 120;
/** A responder multicasts its records at most once a second (RFC 6762 §6); queries meanwhile get nothing. */
export const ANSWER_INTERVAL_MS = 1_000;
/** Managers one discovery keeps; answers past it are counted, not kept. */
export const DISCOVERED_MANAGERS_MAX = 16;
/** Raft roles a TXT may name; another value is read as no role. */
const ROLES = new Set(['leader', 'follower', 'candidate', 'pre-candidate']);

export interface ManagerAnnouncement {
  /** The manager's advertise address (IPv4) and port. */
  readonly address: string;
  readonly port: number;
  /** The CA fingerprint in the join token's form (50 base36 characters). */
  readonly fingerprint: string;
  /** Its Raft role now (`leader`, `follower`, ...), when known. */
  readonly role?: string;
}

const dashed = (address: string): string => address.replaceAll('.', '-');
export const instanceName = (a: { address: string; port: number }): string => `manager-${dashed(a.address)}-${a.port}.${DISCOVERY_SERVICE}`;
export const hostName = (a: { address: string }): string => `shoal-${dashed(a.address)}.local`;

/**
 * The records of one manager: the PTR as the answer, SRV, TXT and A as additionals (DNS-SD's
 * layout, so one packet tells everything). `ttlS` 0 is the goodbye of RFC 6762 §10.1.
 */
export function announcementRecords(a: ManagerAnnouncement, ttlS: number = ANNOUNCE_TTL_S): { answers: Answer[]; additionals: Answer[] } {
  const instance = instanceName(a);
  const host = hostName(a);
  const txt = [`v=${DISCOVERY_TXT_VERSION}`, `fp=${a.fingerprint}`, ...(a.role !== undefined ? [`role=${a.role}`] : [])];
  return {
    answers: [{ name: DISCOVERY_SERVICE, type: 'PTR', ttl: ttlS, data: instance }],
    additionals: [
      { name: instance, type: 'SRV', ttl: ttlS, flush: true, data: { target: host, port: a.port, priority: 0, weight: 0 } },
      { name: instance, type: 'TXT', ttl: ttlS, flush: true, data: txt },
      { name: host, type: 'A', ttl: ttlS, flush: true, data: a.address },
    ],
  };
}

/** The question an agent sends. */
export const discoveryQuestion = (): Question => ({ name: DISCOVERY_SERVICE, type: 'PTR' });

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Whether a query asks for this manager: the service (PTR), its instance (SRV, TXT) or its host (A); ANY counts. */
export function asksFor(questions: readonly Question[] | undefined, a: { address: string; port: number }): boolean {
  for (const q of (questions ?? []).slice(0, MDNS_QUESTIONS_MAX)) {
    if (typeof q.name !== 'string') continue;
    const t = String(q.type);
    if (same(q.name, DISCOVERY_SERVICE) && (t === 'PTR' || t === 'ANY')) return true;
    if (same(q.name, instanceName(a)) && (t === 'SRV' || t === 'TXT' || t === 'ANY')) return true;
    if (same(q.name, hostName(a)) && (t === 'A' || t === 'ANY')) return true;
  }
  return false;
}

/** Whether `ip` is on the subnet of the interface address `ifaceAddress`/`netmask` (all IPv4). */
export function onSubnet(ip: string, ifaceAddress: string, netmask: string): boolean {
  if (isIP(ip) !== 4 || isIP(ifaceAddress) !== 4 || isIP(netmask) !== 4) return false;
  const mask = ipv4ToInt(netmask);
  return ((ipv4ToInt(ip) & mask) >>> 0) === ((ipv4ToInt(ifaceAddress) & mask) >>> 0);
}

/** A manager as a response describes it. */
export interface FoundManager {
  readonly instance: string;
  readonly address: string;
  readonly port: number;
  readonly fingerprint: string;
  readonly role?: string;
}

export interface ResponseReading {
  readonly found: readonly FoundManager[];
  /** Instances that said goodbye (TTL 0): a manager stopping. */
  readonly goodbyes: readonly string[];
  /** What was wrong with records of our service, one phrase each (for a debug line). */
  readonly problems: readonly string[];
}

/** The text of a TXT record's strings, whatever form the decoder gave them in. */
function txtStrings(data: unknown): string[] {
  const parts = Array.isArray(data) ? (data as unknown[]) : [data];
  return parts.filter((p): p is string | Buffer => typeof p === 'string' || Buffer.isBuffer(p)).map((p) => (typeof p === 'string' ? p : p.toString('utf8')));
}

/** `key=value` pairs of a TXT; keys are case-insensitive (RFC 6763 §6.4), the first of a key wins. */
function txtPairs(data: unknown): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const s of txtStrings(data)) {
    const at = s.indexOf('=');
    const key = (at < 0 ? s : s.slice(0, at)).toLowerCase();
    if (key !== '' && !pairs.has(key)) pairs.set(key, at < 0 ? '' : s.slice(at + 1));
  }
  return pairs;
}

const FINGERPRINT = new RegExp(`^[0-9a-z]{${FINGERPRINT_BASE36_CHARS}}$`);

/**
 * The managers a response describes: each PTR of our service whose instance has an SRV, a TXT
 * of our version with a well-formed fingerprint, and an A record for the SRV's host. Anything
 * else about our service is a problem, named; records of other services are not looked at.
 */
export function readManagerRecords(packet: { answers?: readonly Answer[] | undefined; additionals?: readonly Answer[] | undefined }): ResponseReading {
  const all = [...(packet.answers ?? []), ...(packet.additionals ?? [])];
  const records = all.slice(0, MDNS_RECORDS_MAX);
  const problems: string[] = all.length > MDNS_RECORDS_MAX ? [`${all.length} records, only the first ${MDNS_RECORDS_MAX} read`] : [];
  const named = (name: string, type: string): Answer | undefined => records.find((r) => r.type === type && typeof r.name === 'string' && same(r.name, name));
  const found: FoundManager[] = [];
  const goodbyes: string[] = [];
  const seen = new Set<string>();
  for (const ptr of records) {
    if (ptr.type !== 'PTR' || typeof ptr.name !== 'string' || !same(ptr.name, DISCOVERY_SERVICE)) continue;
    const instance = typeof ptr.data === 'string' ? ptr.data : '';
    if (!instance.toLowerCase().endsWith(`.${DISCOVERY_SERVICE}`)) {
      problems.push(`a PTR to ${JSON.stringify(instance.slice(0, 80))}, not an instance of ${DISCOVERY_SERVICE}`);
      continue;
    }
    if (seen.has(instance.toLowerCase())) continue;
    seen.add(instance.toLowerCase());
    if (ptr.ttl === 0) {
      goodbyes.push(instance);
      continue;
    }
    const reading = readInstance(instance, named);
    if (typeof reading === 'string') problems.push(`${instance}: ${reading}`);
    else found.push(reading);
  }
  return { found, goodbyes, problems };
}

function readInstance(instance: string, named: (name: string, type: string) => Answer | undefined): FoundManager | string {
  const srv = named(instance, 'SRV');
  if (srv?.type !== 'SRV') return 'no SRV record';
  const { target, port } = srv.data;
  if (typeof target !== 'string' || !Number.isInteger(port) || port < 1 || port > 65_535) return 'an SRV record without a host or a port from 1 to 65535';
  const a = named(target, 'A');
  if (a?.type !== 'A' || typeof a.data !== 'string' || isIP(a.data) !== 4) return `no A record (IPv4) for its host ${target}`;
  const txt = named(instance, 'TXT');
  if (txt?.type !== 'TXT') return 'no TXT record';
  const pairs = txtPairs(txt.data);
  if (pairs.get('v') !== DISCOVERY_TXT_VERSION) return `TXT version ${JSON.stringify((pairs.get('v') ?? 'none').slice(0, 16))}, this Shoal reads ${DISCOVERY_TXT_VERSION}`;
  const fingerprint = pairs.get('fp') ?? '';
  if (!FINGERPRINT.test(fingerprint)) return `no CA fingerprint of ${FINGERPRINT_BASE36_CHARS} base36 characters in its TXT`;
  const role = pairs.get('role');
  return { instance, address: a.data, port, fingerprint, ...(role !== undefined && ROLES.has(role) ? { role } : {}) };
}

/** What one response added to a discovery. */
export interface CollectorStep {
  /** Managers of the token's cluster seen for the first time. */
  readonly kept: readonly FoundManager[];
  /** Managers of other clusters (another fingerprint) seen for the first time. */
  readonly otherClusters: readonly FoundManager[];
  readonly problems: readonly string[];
  /** Managers of this cluster not kept because `DISCOVERED_MANAGERS_MAX` were kept already. */
  readonly overCap: number;
}

/**
 * The managers one discovery found: those of the token's fingerprint, each once (by address and
 * port), at most `max`; other clusters' are counted apart. Pure: responses in, a list out.
 */
export class DiscoveryCollector {
  private readonly kept = new Map<string, FoundManager>();
  private readonly others = new Map<string, FoundManager>();
  private overCapTotal = 0;

  constructor(
    private readonly fingerprint: string,
    private readonly max: number = DISCOVERED_MANAGERS_MAX,
  ) {}

  add(packet: { answers?: readonly Answer[] | undefined; additionals?: readonly Answer[] | undefined }): CollectorStep {
    const reading = readManagerRecords(packet);
    const kept: FoundManager[] = [];
    const otherClusters: FoundManager[] = [];
    let overCap = 0;
    for (const m of reading.found) {
      const key = `${m.address}:${m.port}`;
      if (m.fingerprint !== this.fingerprint) {
        if (!this.others.has(key) && this.others.size < this.max) {
          this.others.set(key, m);
          otherClusters.push(m);
        }
        continue;
      }
      const before = this.kept.get(key);
      if (before !== undefined) {
        if (m.role !== undefined) this.kept.set(key, m); // the latest role is the one to go by
        continue;
      }
      if (this.kept.size >= this.max) {
        overCap++;
        continue;
      }
      this.kept.set(key, m);
      kept.push(m);
    }
    this.overCapTotal += overCap;
    return { kept, otherClusters, problems: reading.problems, overCap };
  }

  /** `IP:PORT` of the managers kept, the leader first (a join goes to any; the session moves to the leader), then by address. */
  managers(): string[] {
    const rank = (m: FoundManager): number => (m.role === 'leader' ? 0 : 1);
    return [...this.kept.values()].sort((a, b) => rank(a) - rank(b) || ipv4ToInt(a.address) - ipv4ToInt(b.address) || a.port - b.port).map((m) => `${m.address}:${m.port}`);
  }

  /** Managers of other clusters that answered. */
  otherClusterCount(): number {
    return this.others.size;
  }

  overCapCount(): number {
    return this.overCapTotal;
  }
}

/** At most one multicast answer per `intervalMs` (RFC 6762 §6); counts what it held back. */
export class AnswerLimiter {
  private lastMs: number | undefined;
  heldBack = 0;

  constructor(private readonly intervalMs: number = ANSWER_INTERVAL_MS) {}

  allow(nowMs: number): boolean {
    if (this.lastMs !== undefined && nowMs - this.lastMs < this.intervalMs) {
      this.heldBack++;
      return false;
    }
    this.lastMs = nowMs;
    return true;
  }
}
