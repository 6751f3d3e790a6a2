import { describe, expect, it } from 'vitest';
import { flushPromises, ManualClock } from '../../shared/clock.js';
import { StatusBatcher, type StatusBatchLimits, type StatusUpdate } from './status-batcher.js';

type Update = StatusUpdate<string>;

const update = (taskId: string, seq: number, status = `s${seq}`, sessionId = 'sess-1'): Update => ({ taskId, nodeId: 'n1', sessionId, seq, status });
const many = (from: number, count: number): Update[] => Array.from({ length: count }, (_, i) => update(`t${from + i}`, 1));

/** A writer whose writes the test settles by hand, recording each batch and how many ran at once. */
function writer() {
  const batches: { updates: string[]; resolve: () => void; reject: (err: Error) => void }[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const write = (batch: readonly Update[]): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      const done = (): void => void running--;
      batches.push({
        updates: batch.map((u) => `${u.taskId}:${u.status}`),
        resolve: () => (done(), resolve()),
        reject: (err) => (done(), reject(err)),
      });
    });
  return { write, batches, mostAtOnce: () => mostAtOnce, last: () => batches.at(-1)! };
}

function batcher(limits: Partial<StatusBatchLimits> = {}) {
  const clock = new ManualClock();
  const w = writer();
  const b = new StatusBatcher<string>(w.write, { clock, limits: { batchMax: 10, delayMs: 100, queueMax: 50, attemptsMax: 3, ...limits } });
  return { clock, w, b };
}

describe('StatusBatcher: when a batch goes out', () => {
  it('writes after delayMs from the oldest waiting update, not before', async () => {
    const { clock, w, b } = batcher();
    b.offer([update('t1', 1)]);
    await clock.advanceAsync(60);
    b.offer([update('t2', 1), update('t3', 1)]);
    await clock.advanceAsync(39);
    expect(w.batches).toHaveLength(0);
    await clock.advanceAsync(1);
    expect(w.batches.map((x) => x.updates)).toEqual([['t1:s1', 't2:s1', 't3:s1']]);
  });

  it('writes at once when batchMax updates wait, and the rest after their own delay', async () => {
    const { clock, w, b } = batcher();
    b.offer(many(0, 10));
    expect(w.batches).toHaveLength(1); // full: no waiting for the delay
    expect(w.last().updates).toHaveLength(10);
    w.last().resolve();
    await flushPromises();
    b.offer(many(10, 4));
    await clock.advanceAsync(99);
    expect(w.batches).toHaveLength(1);
    await clock.advanceAsync(1);
    expect(w.batches.map((x) => x.updates.length)).toEqual([10, 4]);
  });

  it('never writes more than batchMax updates at once, whatever waits', async () => {
    const { clock, w, b } = batcher();
    b.offer(many(0, 10));
    b.offer(many(10, 10));
    b.offer(many(20, 5));
    for (let i = 0; i < 3; i++) {
      w.last().resolve();
      await clock.advanceAsync(100);
    }
    expect(w.batches.map((x) => x.updates.length)).toEqual([10, 10, 5]);
    expect(b.stats()).toMatchObject({ written: 25, writes: 3, largestBatch: 10, waiting: 0 });
  });
});

describe('StatusBatcher: the newest update for a task wins', () => {
  it('replaces a waiting update by a newer one of the same session, in its place, and drops an older one', async () => {
    const { clock, w, b } = batcher();
    b.offer([update('t1', 1, 'preparing'), update('t2', 1, 'preparing')]);
    b.offer([update('t1', 3, 'running')]);
    b.offer([update('t1', 2, 'starting')]); // came late: older than the one waiting
    await clock.advanceAsync(100);
    expect(w.last().updates).toEqual(['t1:running', 't2:preparing']);
    expect(b.stats()).toMatchObject({ offered: 4, replaced: 1, stale: 1 });
  });

  it('lets a later session’s update replace an earlier session’s, whatever their numbers (the agent restarted)', async () => {
    const { clock, w, b } = batcher();
    b.offer([update('t1', 40, 'running', 'sess-1')]);
    b.offer([update('t1', 1, 'complete', 'sess-2')]);
    await clock.advanceAsync(100);
    expect(w.last().updates).toEqual(['t1:complete']);
  });

  it('drops an update older than the one being written for its task', async () => {
    const { clock, w, b } = batcher();
    b.offer([update('t1', 5, 'running')]);
    await clock.advanceAsync(100);
    b.offer([update('t1', 4, 'starting'), update('t2', 1)]);
    b.offer([update('t1', 6, 'complete')]);
    w.last().resolve();
    await clock.advanceAsync(100);
    expect(w.batches.map((x) => x.updates)).toEqual([['t1:running'], ['t2:s1', 't1:complete']]);
    expect(b.stats().stale).toBe(1);
  });
});

