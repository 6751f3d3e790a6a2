// Validity windows. Time comes in as wall-clock milliseconds (Clock#wallMs), never read here.

import { invalidArgument } from '../../shared/errors.js';

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How far before "now" a certificate is valid from: a peer whose clock is a little behind the
 * CA's would otherwise see a certificate that is not valid yet for its first seconds.
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 60_000;

export function checkNowMs(nowMs: number, what = 'nowMs'): number {
  if (!Number.isSafeInteger(nowMs) || nowMs < 0) throw invalidArgument('ca.bad_time', `${what}: must be whole milliseconds since the epoch, got ${nowMs}`);
  return nowMs;
}

export function checkValidityMs(validityMs: number, what = 'validityMs'): number {
  if (!Number.isSafeInteger(validityMs) || validityMs <= 0) throw invalidArgument('ca.bad_time', `${what}: must be a positive whole number of milliseconds, got ${validityMs}`);
  return validityMs;
}

/** notBefore one skew allowance before `nowMs`; notAfter `validityMs` after it, capped at `capMs`. */
export function validityWindow(nowMs: number, validityMs: number, capMs = Number.MAX_SAFE_INTEGER): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(nowMs - CLOCK_SKEW_ALLOWANCE_MS), notAfter: new Date(Math.min(nowMs + validityMs, capMs)) };
}
