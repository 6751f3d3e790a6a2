import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import { silentLogger } from '../../shared/logger.js';
import { SeededRng } from '../../shared/rng.js';
import { issueWithNewKey } from '../ca/issue.js';
import { testRootCa, T0_MS } from '../ca/testing.js';
import { DAY_MS } from '../ca/time.js';
import { CertRenewer, RENEW_RETRY_MS } from './renewal.js';

describe('CertRenewer', () => {
  it('renews between 50% and 80% of the lifetime, again for the new certificate, and retries a failure', async () => {
    const { ca } = await testRootCa('cluster-a', T0_MS);
    const issue = async (nowMs: number) => (await issueWithNewKey(ca, { nodeId: 'm1', role: 'manager', clusterId: 'cluster-a', ips: ['10.0.0.1'], nowMs, validityMs: 10 * DAY_MS })).certPem;
    const clock = new ManualClock(0, T0_MS);
    let cert = await issue(T0_MS);
    const renewedAt: number[] = [];
    let failNext = false;
    const renewer = new CertRenewer({
      clock,
      rng: new SeededRng(7),
      logger: silentLogger(),
      current: () => cert,
      renew: async () => {
        if (failNext) {
          failNext = false;
          throw new Error('the CA is unreachable');
        }
        renewedAt.push(clock.wallMs());
        cert = await issue(clock.wallMs());
      },
    });
    renewer.start();
    const firstDue = renewer.nextDueAtMs;
    expect(firstDue - T0_MS).toBeGreaterThanOrEqual(5 * DAY_MS - 60_000);
    expect(firstDue - T0_MS).toBeLessThan(8 * DAY_MS);
    await clock.advanceAsync(firstDue - T0_MS - 1);
    expect(renewedAt).toEqual([]);
    await clock.advanceAsync(1);
    await renewer.whenIdle();
    expect(renewedAt).toEqual([firstDue]);
    // The next one is drawn for the new certificate; this time the CA fails once.
    const secondDue = renewer.nextDueAtMs;
    expect(secondDue - firstDue).toBeGreaterThanOrEqual(5 * DAY_MS - 60_000);
    failNext = true;
    await clock.advanceAsync(secondDue - clock.wallMs());
    await renewer.whenIdle();
    expect(renewedAt).toHaveLength(1);
    await clock.advanceAsync(RENEW_RETRY_MS);
    await renewer.whenIdle();
    expect(renewedAt).toEqual([firstDue, secondDue + RENEW_RETRY_MS]);
    await renewer.stop();
  });
});
