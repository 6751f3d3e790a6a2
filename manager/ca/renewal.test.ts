// When a certificate is renewed: between 50% and 80% of its lifetime, drawn per certificate.

import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRng, type Rng } from '../../shared/rng.js';
import { issueWithNewKey, NODE_CERT_VALIDITY_MS } from './issue.js';
import { renewalDueAtMs } from './renewal.js';
import { testRootCa, T0_MS } from './testing.js';
import { CLOCK_SKEW_ALLOWANCE_MS } from './time.js';

let certPem: string;
beforeAll(async () => {
  const { ca } = await testRootCa();
  certPem = (await issueWithNewKey(ca, { nodeId: 'n1', role: 'worker', clusterId: 'cluster-a', ips: [], nowMs: T0_MS })).certPem;
});

const fixed = (value: number): Rng => ({ float: () => value, int: (max) => Math.floor(value * max) });

describe('renewalDueAtMs', () => {
  it('renews at 50% of the lifetime for the lowest draw and just under 80% for the highest', () => {
    const fromMs = T0_MS - CLOCK_SKEW_ALLOWANCE_MS;
    const lifetimeMs = NODE_CERT_VALIDITY_MS + CLOCK_SKEW_ALLOWANCE_MS;
    expect(renewalDueAtMs(certPem, fixed(0))).toBe(fromMs + lifetimeMs / 2);
    const latest = renewalDueAtMs(certPem, fixed(1 - 2 ** -32));
    expect(latest).toBeLessThan(fromMs + lifetimeMs * 0.8);
    expect(latest).toBeGreaterThan(fromMs + lifetimeMs * 0.8 - 1000);
    // 45 days and half a minute after notBefore: the middle of a 90-day certificate.
    expect(new Date(renewalDueAtMs(certPem, fixed(0))).toISOString()).toBe('2026-02-14T23:59:30.000Z');
  });

  it('spreads certificates issued together over the whole window', () => {
    const rng = new SeededRng(7);
    const cert = new X509Certificate(certPem);
    const fromMs = cert.validFromDate.getTime();
    const lifetimeMs = cert.validToDate.getTime() - fromMs;
    const fractions = Array.from({ length: 1000 }, () => (renewalDueAtMs(certPem, rng) - fromMs) / lifetimeMs);
    expect(Math.min(...fractions)).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...fractions)).toBeLessThan(0.8);
    expect(Math.min(...fractions)).toBeLessThan(0.51);
    expect(Math.max(...fractions)).toBeGreaterThan(0.79);
  });

  it('refuses what is not a certificate in one line', () => {
    expect(() => renewalDueAtMs('nope')).toThrow(/^certificate: not a PEM or DER certificate \(/);
  });
});
