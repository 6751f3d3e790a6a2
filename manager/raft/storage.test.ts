import { describe, expect, it } from 'vitest';
import { CompactedError, MemoryStorage, SnapshotOutOfDateError, UnavailableError } from './storage.js';
import type { Entry } from './types.js';

const conf = { voters: [1, 2, 3], learners: [] };

/** Entry `index` of term `term`, whose data names it (so a mix-up shows), `size` bytes long. */
function entry(index: number, term: number, size = 12): Entry {
  const data = Buffer.alloc(size, 0x2e);
  data.write(`${index}@${term}`.slice(0, size));
  return { index, term, type: 'ENTRY_NORMAL', data };
}

function range(lo: number, hi: number, term: number, size?: number): Entry[] {
  return Array.from({ length: hi - lo + 1 }, (_, k) => entry(lo + k, term, size));
}

/** What a reader sees of entries: index, term, type and the data as text. */
const seen = (es: readonly Entry[]) => es.map((e) => `${e.index}/${e.term}/${e.type}/${Buffer.from(e.data).toString()}`);

describe('MemoryStorage: the stable log as the core reads it', () => {
  it('gives back what was appended, data and all, across many chunks', () => {
    const s = new MemoryStorage();
    // 3,000 entries of 1 KB: a dozen chunks; every 500th a conf change, every 7th empty.
    const es = Array.from({ length: 3000 }, (_, k): Entry => {
      const e = entry(k + 1, 1 + Math.floor(k / 1000), k % 7 === 0 ? 0 : 1024);
      return k % 500 === 0 ? { ...e, type: 'ENTRY_CONF_CHANGE' } : e;
    });
    for (let k = 0; k < es.length; k += 100) s.append(es.slice(k, k + 100));
    expect(s.firstIndex()).toBe(1);
    expect(s.lastIndex()).toBe(3000);
    expect(seen(s.entries(1, 3001, Infinity))).toEqual(seen(es));
    expect(s.term(0)).toBe(0);
    expect(s.term(1000)).toBe(1);
    expect(s.term(1001)).toBe(2);
    expect(s.term(3000)).toBe(3);
  });

  it('keeps an entry larger than a chunk whole', () => {
    const s = new MemoryStorage();
    const big = entry(2, 1, 600 * 1024);
    s.append([entry(1, 1), big, entry(3, 1)]);
    const [got] = s.entries(2, 3, Infinity);
    expect(Buffer.from(got?.data ?? []).equals(Buffer.from(big.data))).toBe(true);
    expect(seen(s.entries(3, 4, Infinity))).toEqual(seen([entry(3, 1)]));
  });

  it('copies the data in: a caller changing its buffer afterwards changes nothing', () => {
    const s = new MemoryStorage();
    const e = entry(1, 1);
    s.append([e]);
    (e.data as Buffer).fill(0);
    expect(seen(s.entries(1, 2, Infinity))).toEqual(seen([entry(1, 1)]));
  });

  it('replaces a conflicting tail, and entries handed out before keep their data', () => {
    const s = new MemoryStorage();
    s.append(range(1, 10, 1));
    const before = s.entries(6, 11, Infinity);
    s.append(range(6, 8, 2));
    expect(s.lastIndex()).toBe(8);
    expect(seen(s.entries(1, 9, Infinity))).toEqual(seen([...range(1, 5, 1), ...range(6, 8, 2)]));
    expect(seen(before)).toEqual(seen(range(6, 10, 1)));
    // Appending entries that are all compacted away, or overlap the compacted part, is fine.
    s.compact(4);
    s.append(range(2, 3, 1));
    expect(s.lastIndex()).toBe(8);
    s.append(range(3, 9, 3));
    expect(seen(s.entries(5, 10, Infinity))).toEqual(seen(range(5, 9, 3)));
  });

  it('refuses an append that would leave a gap', () => {
    const s = new MemoryStorage();
    s.append(range(1, 3, 1));
    expect(() => s.append([entry(5, 1)])).toThrow(/gap: last 3, appending at 5/);
    expect(s.lastIndex()).toBe(3);
  });

  it('cuts entries at maxBytes, always giving at least one', () => {
    const s = new MemoryStorage();
    s.append(range(1, 10, 1, 76)); // 76 + 24 = 100 bytes each as counted
    expect(s.entries(1, 11, 350).map((e) => e.index)).toEqual([1, 2, 3]);
    expect(s.entries(1, 11, 300).map((e) => e.index)).toEqual([1, 2, 3]);
    expect(s.entries(4, 11, 1).map((e) => e.index)).toEqual([4]);
    expect(s.entries(4, 4, Infinity)).toEqual([]);
  });

  it('compacts: the compacted index keeps its term and the entries before it are gone', () => {
    const s = new MemoryStorage();
    s.append(range(1, 2000, 1, 1024));
    s.append(range(2001, 3000, 2, 1024));
    s.createSnapshot(2500, conf, Buffer.from('state'));
    s.compact(2500);
    expect(s.firstIndex()).toBe(2501);
    expect(s.lastIndex()).toBe(3000);
    expect(s.term(2500)).toBe(2);
    expect(() => s.term(2499)).toThrow(CompactedError);
    expect(() => s.entries(2500, 2600, Infinity)).toThrow(CompactedError);
    expect(() => s.entries(2501, 3002, Infinity)).toThrow(UnavailableError);
    expect(() => s.term(3001)).toThrow(UnavailableError);
    expect(seen(s.entries(2501, 3001, Infinity))).toEqual(seen(range(2501, 3000, 2, 1024)));
    // Compacting everything, then appending again.
    s.compact(3000);
    expect(s.firstIndex()).toBe(3001);
    expect(s.lastIndex()).toBe(3000);
    s.append(range(3001, 3003, 3));
    expect(seen(s.entries(3001, 3004, Infinity))).toEqual(seen(range(3001, 3003, 3)));
    s.compact(10); // behind: nothing happens
    expect(s.firstIndex()).toBe(3001);
    expect(() => s.compact(3004)).toThrow(/past the last index 3003/);
  });

  it('a snapshot replaces the log; an older one is refused and changes nothing', () => {
    const s = new MemoryStorage();
    s.append(range(1, 5, 1));
    const snap = { meta: { index: 100, term: 4, confState: conf }, data: Buffer.from('at 100') };
    s.applySnapshot(snap);
    expect(s.firstIndex()).toBe(101);
    expect(s.lastIndex()).toBe(100);
    expect(s.term(100)).toBe(4);
    expect(s.snapshot()).toBe(snap);
    expect(() => s.applySnapshot({ ...snap, meta: { ...snap.meta, index: 50 } })).toThrow(SnapshotOutOfDateError);
    expect(s.firstIndex()).toBe(101);
    s.append(range(101, 102, 4));
    expect(seen(s.entries(101, 103, Infinity))).toEqual(seen(range(101, 102, 4)));
    expect(() => s.createSnapshot(100, conf, Buffer.alloc(0))).toThrow(SnapshotOutOfDateError);
    expect(s.createSnapshot(102, conf, Buffer.from('x')).meta).toEqual({ index: 102, term: 4, confState: conf });
  });
});
