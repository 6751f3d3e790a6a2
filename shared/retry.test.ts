import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { invalidArgument, unavailable } from './errors.js';
import { backoffDelayMs, withRetry, type BackoffPolicy } from './retry.js';
import { SeededRng } from './rng.js';

const policy: BackoffPolicy = { initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, attemptsMax: 4 };

describe('withRetry', () => {
  it('retries retryable failures with growing, capped, jittered delays', async () => {
    const clock = new ManualClock();
    const delays: number[] = [];
    let calls = 0;
    const result = withRetry(
      async () => {
        calls++;
        if (calls < 3) throw unavailable('peer.down', 'peer is down');
        return 'ok';
      },
      { policy, clock, rng: new SeededRng(1), onRetry: (_e, _n, d) => delays.push(d) },
    );
    await clock.advanceAsync(10_000);
    await expect(result).resolves.toBe('ok');
    expect(calls).toBe(3);
    expect(delays[0]).toBeLessThanOrEqual(100);
    expect(delays[1]).toBeLessThanOrEqual(200);
  });

  it('gives up after the attempt limit with the last error', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const result = withRetry(
      async () => {
        calls++;
        throw unavailable('peer.down', `attempt ${calls}`);
      },
      { policy, clock, rng: new SeededRng(2) },
    );
    const settled = result.catch((e: unknown) => e);
    await clock.advanceAsync(60_000);
    expect(((await settled) as Error).message).toBe('attempt 4');
    expect(calls).toBe(4);
  });

  it('does not retry an error that says it is final', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw invalidArgument('x.bad', 'bad input');
        },
        { policy, clock: new ManualClock(), rng: new SeededRng(3) },
      ),
    ).rejects.toThrow('bad input');
    expect(calls).toBe(1);
  });

  it('never waits longer than the cap', () => {
    const rng = new SeededRng(4);
    for (let retry = 1; retry < 30; retry++) expect(backoffDelayMs(policy, retry, rng)).toBeLessThanOrEqual(policy.maxDelayMs);
  });
});
