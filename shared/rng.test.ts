import { describe, expect, it } from 'vitest';
import { SeededRng, SystemRng, intBetween, shuffled } from './rng.js';

describe('SeededRng', () => {
  it('replays exactly for the same seed and differs for another', () => {
    const draw = (seed: number) => {
      const r = new SeededRng(seed);
      return Array.from({ length: 8 }, () => r.int(1000));
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('stays within bounds and covers them evenly enough', () => {
    const r = new SeededRng(7);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const v = r.int(10);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(10);
      counts[v] = (counts[v] ?? 0) + 1;
    }
    for (const c of counts) expect(c).toBeGreaterThan(800);
    for (let i = 0; i < 1000; i++) {
      const v = intBetween(r, 150, 300);
      expect(v >= 150 && v <= 300).toBe(true);
    }
  });

  it('forks independent streams deterministically', () => {
    const a = new SeededRng(1).fork();
    const b = new SeededRng(1).fork();
    expect(a.int(1 << 30)).toBe(b.int(1 << 30));
  });

  it('shuffles into a permutation without touching the input', () => {
    const input = [1, 2, 3, 4, 5, 6];
    const out = shuffled(new SeededRng(3), input);
    expect([...out].sort()).toEqual(input);
    expect(input).toEqual([1, 2, 3, 4, 5, 6]);
    const orders = new Set(Array.from({ length: 20 }, (_, i) => shuffled(new SeededRng(i), input).join()));
    expect(orders.size).toBeGreaterThan(10);
  });

  it('refuses a bad bound as a bug', () => {
    expect(() => new SeededRng(1).int(0)).toThrow(/bad bound/);
  });
});

describe('SystemRng', () => {
  it('draws floats in [0, 1)', () => {
    const r = new SystemRng();
    for (let i = 0; i < 1000; i++) {
      const f = r.float();
      expect(f >= 0 && f < 1).toBe(true);
    }
  });
});
