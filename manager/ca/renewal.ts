// When a node asks for a new certificate. Not at a fixed fraction of the lifetime: certificates
// issued together (a cluster's nodes joining in the same minute, or every node after the root CA
// is rotated) would all come back to the CA in the same minute. Each renewal time is drawn
// uniformly between 50% and 80% of the lifetime (swarmkit's rule), which spreads them over 30% of
// it and still leaves at least a fifth — 18 days of a 90-day certificate — for retries when the
// managers are unreachable.

import { systemRng, type Rng } from '../../shared/rng.js';
import { readCertificate } from '../../shared/ca-fingerprint.js';

/** Earliest renewal, as a fraction of the lifetime elapsed. */
export const RENEW_AT_FRACTION_MIN = 0.5;
/** Latest renewal, as a fraction of the lifetime elapsed. */
export const RENEW_AT_FRACTION_MAX = 0.8;

/**
 * Wall-clock milliseconds at which to renew the certificate: notBefore plus a uniform draw from
 * [50%, 80%) of notAfter − notBefore. `rng` is injected so tests are exact.
 */
export function renewalDueAtMs(certPem: string | Buffer, rng: Rng = systemRng): number {
  const cert = readCertificate(certPem, 'certificate');
  const fromMs = cert.validFromDate.getTime();
  const lifetimeMs = cert.validToDate.getTime() - fromMs;
  const fraction = RENEW_AT_FRACTION_MIN + (RENEW_AT_FRACTION_MAX - RENEW_AT_FRACTION_MIN) * rng.float();
  return fromMs + Math.floor(lifetimeMs * fraction);
}
