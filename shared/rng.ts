// Randomness, injected. Anything that makes a random choice (election timeouts, shuffles, jitter)
// takes an Rng, so that a simulation with a seed replays exactly.

import { randomFillSync } from 'node:crypto';
import { assert } from './errors.js';

export interface Rng {
  /** A float in [0, 1). */
  float(): number;
  /** An integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
}

/** Fisher–Yates shuffle into a new array. */
export function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = out[i] as T;
    out[i] = out[j] as T;
    out[j] = tmp;
  }
  return out;
}

/** An integer in [minInclusive, maxInclusive]. */
export function intBetween(rng: Rng, minInclusive: number, maxInclusive: number): number {
  return minInclusive + rng.int(maxInclusive - minInclusive + 1);
}

function checkBound(maxExclusive: number): void {
  assert(Number.isInteger(maxExclusive) && maxExclusive > 0 && maxExclusive <= 2 ** 32, `rng.int: bad bound ${maxExclusive}`);
}

/**
 * Deterministic generator: sfc32 seeded through splitmix32. Small, fast, and good enough for
 * simulations and jitter (not for secrets). `fork()` derives an independent stream, so adding a
 * draw in one component does not shift the draws of another.
 */
export class SeededRng implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  readonly seed: number;

  constructor(seed: number) {
    assert(Number.isInteger(seed), `SeededRng: seed must be an integer, got ${seed}`);
    this.seed = seed;
    let s = seed >>> 0;
    const splitmix = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix();
    this.b = splitmix();
    this.c = splitmix();
    this.d = splitmix();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  float(): number {
    return this.nextUint32() / 2 ** 32;
  }

  int(maxExclusive: number): number {
    checkBound(maxExclusive);
    return Math.floor(this.float() * maxExclusive);
  }

  fork(): SeededRng {
    return new SeededRng(this.nextUint32());
  }
}

/** Real randomness from the kernel's CSPRNG, drawn in blocks. */
export class SystemRng implements Rng {
  private readonly block = new Uint32Array(256);
  private next = this.block.length;

  float(): number {
    if (this.next >= this.block.length) {
      randomFillSync(this.block);
      this.next = 0;
    }
    return (this.block[this.next++] as number) / 2 ** 32;
  }

  int(maxExclusive: number): number {
    checkBound(maxExclusive);
    return Math.floor(this.float() * maxExclusive);
  }
}

export const systemRng: Rng = new SystemRng();
