import { describe, expect, it } from 'vitest';
import { flushPromises } from './clock.js';
import { KeyedMutex, Mutex, ReadWriteLock } from './mutex.js';

/** A promise and the function that settles it, so that a test decides when work ends. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('Mutex', () => {
  it('runs one at a time in the order asked, and goes on after a failure', async () => {
    const m = new Mutex();
    const order: string[] = [];
    const first = gate();
    const a = m.run(async () => {
      order.push('a start');
      await first.promise;
      order.push('a end');
    });
    const b = m.run(async () => {
      order.push('b');
      throw new Error('b failed');
    });
    const c = m.run(async () => order.push('c'));
    await flushPromises();
    expect(order).toEqual(['a start']);
    first.open();
    await a;
    await expect(b).rejects.toThrow('b failed');
    await c;
    expect(order).toEqual(['a start', 'a end', 'b', 'c']);
  });

  it('KeyedMutex serializes per key only', async () => {
    const m = new KeyedMutex();
    const held = gate();
    const order: string[] = [];
    const x1 = m.run('x', async () => {
      await held.promise;
      order.push('x1');
    });
    const x2 = m.run('x', async () => order.push('x2'));
    await m.run('y', async () => order.push('y'));
    expect(order).toEqual(['y']);
    held.open();
    await Promise.all([x1, x2]);
    expect(order).toEqual(['y', 'x1', 'x2']);
  });
});

describe('ReadWriteLock', () => {
  it('lets shared holders run together and keeps the exclusive side out until they are done', async () => {
    const lock = new ReadWriteLock();
    const order: string[] = [];
    const r1 = gate();
    const r2 = gate();
    const a = lock.shared(async () => {
      order.push('r1 in');
      await r1.promise;
      order.push('r1 out');
    });
    const b = lock.shared(async () => {
      order.push('r2 in');
      await r2.promise;
      order.push('r2 out');
    });
    const w = lock.exclusive(async () => order.push('w'));
    await flushPromises();
    expect(order).toEqual(['r1 in', 'r2 in']);
    expect(lock.waiting).toBe(1);
    r1.open();
    await a;
    expect(order).toEqual(['r1 in', 'r2 in', 'r1 out']);
    r2.open();
    await Promise.all([b, w]);
    expect(order).toEqual(['r1 in', 'r2 in', 'r1 out', 'r2 out', 'w']);
    expect(lock.waiting).toBe(0);
  });

  it('holds a shared request that comes after a waiting exclusive one (no starvation), then lets the shared ones in together', async () => {
    const lock = new ReadWriteLock();
    const order: string[] = [];
    const first = gate();
    const writer = gate();
    const r1 = lock.shared(async () => {
      await first.promise;
      order.push('r1');
    });
    const w = lock.exclusive(async () => {
      order.push('w in');
      await writer.promise;
      order.push('w out');
    });
    const r2 = lock.shared(async () => order.push('r2'));
    const r3 = lock.shared(async () => order.push('r3'));
    await flushPromises();
    expect(order).toEqual([]);
    first.open();
    await r1;
    await flushPromises();
    expect(order).toEqual(['r1', 'w in']);
    writer.open();
    await Promise.all([w, r2, r3]);
    expect(order).toEqual(['r1', 'w in', 'w out', 'r2', 'r3']);
  });

  it('releases its side when the work fails', async () => {
    const lock = new ReadWriteLock();
    await expect(lock.exclusive(async () => Promise.reject(new Error('gc failed')))).rejects.toThrow('gc failed');
    await expect(lock.shared(async () => Promise.reject(new Error('commit failed')))).rejects.toThrow('commit failed');
    expect(await lock.exclusive(async () => 'free again')).toBe('free again');
  });
});
