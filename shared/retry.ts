// Retries with exponential backoff, full jitter and a limit. Time and randomness are injected.

import type { Clock } from './clock.js';
import type { Rng } from './rng.js';
import { ShoalError } from './errors.js';

export interface BackoffPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
  /** Attempts in all, the first included. */
  readonly attemptsMax: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialDelayMs: 100, maxDelayMs: 5_000, multiplier: 2, attemptsMax: 8 };

/** The delay before retry number `retry` (1-based): uniform in [0, min(max, initial·mult^(retry-1))]. */
export function backoffDelayMs(policy: BackoffPolicy, retry: number, rng: Rng): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** (retry - 1));
  return Math.round(rng.float() * ceiling);
}

export interface RetryOptions {
  readonly policy: BackoffPolicy;
  readonly clock: Clock;
  readonly rng: Rng;
  /** Which failures are worth another attempt; by default ShoalErrors that say they are retryable. */
  readonly retryable?: (err: unknown) => boolean;
  readonly signal?: AbortSignal;
  /** Called before each wait, for logging. */
  readonly onRetry?: (err: unknown, retry: number, delayMs: number) => void;
}

const defaultRetryable = (err: unknown): boolean => err instanceof ShoalError && err.retryable;

/** Calls `attempt` until it succeeds, fails with a non-retryable error, or attempts run out. */
export async function withRetry<T>(attempt: (attemptNumber: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const retryable = options.retryable ?? defaultRetryable;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (n >= options.policy.attemptsMax || !retryable(err)) throw err;
      const delayMs = backoffDelayMs(options.policy, n, options.rng);
      options.onRetry?.(err, n, delayMs);
      await options.clock.sleep(delayMs, options.signal);
    }
  }
}