describe('StatusBatcher: bounds', () => {
  it('refuses a request that would take the queue past queueMax, all of it, and tells when to retry', () => {
    const { w, b } = batcher({ queueMax: 5 });
    b.offer(many(0, 3));
    const refused = (): void => b.offer(many(3, 3));
    expect(refused).toThrow('task status updates: 3 are waiting to be written (queueMax 5); send them again in 100 ms');
    expect(refused).toThrow(expect.objectContaining({ code: 'dispatcher.status_queue_full', kind: 'resource_exhausted', fields: { queueMax: 5, retryAfterMs: 100 } }));
    expect(b.stats()).toMatchObject({ waiting: 3, refusedQueueFull: 6 });
    b.offer([update('t0', 2), update('t1', 2), update('t3', 1), update('t4', 1)]); // replacements take no room
    expect(b.stats().waiting).toBe(5);
    expect(w.batches).toHaveLength(0);
  });

  it('refuses a request of more than batchMax updates', () => {
    const { b } = batcher();
    expect(() => b.offer(many(0, 11))).toThrow(expect.objectContaining({ code: 'dispatcher.status_request_too_large', kind: 'invalid_argument' }));
    expect(b.stats().waiting).toBe(0);
  });

  it('calls the writer one batch at a time, however many are due', async () => {
    const { clock, w, b } = batcher();
    b.offer(many(0, 10));
    b.offer(many(10, 10));
    await clock.advanceAsync(1_000);
    expect(w.batches).toHaveLength(1);
    expect(b.stats()).toMatchObject({ inFlight: 10, waiting: 10 });
    w.last().resolve();
    await flushPromises();
    expect(w.batches).toHaveLength(2);
    expect(w.mostAtOnce()).toBe(1);
  });
});

describe('StatusBatcher: a failed write', () => {
  it('is retried after delayMs with the updates that came meanwhile, its own first, newer ones winning', async () => {
    const { clock, w, b } = batcher();
    b.offer([update('t1', 1, 'starting'), update('t2', 1, 'starting')]);
    await clock.advanceAsync(100);
    b.offer([update('t3', 1, 'preparing'), update('t1', 2, 'running')]);
    w.last().reject(new Error('not the leader'));
    await clock.advanceAsync(99);
    expect(w.batches).toHaveLength(1); // no retry before the pause
    await clock.advanceAsync(1);
    expect(w.last().updates).toEqual(['t2:starting', 't3:preparing', 't1:running']); // t1's newer update keeps its own place
    w.last().resolve();
    await flushPromises();
    expect(b.stats()).toMatchObject({ writes: 2, writeFailures: 1, written: 3, waiting: 0 });
  });

  it('waits the pause even when a full batch is waiting (no hot loop against a refusing Raft)', async () => {
    const { clock, w, b } = batcher();
    b.offer(many(0, 10));
    b.offer(many(10, 10));
    w.last().reject(new Error('raft: too many proposals'));
    await flushPromises();
    expect(w.batches).toHaveLength(1);
    await clock.advanceAsync(100);
    expect(w.batches).toHaveLength(2);
    expect(w.last().updates[0]).toBe('t0:s1');
  });

  it('drops an update after attemptsMax failed writes, and counts it', async () => {
    const { clock, w, b } = batcher({ attemptsMax: 3 });
    b.offer([update('t1', 1)]);
    for (let i = 0; i < 5; i++) {
      await clock.advanceAsync(100);
      w.last()?.reject(new Error('no quorum'));
      await flushPromises();
    }
    expect(w.batches).toHaveLength(3);
    expect(b.stats()).toMatchObject({ writeFailures: 3, droppedAfterAttempts: 1, waiting: 0 });
  });

  it('treats a writer that throws as a failed write', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const b = new StatusBatcher<string>(() => {
      if (++calls === 1) throw new Error('boom');
      return Promise.resolve();
    }, { clock });
    b.offer([update('t1', 1)]);
    await clock.advanceAsync(100);
    await clock.advanceAsync(100);
    expect(calls).toBe(2);
    expect(b.stats()).toMatchObject({ writeFailures: 1, written: 1 });
  });
});

describe('StatusBatcher: close', () => {
  it('drops what waits, refuses later offers, and does not retry a write that fails after it', async () => {
    const { clock, w, b } = batcher();
    b.offer([update('t1', 1)]);
    await clock.advanceAsync(100);
    b.offer([update('t2', 1)]);
    expect(b.close()).toBe(1);
    expect(() => b.offer([update('t3', 1)])).toThrow(expect.objectContaining({ code: 'dispatcher.status_closed', kind: 'unavailable' }));
    const idle = b.idle();
    w.last().reject(new Error('stepped down'));
    await idle;
    await clock.advanceAsync(1_000);
    expect(w.batches).toHaveLength(1);
    expect(b.stats()).toMatchObject({ droppedAtClose: 1, waiting: 0, inFlight: 0 });
    expect(clock.pendingTimers).toBe(0);
  });
});
