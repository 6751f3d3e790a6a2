// The stable part of the log, as the core reads it. The driver writes entries and snapshots
// durably first (WAL, snapshot files) and then into a LogStorage, so what LogStorage holds is
// always on disk. MemoryStorage is the implementation the driver and the tests use.
//
// Error contract: `entries` and `term` throw CompactedError for an index at or before the last
// snapshot (its term excepted: term(firstIndex - 1) is the snapshot's term) and
// UnavailableError for an index past lastIndex. Nothing else throws.

import { assert } from '../../shared/errors.js';
import { entryBytes, type ConfState, type Entry, type HardState, type Snapshot } from './types.js';

export class CompactedError extends Error {
  override readonly name = 'CompactedError';
}
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError';
}
export class SnapshotOutOfDateError extends Error {
  override readonly name = 'SnapshotOutOfDateError';
}

export interface LogStorage {
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries in [lo, hi), at least one if any, at most `maxBytes` in all. */
  entries(lo: number, hi: number, maxBytes: number): Entry[];
  term(index: number): number;
  firstIndex(): number;
  lastIndex(): number;
  snapshot(): Snapshot;
}

/** Takes entries from the front while their size stays under `maxBytes`; always at least one. */
export function limitBytes(entries: Entry[], maxBytes: number): Entry[] {
  if (entries.length === 0) return entries;
  let size = entryBytes(entries[0] as Entry);
  let n = 1;
  for (; n < entries.length; n++) {
    size += entryBytes(entries[n] as Entry);
    if (size > maxBytes) break;
  }
  return n === entries.length ? entries : entries.slice(0, n);
}

export class MemoryStorage implements LogStorage {
  private hardState: HardState = { term: 0, vote: 0, commit: 0 };
  private snap: Snapshot = { meta: { index: 0, term: 0, confState: { voters: [], learners: [] } }, data: new Uint8Array(0) };
  /** ents[0] is a dummy standing for the snapshot: its index and term. */
  private ents: Entry[] = [{ index: 0, term: 0, type: 'ENTRY_NORMAL', data: new Uint8Array(0) }];

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: this.hardState, confState: this.snap.meta.confState };
  }

  setHardState(hs: HardState): void {
    this.hardState = hs;
  }

  /** Sets the membership a brand-new cluster starts with (bootstrap), as a snapshot at index 0. */
  setConfState(cs: ConfState): void {
    this.snap = { ...this.snap, meta: { ...this.snap.meta, confState: cs } };
  }

  private offset(): number {
    return (this.ents[0] as Entry).index;
  }

  firstIndex(): number {
    return this.offset() + 1;
  }

  lastIndex(): number {
    return this.offset() + this.ents.length - 1;
  }

  term(index: number): number {
    const offset = this.offset();
    if (index < offset) throw new CompactedError(`index ${index} is compacted (first ${offset + 1})`);
    if (index - offset >= this.ents.length) throw new UnavailableError(`index ${index} is past the last ${this.lastIndex()}`);
    return (this.ents[index - offset] as Entry).term;
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    const offset = this.offset();
    if (lo <= offset) throw new CompactedError(`index ${lo} is compacted (first ${offset + 1})`);
    if (hi > this.lastIndex() + 1) throw new UnavailableError(`entries up to ${hi - 1} asked, last is ${this.lastIndex()}`);
    return limitBytes(this.ents.slice(lo - offset, hi - offset), maxBytes);
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Appends entries, replacing any that conflict from their first index on. */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = (entries[entries.length - 1] as Entry).index;
    if (last < first) return; // all compacted already
    const fresh = (entries[0] as Entry).index < first ? entries.slice(first - (entries[0] as Entry).index) : entries;
    const at = (fresh[0] as Entry).index - this.offset();
    assert(at <= this.ents.length, `storage.append: gap: last ${this.lastIndex()}, appending at ${(fresh[0] as Entry).index}`);
    // The common case appends at the end: no copy of the whole log on every write.
    if (at < this.ents.length) this.ents.length = at;
    for (const e of fresh) this.ents.push(e);
  }

  /** Replaces everything with a snapshot; an older one than held is refused. */
  applySnapshot(snap: Snapshot): void {
    if (snap.meta.index < this.snap.meta.index) throw new SnapshotOutOfDateError(`snapshot ${snap.meta.index} is older than ${this.snap.meta.index}`);
    this.snap = snap;
    this.ents = [{ index: snap.meta.index, term: snap.meta.term, type: 'ENTRY_NORMAL', data: new Uint8Array(0) }];
  }

  /** Records a snapshot of the state machine at `index` (≤ applied); does not compact. */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Snapshot {
    if (index <= this.snap.meta.index) throw new SnapshotOutOfDateError(`snapshot at ${index} is not newer than ${this.snap.meta.index}`);
    assert(index <= this.lastIndex(), `createSnapshot: ${index} is past the last index ${this.lastIndex()}`);
    this.snap = { meta: { index, term: this.term(index), confState }, data };
    return this.snap;
  }

  /** Drops entries before `index`; `index` becomes the dummy. */
  compact(index: number): void {
    const offset = this.offset();
    if (index <= offset) return;
    assert(index <= this.lastIndex(), `compact: ${index} is past the last index ${this.lastIndex()}`);
    const dummy = this.ents[index - offset] as Entry;
    this.ents = [{ index: dummy.index, term: dummy.term, type: 'ENTRY_NORMAL', data: new Uint8Array(0) }, ...this.ents.slice(index - offset + 1)];
  }
}
