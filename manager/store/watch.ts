// Watch: the store's changes as events, from a version. The store keeps the last
// `watchHistoryMax` events in memory, so a watcher that lost its stream resumes from the last
// version it saw if that is still covered; otherwise it is told `store.watch_compacted` and
// re-lists. Each watcher has a bounded queue: apply never waits for a watcher, and one that
// falls `watchQueueMax` events behind is cut off with `store.watch_overflow` (it re-lists too).

import { ShoalError } from '../../shared/errors.js';
import type { StoreObject } from './types.js';

export type EventType = 'create' | 'update' | 'delete';

/**
 * `object`: as written (create, update) or as it was when deleted. `version`: the write's index.
 * `atMs`: the write's time (the leader's wall clock of the command; a delete's too, which the
 * deleted object's meta cannot tell). `before`: on an update, the object as it was, so a reader
 * can say what changed (the events timeline); a reference to the frozen object, not a copy.
 */
export interface StoreEvent {
  readonly type: EventType;
  readonly version: number;
  readonly atMs: number;
  readonly object: StoreObject;
  readonly before?: StoreObject;
}

/** Where a watch from a time starts (`Store.versionAt`). */
export interface TimeStart {
  /** Watch after this version: the first event held at or after the time comes first. */
  readonly version: number;
  /** False when events at or after the time may have been dropped from the log already. */
  readonly complete: boolean;
  /** The time of the oldest event held, if any. */
  readonly oldestAtMs?: number;
}

/** The events kept for resuming watchers, oldest first, in version order. */
export class EventLog {
  private events: StoreEvent[] = [];
  private head = 0;
  /** Every event with a version above this one is in the log. */
  private floorVersion: number;

  constructor(private readonly historyMax: number, floor = 0) {
    this.floorVersion = floor;
  }

  get floor(): number {
    return this.floorVersion;
  }

  get size(): number {
    return this.events.length - this.head;
  }

  /** Appends one write's events; returns how many old events were dropped to stay in bounds. */
  append(batch: readonly StoreEvent[]): number {
    this.events.push(...batch);
    let dropped = 0;
    while (this.size > this.historyMax) {
      this.floorVersion = (this.events[this.head] as StoreEvent).version;
      this.head++;
      dropped++;
    }
    // Compact the array now and then instead of shifting on every drop.
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
    return dropped;
  }

  /** The events after `version`, or undefined if some of them were dropped already. */
  since(version: number): StoreEvent[] | undefined {
    if (version < this.floorVersion) return undefined;
    let lo = this.head;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.events[mid] as StoreEvent).version <= version) lo = mid + 1;
      else hi = mid;
    }
    return this.events.slice(lo);
  }

  /**
   * The version after which the events from `atMs` on begin: the first event held at or after
   * it, scanning from the oldest (times come from successive leaders' clocks, so they are
   * nearly, not strictly, in order; a scan of at most `historyMax` events, on a CLI's request).
   * `end`: the version to give when no event held is that recent (the store's applied index).
   */
  versionAt(atMs: number, end: number): TimeStart {
    const oldest = this.events[this.head];
    const oldestAtMs = oldest === undefined ? {} : { oldestAtMs: oldest.atMs };
    // Nothing was ever dropped (floor 0), or the log reaches back before the time asked.
    const complete = this.floorVersion === 0 || (oldest !== undefined && oldest.atMs < atMs);
    for (let i = this.head; i < this.events.length; i++) {
      const e = this.events[i] as StoreEvent;
      // A transaction cut in two by a drop: its kept half is not resumable by version.
      if (e.atMs >= atMs) return { version: Math.max(e.version - 1, this.floorVersion), complete, ...oldestAtMs };
    }
    return { version: end, complete, ...oldestAtMs };
  }

  /** Forgets everything: a restore; watchers resume only from `floor` on. */
  reset(floor: number): void {
    this.events = [];
    this.head = 0;
    this.floorVersion = floor;
  }
}

/**
 * One subscription, read as an async iterable (one reader). It ends when closed by the reader
 * (`close()` or leaving a for-await loop), or with an error when cut off or when the store is
 * replaced by a restore.
 */
export class Watcher implements AsyncIterable<StoreEvent> {
  private queue: StoreEvent[];
  private head = 0;
  private ended = false;
  private error: ShoalError | undefined;
  /** Events at the front of `queue` that came from the log when the watch began. */
  private backlogLeft: number;
  private waiting: { resolve: (r: IteratorResult<StoreEvent>) => void; reject: (e: unknown) => void } | undefined;

  /** `backlog`: the events from the log it starts with; they do not count against `queueMax`. */
  constructor(backlog: StoreEvent[], private readonly queueMax: number, private readonly onClose: (w: Watcher) => void) {
    this.queue = backlog;
    this.backlogLeft = backlog.length;
  }

  /** Events waiting to be read (live ones, not counting what is left of the backlog). */
  get pending(): number {
    return this.queue.length - this.head - this.backlogLeft;
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Called by the store on every write; returns false when this event cut the watcher off. */
  push(event: StoreEvent): boolean {
    if (this.ended) return true;
    if (this.waiting !== undefined) {
      const w = this.waiting;
      this.waiting = undefined;
      w.resolve({ value: event, done: false });
      return true;
    }
    if (this.pending >= this.queueMax) {
      this.fail(new ShoalError('resource_exhausted', 'store.watch_overflow', `watch: the reader fell more than ${this.queueMax} events behind and was cut off; list again and watch from the listed version`, { fields: { queueMax: this.queueMax } }));
      return false;
    }
    this.queue.push(event);
    return true;
  }

  /** Ends the stream with an error; events still queued are dropped, since the reader must re-list anyway. */
  fail(error: ShoalError): void {
    if (this.ended) return;
    this.error = error;
    this.finish();
  }

  close(): void {
    this.finish();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue = [];
    this.head = 0;
    this.backlogLeft = 0;
    this.onClose(this);
    const w = this.waiting;
    this.waiting = undefined;
    if (w === undefined) return;
    if (this.error !== undefined) w.reject(this.error);
    else w.resolve({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<StoreEvent>> {
    if (this.head < this.queue.length) {
      const value = this.queue[this.head++] as StoreEvent;
      if (this.backlogLeft > 0) this.backlogLeft--;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) return this.error !== undefined ? Promise.reject(this.error) : Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<StoreEvent> {
    return {
      next: () => this.next(),
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
