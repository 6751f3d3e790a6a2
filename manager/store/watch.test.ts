import { describe, expect, it } from 'vitest';
import { ShoalError } from '../../shared/errors.js';
import type { StoreCommand, StoreOp } from './command.js';
import { Store } from './store.js';
import { nodeCreate, taskCreate } from './testing.js';
import type { StoreEvent, Watcher } from './watch.js';

const cmd = (...ops: StoreOp[]): StoreCommand => ({ atMs: 1_000, ops });

/** Reads exactly `n` events (the store has already queued them: no waiting on time). */
async function take(w: Watcher, n: number): Promise<StoreEvent[]> {
  const out: StoreEvent[] = [];
  for (let i = 0; i < n; i++) {
    const r = await w.next();
    if (r.done === true) break;
    out.push(r.value);
  }
  return out;
}

const brief = (events: StoreEvent[]): string[] => events.map((e) => `${e.type} ${e.object.kind} ${e.object.id} @${e.version}`);

describe('watch', () => {
  it('streams creates, updates and deletes with the object and the version of the write', async () => {
    const s = new Store();
    const w = s.watch();
    s.applyCommand(cmd(nodeCreate('n1', 'h1'), taskCreate('t1', 'a')), 3);
    s.applyCommand(cmd({ op: 'update', kind: 'node', id: 'n1', version: 3, status: { state: 'ready' } }, { op: 'delete', kind: 'task', id: 't1' }), 4);
    const events = await take(w, 4);
    expect(brief(events)).toEqual(['create node n1 @3', 'create task t1 @3', 'update node n1 @4', 'delete task t1 @4']);
    expect(events[2]?.object.kind === 'node' && events[2].object.status.state).toBe('ready');
    expect(events[3]?.object.id).toBe('t1');
    w.close();
    expect(s.watcherCount).toBe(0);
  });

  it('a refused transaction produces no event', async () => {
    const s = new Store();
    s.applyCommand(cmd(nodeCreate('n1', 'h1')), 1);
    const w = s.watch();
    expect(() => s.applyCommand(cmd(nodeCreate('n2', 'h2'), nodeCreate('n3', 'h1')), 2)).toThrow(ShoalError);
    s.applyCommand(cmd(nodeCreate('n4', 'h4')), 3);
    expect(brief(await take(w, 1))).toEqual(['create node n4 @3']);
    w.close();
  });

  it('a watcher resumes from a version still in the log and gets exactly what followed it', async () => {
    const s = new Store({ limits: { watchHistoryMax: 10 } });
    for (let i = 1; i <= 5; i++) s.applyCommand(cmd(nodeCreate(`n${i}`, `h${i}`)), i * 10);
    const w = s.watch(30);
    expect(brief(await take(w, 2))).toEqual(['create node n4 @40', 'create node n5 @50']);
    s.applyCommand(cmd(nodeCreate('n6', 'h6')), 60);
    expect(brief(await take(w, 1))).toEqual(['create node n6 @60']);
    w.close();
  });

  it('a watcher from a version whose events were dropped is told to re-list (store.watch_compacted)', () => {
    const s = new Store({ limits: { watchHistoryMax: 3 } });
    for (let i = 1; i <= 5; i++) s.applyCommand(cmd(nodeCreate(`n${i}`, `h${i}`)), i);
    // Events 3, 4, 5 are kept: resuming from 2 or later works, from 1 does not.
    s.watch(2).close();
    let err: unknown;
    try {
      s.watch(1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ShoalError);
    expect((err as ShoalError).code).toBe('store.watch_compacted');
    expect((err as ShoalError).message).toMatch(/after version 1 are no longer kept/);
    expect(s.watcherCount).toBe(0);
  });

  it('a slow watcher is cut off with store.watch_overflow, while apply goes on and other watchers keep up', async () => {
    const s = new Store({ limits: { watchQueueMax: 3 } });
    const slow = s.watch();
    const fast = s.watch();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const e of fast) {
        seen.push(e.object.id);
        if (seen.length === 5) break;
      }
    })();
    for (let i = 1; i <= 5; i++) {
      s.applyCommand(cmd(nodeCreate(`n${i}`, `h${i}`)), i);
      await Promise.resolve();
    }
    await reading;
    expect(seen).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    expect(s.count('node')).toBe(5);
    await expect(slow.next()).rejects.toMatchObject({ code: 'store.watch_overflow' });
    expect(slow.closed).toBe(true);
    expect(s.watcherCount).toBe(0);
  });

  it('a reader waiting for the next event gets it as soon as it is applied', async () => {
    const s = new Store();
    const w = s.watch();
    const next = w.next();
    s.applyCommand(cmd(nodeCreate('n1', 'h1')), 1);
    expect((await next).value).toMatchObject({ type: 'create', version: 1 });
    w.close();
    expect(await w.next()).toEqual({ value: undefined, done: true });
  });

  it('a restore ends every watcher with store.watch_reset, and watching starts again from the restored index', async () => {
    const a = new Store();
    a.applyCommand(cmd(nodeCreate('n1', 'h1')), 7);
    const s = new Store();
    s.applyCommand(cmd(nodeCreate('x', 'x')), 1);
    const w = s.watch(0);
    const waiting = s.watch();
    const pending = waiting.next();
    s.restoreNow(a.snapshotNow());
    await expect(pending).rejects.toMatchObject({ code: 'store.watch_reset' });
    expect((await w.next().catch((e: unknown) => e)) as ShoalError).toMatchObject({ code: 'store.watch_reset' });
    expect(() => s.watch(1)).toThrow(/no longer kept/);
    const again = s.watch(7);
    s.applyCommand(cmd(nodeCreate('n2', 'h2')), 8);
    expect(brief(await take(again, 1))).toEqual(['create node n2 @8']);
    again.close();
  });
});

