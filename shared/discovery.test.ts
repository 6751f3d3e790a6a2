import dnsPacket, { type Answer, type Packet, type Question } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import {
  announcementRecords,
  AnswerLimiter,
  asksFor,
  DISCOVERED_MANAGERS_MAX,
  DISCOVERY_SERVICE,
  DiscoveryCollector,
  discoveryQuestion,
  instanceName,
  MDNS_PACKET_BYTES_MAX,
  MDNS_RECORDS_MAX,
  onSubnet,
  readManagerRecords,
  type ManagerAnnouncement,
} from './discovery.js';

const FP = 'a'.repeat(50);
const OTHER_FP = 'b'.repeat(50);
const m1: ManagerAnnouncement = { address: '198.18.0.2', port: 4377, fingerprint: FP, role: 'leader' };
const m2: ManagerAnnouncement = { address: '198.18.0.3', port: 4377, fingerprint: FP, role: 'follower' };

/** Through the wire and back, as a querier receives it: bytes, not the objects we built. */
function onTheWire(p: Packet): Packet {
  const bytes = dnsPacket.encode({ type: 'response', ...p });
  expect(bytes.length).toBeLessThan(MDNS_PACKET_BYTES_MAX);
  return dnsPacket.decode(bytes);
}

const response = (...as: ManagerAnnouncement[]): Packet => {
  const parts = as.map((a) => announcementRecords(a));
  return { answers: parts.flatMap((p) => p.answers), additionals: parts.flatMap((p) => p.additionals) };
};

describe('the announcement', () => {
  it('is a PTR to the instance, its SRV (host, port), TXT (version, fingerprint, role) and the host\'s A, readable back from the wire', () => {
    const back = onTheWire(response(m1));
    expect(back.answers?.map((r) => [r.type, r.name])).toEqual([['PTR', DISCOVERY_SERVICE]]);
    expect(back.additionals?.map((r) => r.type)).toEqual(['SRV', 'TXT', 'A']);
    expect(readManagerRecords(back)).toEqual({ found: [{ instance: instanceName(m1), address: '198.18.0.2', port: 4377, fingerprint: FP, role: 'leader' }], goodbyes: [], problems: [] });
  });

  it('names nothing but the address: no token, no node id, no hostname', () => {
    const text = JSON.stringify(announcementRecords(m1));
    expect(text).toContain('manager-198-18-0-2-4377');
    expect(text).toContain('shoal-198-18-0-2.local');
    expect(text).not.toMatch(/SHOAL-1-/);
  });

  it('with TTL 0 is a goodbye: the reader lists the instance apart and keeps no manager', () => {
    const r = readManagerRecords(onTheWire({ ...announcementRecords(m1, 0) }));
    expect(r.found).toEqual([]);
    expect(r.goodbyes).toEqual([instanceName(m1)]);
  });
});

describe('which queries a manager answers', () => {
  it('a PTR (or ANY) for the service, its instance\'s SRV/TXT, its host\'s A; case-insensitive', () => {
    expect(asksFor([discoveryQuestion()], m1)).toBe(true);
    expect(asksFor([{ name: DISCOVERY_SERVICE.toUpperCase(), type: 'ANY' } as unknown as Question], m1)).toBe(true); // dns-packet reads type 255 as ANY; its types lack it
    expect(asksFor([{ name: instanceName(m1), type: 'SRV' }], m1)).toBe(true);
    expect(asksFor([{ name: 'shoal-198-18-0-2.local', type: 'A' }], m1)).toBe(true);
  });

  it('not another service, another manager\'s instance, nor a query with no question', () => {
    expect(asksFor([{ name: '_http._tcp.local', type: 'PTR' }], m1)).toBe(false);
    expect(asksFor([{ name: instanceName(m2), type: 'SRV' }], m1)).toBe(false);
    expect(asksFor([{ name: DISCOVERY_SERVICE, type: 'A' }], m1)).toBe(false);
    expect(asksFor(undefined, m1)).toBe(false);
  });

  it('only from the interface\'s subnet', () => {
    expect(onSubnet('198.18.0.9', '198.18.0.2', '255.255.255.0')).toBe(true);
    expect(onSubnet('198.18.1.9', '198.18.0.2', '255.255.255.0')).toBe(false);
    expect(onSubnet('not an ip', '198.18.0.2', '255.255.255.0')).toBe(false);
  });

  it('at most once a second, counting what it held back', () => {
    const l = new AnswerLimiter(1_000);
    expect([l.allow(0), l.allow(10), l.allow(999), l.allow(1_000), l.allow(1_500)]).toEqual([true, false, false, true, false]);
    expect(l.heldBack).toBe(3);
  });
});

