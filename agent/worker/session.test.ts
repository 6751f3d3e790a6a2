import { describe, expect, it } from 'vitest';
import { SessionBackoff } from './session.js';

/** An Rng whose float() is always `f`: the jitter at one end. */
const fixed = (f: number) => ({ float: () => f, int: () => 0 });

describe("the agent's backoff between sessions", () => {
  it('doubles from 100 ms with each failure in a row, capped at 5 s, with a jitter in [0.5, 1)', () => {
    const b = new SessionBackoff();
    expect(b.delayMs(fixed(0))).toBe(50);
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      b.failed();
      seen.push(b.delayMs(fixed(0.999999)));
    }
    expect(seen.map(Math.round)).toEqual([200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  });

  it('starts over once a session opens: an agent that waited long through a partition comes back at once when its leader dies', () => {
    const b = new SessionBackoff();
    for (let i = 0; i < 10; i++) b.failed();
    expect(b.delayMs(fixed(0))).toBe(2500);
    b.opened();
    b.failed();
    expect(b.delayMs(fixed(0))).toBe(100);
  });
});