describe('watch from a time, and the history without following', () => {
  const at = (atMs: number, ...ops: StoreOp[]): StoreCommand => ({ atMs, ops });

  it("events carry the write's time (a delete's too) and, on an update, the object before it", async () => {
    const s = new Store();
    const w = s.watch();
    s.applyCommand(at(1_000, nodeCreate('n1', 'h1')), 1);
    s.applyCommand(at(2_000, { op: 'update', kind: 'node', id: 'n1', version: 1, status: { state: 'down', message: 'no heartbeat for 3 periods' } }), 2);
    s.applyCommand(at(3_000, { op: 'delete', kind: 'node', id: 'n1' }), 3);
    const [created, updated, deleted] = await take(w, 3);
    expect([created?.atMs, updated?.atMs, deleted?.atMs]).toEqual([1_000, 2_000, 3_000]);
    expect(created?.before).toBeUndefined();
    expect(updated?.before?.kind === 'node' && updated.before.status.state).toBe('unknown');
    expect(updated?.object.kind === 'node' && updated.object.status.state).toBe('down');
    // The deleted object's own meta still says when it was last written.
    expect(deleted?.object.meta.updatedAtMs).toBe(2_000);
    w.close();
  });

  it('versionAt starts at the first event held at or after the time, and says when older ones were dropped', () => {
    const s = new Store({ limits: { watchHistoryMax: 3, watchQueueMax: 10 } });
    for (let i = 1; i <= 3; i++) s.applyCommand(at(i * 1_000, nodeCreate(`n${i}`, `h${i}`)), i);
    expect(s.versionAt(2_000)).toEqual({ version: 1, complete: true, oldestAtMs: 1_000 });
    expect(brief(s.history(s.versionAt(2_500).version))).toEqual(['create node n3 @3']);
    // Nothing that recent: from the end, nothing to send.
    expect(s.versionAt(9_000)).toMatchObject({ version: 3, complete: true });
    expect(s.history(3)).toEqual([]);
    for (let i = 4; i <= 5; i++) s.applyCommand(at(i * 1_000, nodeCreate(`n${i}`, `h${i}`)), i);
    // n1 and n2 were dropped: a time before n3's is not covered in full, one after it is.
    expect(s.versionAt(500)).toEqual({ version: 2, complete: false, oldestAtMs: 3_000 });
    expect(brief(s.history(2))).toEqual(['create node n3 @3', 'create node n4 @4', 'create node n5 @5']);
    expect(s.versionAt(3_500)).toEqual({ version: 3, complete: true, oldestAtMs: 3_000 });
    expect(() => s.history(1)).toThrow(/no longer kept/);
    expect(s.watcherCount).toBe(0);
  });

  it('after a restore the log is empty and no time is covered', () => {
    const a = new Store();
    a.applyCommand(at(1_000, nodeCreate('n1', 'h1')), 7);
    const s = new Store();
    s.restoreNow(a.snapshotNow());
    expect(s.versionAt(0)).toEqual({ version: 7, complete: false });
  });
});

describe('watch over long runs', () => {
  it('after thousands of writes the log still answers a resume exactly, and a reader that keeps up is never cut off', async () => {
    const s = new Store({ limits: { watchHistoryMax: 100, watchQueueMax: 50 } });
    const w = s.watch();
    let read = 0;
    for (let i = 1; i <= 3_000; i++) {
      s.applyCommand(cmd(nodeCreate(`n${i}`, `h${i}`)), i);
      if (i % 40 === 0) read += (await take(w, 40)).length;
    }
    expect(read).toBe(3_000);
    expect(w.closed).toBe(false);
    w.close();
    const resumed = s.watch(2_998);
    expect(brief(await take(resumed, 2))).toEqual(['create node n2999 @2999', 'create node n3000 @3000']);
    resumed.close();
    expect(() => s.watch(2_899)).toThrow(/no longer kept/);
    s.watch(2_900).close();
  });
});
