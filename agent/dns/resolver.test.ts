import dnsPacket, { type Packet } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../shared/rng.js';
import { RecordTable, normalizeName } from './records.js';
import { RCODE, clusterName, ptrAddress, resolve, type ResolverOptions } from './resolver.js';

function table(): RecordTable {
  const t = new RecordTable();
  t.upsert({ network: 'front', ip: '10.1.0.2', names: ['web-1', 'web', 'tasks.web', 'www'] });
  t.upsert({ network: 'front', ip: '10.1.0.3', names: ['web-2', 'web', 'tasks.web'] });
  t.upsert({ network: 'front', ip: '10.1.0.4', names: ['web-3', 'web', 'tasks.web'] });
  t.upsert({ network: 'back', ip: '10.2.0.2', names: ['db-1', 'db', 'tasks.db'] });
  return t;
}

const opts = (over: Partial<ResolverOptions> = {}): ResolverOptions => ({ table: table(), rng: new SeededRng(7), domain: 'shoal', ttlSeconds: 5, ...over });

function query(name: string, type: string, extra: Partial<Packet> = {}): Buffer {
  return dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: type as 'A', name }], ...extra });
}

function answer(bytes: Buffer, networks: string[], o = opts(), transport: 'udp' | 'tcp' = 'udp') {
  const d = resolve(bytes, new Set(networks), transport, o);
  if (d.kind !== 'answer') return d;
  const p = dnsPacket.decode(d.bytes);
  return { ...d, packet: p, ips: (p.answers ?? []).map((a) => (a as { data: unknown }).data as string) };
}

describe('names in the cluster', () => {
  it('knows single labels, tasks.<service>, and both under the domain; not other names', () => {
    expect(clusterName('web', 'shoal')).toBe('web');
    expect(clusterName('Web.Shoal.', 'shoal')).toBe('web');
    expect(clusterName('tasks.web', 'shoal')).toBe('tasks.web');
    expect(clusterName('tasks.web.shoal', 'shoal')).toBe('tasks.web');
    expect(clusterName('example.org', 'shoal')).toBeUndefined();
    expect(clusterName('a.b.c', 'shoal')).toBeUndefined();
    expect(ptrAddress('2.0.1.10.in-addr.arpa')).toBe('10.1.0.2');
    expect(ptrAddress('2.0.1.300.in-addr.arpa')).toBeUndefined();
    expect(() => normalizeName('bad name')).toThrow(/"bad name" is not a DNS name/);
  });
});

