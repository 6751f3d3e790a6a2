// Control.Watch's handler on a store in memory: what the stream sends for a start at a time (and
// the notice when the log no longer reaches back), without following, and each update with the
// object before it.

import { EventEmitter } from 'node:events';
import type { ServerWritableStream } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import type { WatchEvent } from '../../proto/gen/shoal/control/v1/WatchEvent.js';
import type { WatchRequest__Output } from '../../proto/gen/shoal/control/v1/WatchRequest.js';
import { METADATA_CODE } from '../../shared/errors.js';
import { silentLogger } from '../../shared/logger.js';
import { STALE_READ_METADATA } from '../../shared/manager-hosts.js';
import type { StoreOp } from '../store/command.js';
import { Store } from '../store/store.js';
import { nodeCreate } from '../store/testing.js';
import type { Manager } from './manager.js';
import { watchHandler } from './watch.js';

type Call = ServerWritableStream<WatchRequest__Output, WatchEvent>;

/** A server stream that records what is written; `done` settles when it ends or fails. */
function fakeCall(request: Partial<WatchRequest__Output>, stale = false) {
  const sent: WatchEvent[] = [];
  const emitter = new EventEmitter() as EventEmitter & { cancelled: boolean };
  emitter.cancelled = false;
  const done = new Promise<{ error?: { details?: string; metadata?: { get(k: string): unknown[] } } }>((resolve) => {
    emitter.on('error', (error: { details?: string; metadata?: { get(k: string): unknown[] } }) => resolve({ error }));
    emitter.on('ended', () => resolve({}));
  });
  const call = Object.assign(emitter, {
    request: { kinds: [], sinceVersion: 0, sinceMs: 0, noFollow: false, ...request },
    metadata: { get: (key: string): unknown[] => (key === STALE_READ_METADATA && stale ? ['1'] : []) },
    write: (m: WatchEvent): boolean => {
      sent.push(m);
      emitter.emit('written');
      return true;
    },
    end: (): void => {
      emitter.emit('ended');
    },
  });
  const cancel = (): void => {
    call.cancelled = true;
    call.emit('cancelled');
  };
  /** Settles once `n` messages were written (at once if they were). */
  const sentCount = (n: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const check = (): void => {
        if (sent.length < n) return;
        call.off('written', check);
        resolve();
      };
      call.on('written', check);
      check();
    });
  return { call: call as unknown as Call, sent, done, cancel, sentCount };
}

const at = (atMs: number, ...ops: StoreOp[]) => ({ atMs, ops });
const brief = (sent: readonly WatchEvent[]): string[] => sent.map((m) => `${String(m.action)} ${String(m.kind)} ${String(m.id)} @${String(m.version)} t${String(m.atMs)}`);

/** Each read the handler asked for: true for a stale one (the replica's own copy). */
let reads: boolean[] = [];

function storeWithThree(historyMax = 10): { store: Store; manager: Manager } {
  const store = new Store({ limits: { watchHistoryMax: historyMax, watchQueueMax: 10 } });
  store.applyCommand(at(1_000, nodeCreate('n1', 'h1')), 1);
  store.applyCommand(at(2_000, { op: 'update', kind: 'node', id: 'n1', version: 1, status: { state: 'down', message: 'no heartbeat for 3 periods' } }), 2);
  store.applyCommand(at(3_000, { op: 'delete', kind: 'node', id: 'n1' }), 3);
  reads = [];
  const readable = (stale = false): Promise<Store> => {
    reads.push(stale);
    return Promise.resolve(store);
  };
  return { store, manager: { store, readable, logger: silentLogger() } as unknown as Manager };
}

describe('Control.Watch', () => {
  it('from a time, without following: the events held from then, each update with the object before it, then the end', async () => {
    const { manager } = storeWithThree();
    const c = fakeCall({ sinceMs: 1_500, noFollow: true });
    watchHandler(manager)(c.call);
    expect(await c.done).toEqual({});
    expect(brief(c.sent)).toEqual(['update node n1 @2 t2000', 'remove node n1 @3 t3000']);
    const update = c.sent[0] as WatchEvent;
    expect((JSON.parse(String(update.previousJson)) as { status: { state: string } }).status.state).toBe('unknown');
    expect((JSON.parse(String(update.objectJson)) as { status: { state: string } }).status.state).toBe('down');
    expect(c.sent[1]?.previousJson).toBe('');
    // Read-index first, so every write acknowledged before the call is in; stale when asked.
    expect(reads).toEqual([false]);
    const stale = fakeCall({ sinceMs: 1_500, noFollow: true }, true);
    watchHandler(manager)(stale.call);
    await stale.done;
    expect(reads).toEqual([false, true]);
    expect(brief(stale.sent)).toEqual(brief(c.sent));
  });

  it('says first when the log no longer reaches back to the time asked, with the oldest time it holds', async () => {
    const { manager } = storeWithThree(2);
    const c = fakeCall({ sinceMs: 500, noFollow: true });
    watchHandler(manager)(c.call);
    await c.done;
    expect(brief(c.sent)).toEqual(['truncated   @1 t2000', 'update node n1 @2 t2000', 'remove node n1 @3 t3000']);
  });

  it('follows from a time: the notice and the held events first, then new ones, until the client goes', async () => {
    const { store, manager } = storeWithThree(2);
    const c = fakeCall({ sinceMs: 1_500, kinds: ['node'] });
    watchHandler(manager)(c.call);
    await c.sentCount(3);
    store.applyCommand(at(4_000, nodeCreate('n2', 'h2')), 4);
    await c.sentCount(4);
    c.cancel();
    expect(await c.done).toEqual({});
    expect(brief(c.sent)).toEqual(['truncated   @1 t2000', 'update node n1 @2 t2000', 'remove node n1 @3 t3000', 'create node n2 @4 t4000']);
    expect(store.watcherCount).toBe(0);
  });

  it('without a start, no_follow sends nothing and ends; a version and a time together are refused', async () => {
    const { manager } = storeWithThree();
    const now = fakeCall({ noFollow: true });
    watchHandler(manager)(now.call);
    expect(await now.done).toEqual({});
    expect(now.sent).toEqual([]);
    const both = fakeCall({ sinceVersion: 1, sinceMs: 1_000 });
    watchHandler(manager)(both.call);
    const { error } = await both.done;
    expect(error?.details).toBe('since_version and since_ms: give one of them');
    expect(error?.metadata?.get(METADATA_CODE)).toEqual(['manager.bad_watch']);
  });
});
