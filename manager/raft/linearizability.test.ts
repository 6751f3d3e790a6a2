import { describe, expect, it } from 'vitest';
import { checkLinearizable, type KvOperation } from './linearizability.js';

const put = (client: number, key: string, value: string, calledAt: number, returnedAt: number): KvOperation => ({ kind: 'put', client, key, value, calledAt, returnedAt });
const get = (client: number, key: string, value: string | undefined, calledAt: number, returnedAt: number): KvOperation => ({ kind: 'get', client, key, value, calledAt, returnedAt });

describe('linearizability checker', () => {
  it('accepts a sequential legal history', () => {
    expect(checkLinearizable([put(1, 'x', 'a', 0, 1), get(2, 'x', 'a', 2, 3), put(1, 'x', 'b', 4, 5), get(2, 'x', 'b', 6, 7)]).ok).toBe(true);
  });

  it('rejects a read of an overwritten value after the overwrite completed (stale read)', () => {
    const r = checkLinearizable([put(1, 'x', 'a', 0, 1), put(1, 'x', 'b', 2, 3), get(2, 'x', 'a', 4, 5)]);
    expect(r.ok).toBe(false);
    expect(r.failedKeys).toEqual(['x']);
  });

  it('accepts either value for a read concurrent with a put', () => {
    expect(checkLinearizable([put(1, 'x', 'a', 0, 1), put(1, 'x', 'b', 2, 10), get(2, 'x', 'a', 3, 4)]).ok).toBe(true);
    expect(checkLinearizable([put(1, 'x', 'a', 0, 1), put(1, 'x', 'b', 2, 10), get(2, 'x', 'b', 3, 4)]).ok).toBe(true);
  });

  it('rejects two later reads that see new then old (no single order explains them)', () => {
    const h = [put(1, 'x', 'a', 0, 1), put(1, 'x', 'b', 2, 20), get(2, 'x', 'b', 3, 4), get(3, 'x', 'a', 5, 6)];
    expect(checkLinearizable(h).ok).toBe(false);
  });

  it('lets a put of unknown outcome take effect later or never', () => {
    const seen = [put(1, 'x', 'a', 0, Infinity), get(2, 'x', undefined, 1, 2), get(2, 'x', 'a', 3, 4)];
    expect(checkLinearizable(seen).ok).toBe(true);
    const neverSeen = [put(1, 'x', 'a', 0, Infinity), get(2, 'x', undefined, 5, 6)];
    expect(checkLinearizable(neverSeen).ok).toBe(true);
  });

  it('rejects a read of a value nobody wrote, and reads not-found before any write', () => {
    expect(checkLinearizable([get(1, 'x', 'ghost', 0, 1)]).ok).toBe(false);
    expect(checkLinearizable([get(1, 'x', undefined, 0, 1), put(2, 'x', 'a', 2, 3)]).ok).toBe(true);
  });

  it('drops unobserved puts of unknown outcome and bounds observed ones, without changing the verdict', () => {
    // 30 unknown puts nobody observed, interleaved with a legal history: still linearizable, and fast.
    const h: KvOperation[] = [put(1, 'x', 'a', 0, 1)];
    for (let i = 0; i < 30; i++) h.push(put(2, 'x', `lost${i}`, 2 + i, Infinity));
    h.push(get(3, 'x', 'a', 100, 101));
    expect(checkLinearizable(h)).toEqual({ ok: true, failedKeys: [], undecidedKeys: [] });
    // An observed unknown put must have happened before the read that saw it returned.
    const late = [put(1, 'x', 'a', 0, 1), get(2, 'x', 'b', 2, 3), put(3, 'x', 'b', 4, Infinity)];
    expect(checkLinearizable(late).ok).toBe(false);
  });

  it('checks keys independently and names the failing one', () => {
    const r = checkLinearizable([put(1, 'x', 'a', 0, 1), get(2, 'x', 'a', 2, 3), put(1, 'y', 'a', 0, 1), put(1, 'y', 'b', 2, 3), get(2, 'y', 'a', 4, 5)]);
    expect(r.failedKeys).toEqual(['y']);
  });

  it('decides a long concurrent history within its step limit', () => {
    const h: KvOperation[] = [];
    let t = 0;
    let last = 'v0';
    h.push(put(0, 'k', last, t, t + 1));
    for (let i = 1; i < 400; i++) {
      t += 2;
      const v = `v${i}`;
      h.push(put(i % 8, 'k', v, t, t + 5)); // overlaps the next few operations
      h.push(get((i + 1) % 8, 'k', i % 2 === 0 ? last : v, t + 1, t + 6));
      last = v;
    }
    const r = checkLinearizable(h);
    expect(r.undecidedKeys).toEqual([]);
    expect(r.ok).toBe(true);
  });
});
