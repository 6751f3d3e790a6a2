// The Raft log: stable entries (LogStorage) followed by the unstable tail, with the commit and
// apply indexes. Invariants: applied ≤ committed ≤ lastIndex; firstIndex − 1 ≤ applied.

import { assert } from '../../shared/errors.js';
import { CompactedError, UnavailableError, limitBytes, type LogStorage } from './storage.js';
import type { Entry, Snapshot } from './types.js';
import { Unstable } from './unstable.js';

export type TermResult = number | 'compacted' | 'unavailable';

export class RaftLog {
  readonly storage: LogStorage;
  readonly unstable: Unstable;
  committed: number;
  applied: number;
  readonly maxApplyBytes: number;

  constructor(storage: LogStorage, maxApplyBytes: number) {
    this.storage = storage;
    this.maxApplyBytes = maxApplyBytes;
    const first = storage.firstIndex();
    this.unstable = new Unstable(storage.lastIndex() + 1);
    this.committed = first - 1;
    this.applied = first - 1;
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  /** The term of `index`, or why it cannot be told. */
  tryTerm(index: number): TermResult {
    const dummy = this.firstIndex() - 1;
    if (index < dummy) return 'compacted';
    if (index > this.lastIndex()) return 'unavailable';
    const t = this.unstable.maybeTerm(index);
    if (t !== undefined) return t;
    try {
      return this.storage.term(index);
    } catch (err) {
      if (err instanceof CompactedError) return 'compacted';
      if (err instanceof UnavailableError) return 'unavailable';
      throw err;
    }
  }

  /** The term of `index`, 0 when it is compacted or past the end (as in matchTerm). */
  term(index: number): number {
    const t = this.tryTerm(index);
    return typeof t === 'number' ? t : 0;
  }

  lastTerm(): number {
    const t = this.tryTerm(this.lastIndex());
    assert(typeof t === 'number', `the last entry's term must be known (${String(t)})`);
    return t;
  }

  matchTerm(index: number, term: number): boolean {
    const t = this.tryTerm(index);
    return typeof t === 'number' && t === term;
  }

  /** A candidate's log is at least as up to date as ours (§5.4.1). */
  isUpToDate(lastIndex: number, term: number): boolean {
    const ourTerm = this.lastTerm();
    return term > ourTerm || (term === ourTerm && lastIndex >= this.lastIndex());
  }

  /**
   * Appends a leader's entries after (index, logTerm) if our log matches there (§5.3). Returns
   * the index of the last new entry, or undefined when the logs do not match.
   */
  maybeAppend(index: number, logTerm: number, committed: number, entries: readonly Entry[]): number | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastNew = index + entries.length;
    const conflict = this.findConflict(entries);
    if (conflict !== 0) {
      assert(conflict > this.committed, `entry ${conflict} conflicts with the committed prefix (committed ${this.committed})`);
      this.append(entries.slice(conflict - (index + 1)));
    }
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  /** The index of the first entry that is new or conflicts with ours; 0 when all match. */
  findConflict(entries: readonly Entry[]): number {
    for (const e of entries) if (!this.matchTerm(e.index, e.term)) return e.index;
    return 0;
  }

  /**
   * For a rejected append at (index, term): the largest index ≤ `index` whose term is ≤ `term`,
   * and that term. The leader can skip a whole term of mismatching entries at once.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    let i = Math.min(index, this.lastIndex());
    for (; i > 0; i--) {
      const t = this.tryTerm(i);
      if (typeof t !== 'number') break;
      if (t <= term) return { index: i, term: t };
    }
    return { index: i, term: this.term(i) };
  }

  append(entries: readonly Entry[]): number {
    if (entries.length === 0) return this.lastIndex();
    const after = (entries[0] as Entry).index - 1;
    assert(after >= this.committed, `append after ${after} would overwrite committed entries (committed ${this.committed})`);
    this.unstable.truncateAndAppend(entries);
    return this.lastIndex();
  }

  /** Entries from `lo` to the end, at most `maxBytes` (at least one). */
  entries(lo: number, maxBytes: number): Entry[] | 'compacted' {
    if (lo > this.lastIndex()) return [];
    return this.slice(lo, this.lastIndex() + 1, maxBytes);
  }

  slice(lo: number, hi: number, maxBytes: number): Entry[] | 'compacted' {
    if (lo === hi) return [];
    if (lo < this.firstIndex()) return 'compacted';
    assert(hi <= this.lastIndex() + 1, `slice(${lo}, ${hi}) past the last index ${this.lastIndex()}`);
    let out: Entry[] = [];
    const unstableFrom = this.unstable.offset;
    if (lo < unstableFrom) {
      try {
        out = this.storage.entries(lo, Math.min(hi, unstableFrom), maxBytes);
      } catch (err) {
        if (err instanceof CompactedError) return 'compacted';
        throw err;
      }
      // Storage held fewer than asked (size limit): do not add unstable entries after a gap.
      if (out.length < Math.min(hi, unstableFrom) - lo) return out;
    }
    if (hi > unstableFrom) out = out.concat(this.unstable.slice(Math.max(lo, unstableFrom), hi));
    return limitBytes(out, maxBytes);
  }

  /** Commits up to `maxIndex` if that entry is of the current term (§5.4.2). */
  maybeCommit(maxIndex: number, term: number): boolean {
    if (maxIndex > this.committed && this.term(maxIndex) === term) {
      this.commitTo(maxIndex);
      return true;
    }
    return false;
  }

  commitTo(index: number): void {
    if (index <= this.committed) return;
    assert(index <= this.lastIndex(), `commit ${index} is past the last index ${this.lastIndex()}; the log is corrupt or truncated`);
    this.committed = index;
  }

  appliedTo(index: number): void {
    if (index === 0) return;
    assert(index <= this.committed && index >= this.applied, `applied(${index}) outside [applied ${this.applied}, committed ${this.committed}]`);
    this.applied = index;
  }

  hasNextCommittedEntries(): boolean {
    return this.committed > Math.max(this.applied, this.firstIndex() - 1);
  }

  nextCommittedEntries(): Entry[] {
    const lo = Math.max(this.applied + 1, this.firstIndex());
    if (this.committed + 1 <= lo) return [];
    const got = this.slice(lo, this.committed + 1, this.maxApplyBytes);
    assert(got !== 'compacted', `committed entries from ${lo} are compacted but not applied`);
    return got;
  }

  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  restore(snap: Snapshot): void {
    this.committed = snap.meta.index;
    this.unstable.restore(snap);
  }

  stableTo(index: number, term: number): void {
    this.unstable.stableTo(index, term);
  }

  stableSnapTo(index: number): void {
    this.unstable.stableSnapTo(index);
  }
}