describe('the resolver', () => {
  it('answers every A record of a service, in changing order, with the TTL, as an authority', () => {
    const orders = new Set<string>();
    const o = opts();
    for (let i = 0; i < 20; i++) {
      const r = answer(query('web', 'A'), ['front'], o);
      if (r.kind !== 'answer') throw new Error('no answer');
      expect([...r.ips].sort()).toEqual(['10.1.0.2', '10.1.0.3', '10.1.0.4']);
      expect(r.packet.id).toBe(4242);
      expect(((r.packet.flags ?? 0) & dnsPacket.AUTHORITATIVE_ANSWER) !== 0).toBe(true);
      expect((r.packet.answers ?? []).every((a) => (a as { ttl?: number }).ttl === 5)).toBe(true);
      orders.add(r.ips.join(','));
    }
    expect(orders.size).toBeGreaterThanOrEqual(2);
  });

  it('answers aliases, tasks.<service> and names under the domain; a container sees only its networks', () => {
    const www = answer(query('www.shoal', 'A'), ['front']);
    expect(www.kind === 'answer' && www.ips).toEqual(['10.1.0.2']);
    const tasks = answer(query('tasks.db', 'A'), ['back']);
    expect(tasks.kind === 'answer' && tasks.ips).toEqual(['10.2.0.2']);
    const hidden = answer(query('db', 'A'), ['front']);
    expect(hidden.kind === 'answer' && [hidden.rcode, hidden.ips]).toEqual([RCODE.NXDOMAIN, []]);
  });

  it('says NXDOMAIN for unknown cluster names, empty NOERROR for AAAA of a known one, and forwards the rest', () => {
    const unknown = answer(query('nope', 'A'), ['front']);
    expect(unknown.kind === 'answer' && unknown.rcode).toBe(RCODE.NXDOMAIN);
    const aaaa = answer(query('web', 'AAAA'), ['front']);
    expect(aaaa.kind === 'answer' && [aaaa.rcode, aaaa.ips]).toEqual([RCODE.NOERROR, []]);
    expect(resolve(query('example.org', 'A'), new Set(['front']), 'udp', opts())).toEqual({ kind: 'forward', id: 4242 });
  });

  it('answers PTR for endpoint addresses on the asker’s networks, and forwards other reverse lookups', () => {
    const r = answer(query('3.0.1.10.in-addr.arpa', 'PTR'), ['front']);
    expect(r.kind === 'answer' && r.ips).toEqual(['web-2.shoal']);
    expect(resolve(query('3.0.1.10.in-addr.arpa', 'PTR'), new Set(['back']), 'udp', opts()).kind).toBe('forward');
  });

  it('sets TC when the answer does not fit a classic UDP message, and answers in full over TCP or with EDNS', () => {
    const t = new RecordTable();
    for (let i = 1; i <= 60; i++) t.upsert({ network: 'n', ip: `10.9.0.${i}`, names: [`big-${i}`, 'big'] });
    const o = opts({ table: t });
    const udp = answer(query('big', 'A'), ['n'], o);
    expect(udp.kind === 'answer' && [((udp.packet.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE) !== 0, udp.ips.length]).toEqual([true, 0]);
    const tcp = answer(query('big', 'A'), ['n'], o, 'tcp');
    expect(tcp.kind === 'answer' && tcp.ips.length).toBe(60);
    const edns = answer(query('big', 'A', { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096 } as never] }), ['n'], o);
    expect(edns.kind === 'answer' && edns.ips.length).toBe(60);
  });

  it('forgets removed endpoints', () => {
    const t = table();
    t.remove('front', '10.1.0.2');
    const r = answer(query('web', 'A'), ['front'], opts({ table: t }));
    expect(r.kind === 'answer' && [...r.ips].sort()).toEqual(['10.1.0.3', '10.1.0.4']);
    const www = answer(query('www', 'A'), ['front'], opts({ table: t }));
    expect(www.kind === 'answer' && www.rcode).toBe(RCODE.NXDOMAIN);
  });

  it('survives 100,000 random and mutated packets, answering FORMERR or dropping, never throwing', () => {
    const rng = new SeededRng(99);
    const o = opts();
    const seeds = [query('web', 'A'), query('tasks.web.shoal', 'A'), query('3.0.1.10.in-addr.arpa', 'PTR'), query('example.org', 'MX')];
    const kinds = new Map<string, number>();
    for (let i = 0; i < 100_000; i++) {
      let bytes: Buffer;
      if (i % 2 === 0) {
        bytes = Buffer.from(Array.from({ length: rng.int(64) }, () => rng.int(256)));
      } else {
        bytes = Buffer.from(seeds[i % seeds.length] as Buffer);
        for (let m = 1 + rng.int(4); m > 0; m--) bytes[rng.int(bytes.length)] = rng.int(256);
      }
      const d = resolve(bytes, new Set(['front']), i % 3 === 0 ? 'tcp' : 'udp', o);
      kinds.set(d.kind, (kinds.get(d.kind) ?? 0) + 1);
    }
    expect(kinds.get('answer')).toBeGreaterThan(0);
    // Still answering properly after all that.
    const r = answer(query('web', 'A'), ['front'], o);
    expect(r.kind === 'answer' && r.ips.length).toBe(3);
  });
});