describe('reading answers', () => {
  const records = (p: Packet): Answer[] => [...(p.answers ?? []), ...(p.additionals ?? [])];
  const without = (type: string): Packet => ({ answers: records(response(m1)).filter((r) => r.type !== type) });
  const withTxt = (data: string[]): Packet => ({ answers: records(response(m1)).map((r) => (r.type === 'TXT' ? { ...r, data } : r)) });

  it('names what is wrong with a record of our service, and keeps nothing from it', () => {
    expect(readManagerRecords(without('SRV')).problems).toEqual([`${instanceName(m1)}: no SRV record`]);
    expect(readManagerRecords(without('A')).problems).toEqual([`${instanceName(m1)}: no A record (IPv4) for its host shoal-198-18-0-2.local`]);
    expect(readManagerRecords(without('TXT')).problems).toEqual([`${instanceName(m1)}: no TXT record`]);
    expect(readManagerRecords(withTxt(['v=2', `fp=${FP}`])).problems).toEqual([`${instanceName(m1)}: TXT version "2", this Shoal reads 1`]);
    expect(readManagerRecords(withTxt(['v=1', 'fp=short'])).problems).toEqual([`${instanceName(m1)}: no CA fingerprint of 50 base36 characters in its TXT`]);
    const badPort = records(response(m1)).map((r) => (r.type === 'SRV' ? { ...r, data: { ...r.data, port: 0 } } : r));
    expect(readManagerRecords({ answers: badPort }).problems[0]).toMatch(/port from 1 to 65535/);
    expect(readManagerRecords({ answers: [{ name: DISCOVERY_SERVICE, type: 'PTR', ttl: 120, data: 'elsewhere.local' }] }).problems[0]).toMatch(/not an instance/);
    for (const p of [without('SRV'), without('A'), withTxt([])]) expect(readManagerRecords(p).found).toEqual([]);
  });

  it('ignores other services, an unknown role, and TXT keys in capitals (RFC 6763: keys are case-insensitive)', () => {
    const other: Answer = { name: '_http._tcp.local', type: 'PTR', ttl: 120, data: 'web._http._tcp.local' };
    expect(readManagerRecords({ answers: [other] })).toEqual({ found: [], goodbyes: [], problems: [] });
    const [found] = readManagerRecords(withTxt(['V=1', `FP=${FP}`, 'role=emperor'])).found;
    expect(found).toEqual({ instance: instanceName(m1), address: '198.18.0.2', port: 4377, fingerprint: FP });
  });

  it(`reads at most ${MDNS_RECORDS_MAX} records of a packet, and says so`, () => {
    const filler: Answer[] = Array.from({ length: MDNS_RECORDS_MAX }, (_, i) => ({ name: `x${i}.local`, type: 'A', ttl: 120, data: '10.0.0.1' }));
    const r = readManagerRecords({ answers: [...filler, ...records(response(m1))] });
    expect(r.found).toEqual([]);
    expect(r.problems).toEqual([`${MDNS_RECORDS_MAX + 4} records, only the first ${MDNS_RECORDS_MAX} read`]);
  });
});

describe('a discovery', () => {
  it("keeps the managers of the token's fingerprint, each once, the leader first; other clusters counted apart", () => {
    const c = new DiscoveryCollector(FP);
    const stranger = { address: '198.18.0.4', port: 4377, fingerprint: OTHER_FP, role: 'leader' };
    const first = c.add(onTheWire(response(m2, stranger)));
    expect(first.kept.map((m) => m.address)).toEqual(['198.18.0.3']);
    expect(first.otherClusters.map((m) => m.address)).toEqual(['198.18.0.4']);
    const again = c.add(onTheWire(response(m1, m2, stranger))); // m2 and the stranger answered before
    expect(again.kept.map((m) => m.address)).toEqual(['198.18.0.2']);
    expect(again.otherClusters).toEqual([]);
    expect(c.managers()).toEqual(['198.18.0.2:4377', '198.18.0.3:4377']);
    expect(c.otherClusterCount()).toBe(1);
  });

  it('follows a role that changed between answers', () => {
    const c = new DiscoveryCollector(FP);
    c.add(response({ ...m1, role: 'follower' }, m2));
    c.add(response(m2, { ...m1, role: 'follower' }));
    expect(c.managers()).toEqual(['198.18.0.2:4377', '198.18.0.3:4377']);
    c.add(response({ ...m2, role: 'leader' }));
    expect(c.managers()).toEqual(['198.18.0.3:4377', '198.18.0.2:4377']);
  });

  it(`keeps at most ${DISCOVERED_MANAGERS_MAX} managers and counts the rest`, () => {
    const c = new DiscoveryCollector(FP);
    const many = Array.from({ length: DISCOVERED_MANAGERS_MAX + 3 }, (_, i) => ({ address: `198.18.0.${10 + i}`, port: 4377, fingerprint: FP }));
    const steps = many.map((m) => c.add(response(m))); // each manager answers in its own packet
    expect(steps.filter((s) => s.kept.length === 1)).toHaveLength(DISCOVERED_MANAGERS_MAX);
    expect(steps.slice(DISCOVERED_MANAGERS_MAX).map((s) => s.overCap)).toEqual([1, 1, 1]);
    expect(c.managers()).toHaveLength(DISCOVERED_MANAGERS_MAX);
    expect(c.overCapCount()).toBe(3);
  });

  it('keeps nothing from a goodbye or a malformed answer', () => {
    const c = new DiscoveryCollector(FP);
    c.add(onTheWire(announcementRecords(m1, 0)));
    const step = c.add({ answers: [{ name: DISCOVERY_SERVICE, type: 'PTR', ttl: 120, data: instanceName(m2) }] });
    expect(step.problems).toEqual([`${instanceName(m2)}: no SRV record`]);
    expect(c.managers()).toEqual([]);
  });
});
