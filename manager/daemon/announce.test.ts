import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import { DiscoveryCollector, discoveryQuestion, readManagerRecords } from '../../shared/discovery.js';
import { silentLogger } from '../../shared/logger.js';
import { fakeMdns } from '../../shared/test-mdns.js';
import { ANNOUNCE_REPEAT_MS, LEGACY_ANSWER_TTL_S, ManagerAnnouncer } from './announce.js';

const FP = 'c'.repeat(50);
const iface = { name: 'eth0', netmask: '255.255.255.0' };

async function started(o: { role?: () => string | undefined; address?: string } = {}) {
  const clock = new ManualClock();
  const mdns = fakeMdns();
  const announcer = new ManagerAnnouncer({ address: o.address ?? '198.18.0.2', port: 4377, fingerprint: () => FP, role: o.role ?? (() => 'leader'), clock, logger: silentLogger(), openSocket: mdns.open, iface });
  await announcer.start();
  return { clock, mdns, announcer };
}
const agent = { address: '198.18.0.3', port: 5353 };
const responses = (mdns: ReturnType<typeof fakeMdns>) => mdns.sent.filter((s) => s.kind === 'response');

describe('a manager announcing itself', () => {
  it('announces twice at start, a second apart, with what an agent keeps: its address, port, the CA fingerprint and its role', async () => {
    const { clock, mdns, announcer } = await started();
    expect(mdns.opened).toEqual(['198.18.0.2']);
    await clock.advanceAsync(ANNOUNCE_REPEAT_MS);
    expect(responses(mdns)).toHaveLength(2);
    const c = new DiscoveryCollector(FP);
    c.add(responses(mdns)[0]?.packet ?? {});
    expect(c.managers()).toEqual(['198.18.0.2:4377']);
    expect(readManagerRecords(responses(mdns)[0]?.packet ?? {}).found[0]?.role).toBe('leader');
    await announcer.stop();
  });

  it('answers a query for the service at most once a second, and not one from outside its subnet nor for another service', async () => {
    const { clock, mdns, announcer } = await started();
    await clock.advanceAsync(ANNOUNCE_REPEAT_MS * 2);
    const before = responses(mdns).length;
    mdns.deliverQuery({ questions: [discoveryQuestion()] }, agent);
    mdns.deliverQuery({ questions: [discoveryQuestion()] }, agent); // within the second: held back
    expect(responses(mdns).length - before).toBe(1);
    await clock.advanceAsync(1_000);
    mdns.deliverQuery({ questions: [discoveryQuestion()] }, { address: '10.1.2.3', port: 5353 });
    mdns.deliverQuery({ questions: [{ name: '_ipp._tcp.local', type: 'PTR' }] }, agent);
    expect(responses(mdns).length - before).toBe(1);
    mdns.deliverQuery({ questions: [discoveryQuestion()] }, agent);
    expect(responses(mdns).length - before).toBe(2);
    expect(responses(mdns).at(-1)?.to).toBeUndefined(); // multicast
    await announcer.stop();
  });

  it('answers a legacy querier (not from port 5353, as dig) by unicast, with its id, its question and a short TTL', async () => {
    const { clock, mdns, announcer } = await started();
    await clock.advanceAsync(ANNOUNCE_REPEAT_MS * 2);
    mdns.deliverQuery({ id: 4242, questions: [discoveryQuestion()] }, { address: '198.18.0.3', port: 40000 });
    const last = responses(mdns).at(-1);
    expect(last?.to).toEqual({ address: '198.18.0.3', port: 40000 });
    expect(last?.packet.id).toBe(4242);
    expect(last?.packet.questions?.[0]?.name).toBe('_shoal-manager._tcp.local');
    expect(last?.packet.answers?.[0]?.type === 'PTR' && last.packet.answers[0].ttl).toBe(LEGACY_ANSWER_TTL_S);
    await announcer.stop();
  });

  it('says goodbye (TTL 0) at stop and answers nothing after', async () => {
    const { clock, mdns, announcer } = await started({ role: () => undefined });
    await clock.advanceAsync(ANNOUNCE_REPEAT_MS * 2);
    await announcer.stop();
    const bye = responses(mdns).at(-1)?.packet ?? {};
    expect(readManagerRecords(bye).goodbyes).toHaveLength(1);
    expect(mdns.closed).toBe(1);
    const count = mdns.sent.length;
    mdns.deliverQuery({ questions: [discoveryQuestion()] }, agent);
    expect(mdns.sent.length).toBe(count);
  });

  it('on loopback it does not announce at all (nothing to find there from another host)', async () => {
    const { mdns } = await started({ address: '127.0.0.1' });
    expect(mdns.opened).toEqual([]);
  });
});
