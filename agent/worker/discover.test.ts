import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import { announcementRecords, DISCOVERY_SERVICE } from '../../shared/discovery.js';
import { formatJoinToken } from '../../shared/join-token.js';
import { silentLogger } from '../../shared/logger.js';
import { fakeMdns } from '../../shared/test-mdns.js';
import { DISCOVERY_QUERIES, DISCOVERY_WAIT_MS, discoverManagers } from './discover.js';

const FP = '1'.repeat(50);
const token = formatJoinToken({ fingerprint: FP, secret: '2'.repeat(25) });
const answer = (address: string, fingerprint: string, role?: string) => announcementRecords({ address, port: 4377, fingerprint, ...(role !== undefined ? { role } : {}) });

function start(clock: ManualClock, mdns: ReturnType<typeof fakeMdns>) {
  return discoverManagers({ advertise: '198.18.0.3', token, clock, logger: silentLogger(), openSocket: mdns.open, ifaceName: 'eth0' });
}

describe('shoal agent --discover', () => {
  it(`asks ${DISCOVERY_QUERIES} times on the advertise address's interface over ${DISCOVERY_WAIT_MS} ms and joins the managers of the token's cluster, the leader first`, async () => {
    const clock = new ManualClock();
    const mdns = fakeMdns();
    const found = start(clock, mdns);
    await clock.advanceAsync(0);
    expect(mdns.opened).toEqual(['198.18.0.3']);
    mdns.deliverResponse(answer('198.18.0.2', FP, 'follower'), { address: '198.18.0.2', port: 5353 });
    mdns.deliverResponse(answer('198.18.0.9', 'f'.repeat(50), 'leader'), { address: '198.18.0.9', port: 5353 }); // another cluster
    await clock.advanceAsync(DISCOVERY_WAIT_MS / 2);
    mdns.deliverResponse(answer('198.18.0.4', FP, 'leader'), { address: '198.18.0.4', port: 5353 });
    mdns.deliverResponse(answer('198.18.0.2', FP, 'follower'), { address: '198.18.0.2', port: 5353 }); // again
    await clock.advanceAsync(DISCOVERY_WAIT_MS / 2);
    await expect(found).resolves.toEqual(['198.18.0.4:4377', '198.18.0.2:4377']);
    const queries = mdns.sent.filter((s) => s.kind === 'query');
    expect(queries).toHaveLength(DISCOVERY_QUERIES);
    expect(queries[0]?.packet.questions).toEqual([{ name: DISCOVERY_SERVICE, type: 'PTR', class: 'IN' }]);
    expect(mdns.closed).toBe(1);
  });

  it('finding none (another cluster answering) is one line naming the interface and the wait', async () => {
    const clock = new ManualClock();
    const mdns = fakeMdns();
    const found = start(clock, mdns);
    const outcome = found.then(() => 'resolved', (err: unknown) => (err as Error).message);
    await clock.advanceAsync(0);
    mdns.deliverResponse(answer('198.18.0.9', 'f'.repeat(50)), { address: '198.18.0.9', port: 5353 });
    await clock.advanceAsync(DISCOVERY_WAIT_MS);
    expect(await outcome).toBe('no manager of this cluster answered on eth0 within 2 s (1 of another cluster did); give their addresses instead');
    expect(mdns.closed).toBe(1);
  });

  it('a malformed answer, garbage in a TXT, or a handler fed nonsense changes nothing and throws nothing', async () => {
    const clock = new ManualClock();
    const mdns = fakeMdns();
    const found = start(clock, mdns);
    const outcome = found.then((m) => m, (err: unknown) => (err as Error).message);
    await clock.advanceAsync(0);
    const broken = answer('198.18.0.2', FP);
    mdns.deliverResponse({ answers: broken.answers }, { address: '198.18.0.2', port: 5353 }); // PTR alone
    mdns.deliverResponse({ answers: [...broken.answers, ...broken.additionals.map((r) => (r.type === 'TXT' ? { ...r, data: [Buffer.from([0xff, 0x00, 0x3d])] } : r))] }, { address: '198.18.0.2', port: 5353 });
    mdns.deliverResponse({ answers: [{ name: 'printer.local', type: 'A', ttl: 120, data: '198.18.0.7' }] }, { address: '198.18.0.7', port: 5353 });
    await clock.advanceAsync(DISCOVERY_WAIT_MS);
    expect(await outcome).toMatch(/^no manager of this cluster answered on eth0 within 2 s; give their addresses instead$/);
  });

  it('a malformed token is refused before anything is sent', async () => {
    const mdns = fakeMdns();
    await expect(discoverManagers({ advertise: '198.18.0.3', token: 'SHOAL-1-nope', clock: new ManualClock(), logger: silentLogger(), openSocket: mdns.open, ifaceName: 'eth0' })).rejects.toThrow(/join token/);
    expect(mdns.opened).toEqual([]);
  });
});
