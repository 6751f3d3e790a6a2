// The leader's view of one follower's log, and the flow control that keeps it bounded.
//
// States and moves:
//   probe ──(append accepted)──▶ replicate ──(rejected or unreachable)──▶ probe
//   probe/replicate ──(needed entries compacted)──▶ snapshot ──(snapshot applied / failed)──▶ probe
// In probe the leader sends one append per heartbeat interval until it finds where the logs
// match; in replicate it streams optimistically, at most `maxInflight` messages unacknowledged;
// in snapshot it waits for the snapshot to be reported.

import { assert } from '../../shared/errors.js';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** Indexes of appends sent but not acknowledged, oldest first, bounded in count. */
export class Inflights {
  private readonly queue: number[] = [];
  readonly capacity: number;

  constructor(capacity: number) {
    assert(capacity > 0, 'inflights: capacity must be positive');
    this.capacity = capacity;
  }

  add(lastIndex: number): void {
    assert(!this.full(), 'inflights: add to a full window');
    this.queue.push(lastIndex);
  }

  /** Frees every message whose last index is ≤ `index`. */
  freeLE(index: number): void {
    let n = 0;
    while (n < this.queue.length && (this.queue[n] as number) <= index) n++;
    this.queue.splice(0, n);
  }

  freeFirstOne(): void {
    this.queue.shift();
  }

  full(): boolean {
    return this.queue.length >= this.capacity;
  }

  reset(): void {
    this.queue.length = 0;
  }
}

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In snapshot state: the index of the snapshot being sent. */
  pendingSnapshot = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  /** In probe state: an append is out; wait for its answer or a heartbeat response. */
  probeSent = false;
  readonly inflights: Inflights;
  isLearner: boolean;

  constructor(next: number, maxInflight: number, isLearner: boolean) {
    this.next = next;
    this.inflights = new Inflights(maxInflight);
    this.isLearner = isLearner;
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      const pending = this.pendingSnapshot;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshotIndex;
  }

  /** An append up to `index` was accepted; false when the answer is stale. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * An append at `rejected` was refused; the follower hints that its log matches no further than
   * `matchHint`. Returns false when the rejection is stale (for an older append).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), 1);
    this.probeSent = false;
    return true;
  }

  /** Entries up to `lastIndex` were just sent (count may be 0 for an empty probe). */
  sentEntries(count: number, lastIndex: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }
}
