// The stable part of the log, as the core reads it. The driver writes entries and snapshots
// durably first (WAL, snapshot files) and then into a LogStorage, so what LogStorage holds is
// always on disk. MemoryStorage is the implementation the driver and the tests use.
//
// Error contract: `entries` and `term` throw CompactedError for an index at or before the last
// snapshot (its term excepted: term(firstIndex - 1) is the snapshot's term) and
// UnavailableError for an index past lastIndex. Nothing else throws.

import { assert } from '../../shared/errors.js';
import { ENTRY_OVERHEAD_BYTES, entryBytes, type ConfState, type Entry, type EntryType, type HardState, type Snapshot } from './types.js';

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

/** How many of `count` items, each `sizeOf(i)` bytes, fit under `maxBytes` from the front; at least one. */
function countWithin(count: number, sizeOf: (i: number) => number, maxBytes: number): number {
  if (count <= 0) return 0;
  let size = sizeOf(0);
  let n = 1;
  for (; n < count; n++) {
    size += sizeOf(n);
    if (size > maxBytes) break;
  }
  return n;
}

/** Takes entries from the front while their size stays under `maxBytes`; always at least one. */
export function limitBytes(entries: Entry[], maxBytes: number): Entry[] {
  const n = countWithin(entries.length, (i) => entryBytes(entries[i] as Entry), maxBytes);
  return n === entries.length ? entries : entries.slice(0, n);
}

const TYPE_CODES: readonly EntryType[] = ['ENTRY_NORMAL', 'ENTRY_CONF_CHANGE'];
const EMPTY = new Uint8Array(0);
/** Entry data is copied into chunks of this size (an entry larger than it gets its own). */
const CHUNK_BYTES = 256 * 1024;

/**
 * The entries of a log in columns: term, type and where the data lies, in typed arrays, and the
 * data itself copied into shared chunks. A log of 100,000 entries held as objects (an entry and
 * its data buffer each) is 200,000 objects that every full garbage collection marks and moves;
 * here it is a few dozen (DESIGN.md, "Session 7": a third less live heap at 64 clients, shorter
 * full collections; a 1M-entry log 136 MB instead of 360 MB). `Entry` objects are made when
 * asked for, and die young. Written bytes are never overwritten (a truncated tail is left behind), so the data
 * of an entry handed out stays valid for as long as it is held.
 */
class PackedEntries {
  private terms = new Float64Array(1024);
  private types = new Uint8Array(1024);
  /** Which chunk (an id that only grows), where in it, how long. */
  private chunkIds = new Float64Array(1024);
  private starts = new Uint32Array(1024);
  private lengths = new Uint32Array(1024);
  private n = 0;
  /** chunks[i] has the id firstChunkId + i; the last one is being filled at `fill`. */
  private chunks: Buffer[] = [];
  private firstChunkId = 0;
  private fill = 0;

  get length(): number {
    return this.n;
  }

  term(i: number): number {
    return this.terms[i] as number;
  }

  bytes(i: number): number {
    return this.lengths[i] as number;
  }

  entry(i: number, index: number): Entry {
    const len = this.lengths[i] as number;
    const chunk = this.chunks[(this.chunkIds[i] as number) - this.firstChunkId] as Buffer;
    const start = this.starts[i] as number;
    return { index, term: this.terms[i] as number, type: TYPE_CODES[this.types[i] as number] as EntryType, data: len === 0 ? EMPTY : chunk.subarray(start, start + len) };
  }

  push(e: Entry): void {
    if (this.n === this.terms.length) this.grow(this.n * 2);
    const i = this.n++;
    this.terms[i] = e.term;
    this.types[i] = e.type === 'ENTRY_NORMAL' ? 0 : 1;
    const len = e.data.length;
    this.lengths[i] = len;
    if (len === 0) {
      this.chunkIds[i] = this.firstChunkId + Math.max(0, this.chunks.length - 1);
      this.starts[i] = 0;
      return;
    }
    if (this.chunks.length === 0 || this.fill + len > (this.chunks[this.chunks.length - 1] as Buffer).length) {
      this.chunks.push(Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, len)));
      this.fill = 0;
    }
    (this.chunks[this.chunks.length - 1] as Buffer).set(e.data, this.fill);
    this.chunkIds[i] = this.firstChunkId + this.chunks.length - 1;
    this.starts[i] = this.fill;
    this.fill += len;
  }

  /** Keeps the first `n` entries; their bytes stay where they are. */
  truncate(n: number): void {
    this.n = Math.min(this.n, n);
  }

  /** Drops the first `k` entries, and the chunks that only they used. */
  dropFront(k: number): void {
    const keep = this.n - k;
    for (const col of [this.terms, this.types, this.chunkIds, this.starts, this.lengths]) col.copyWithin(0, k, this.n);
    this.n = keep;
    const stillUsed = keep > 0 ? (this.chunkIds[0] as number) : this.firstChunkId + this.chunks.length - 1;
    const drop = Math.max(0, stillUsed - this.firstChunkId);
    this.chunks.splice(0, drop);
    this.firstChunkId += drop;
    if (keep * 4 < this.terms.length && this.terms.length > 1024) this.grow(Math.max(1024, keep * 2));
  }

  clear(): void {
    this.n = 0;
    this.firstChunkId += this.chunks.length;
    this.chunks = [];
    this.fill = 0;
  }

  private grow(capacity: number): void {
    const copy = <T extends Float64Array | Uint32Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const a = make(capacity);
      a.set(old.subarray(0, this.n));
      return a;
    };
    this.terms = copy(this.terms, (c) => new Float64Array(c));
    this.types = copy(this.types, (c) => new Uint8Array(c));
    this.chunkIds = copy(this.chunkIds, (c) => new Float64Array(c));
    this.starts = copy(this.starts, (c) => new Uint32Array(c));
    this.lengths = copy(this.lengths, (c) => new Uint32Array(c));
  }
}

export class MemoryStorage implements LogStorage {
  private hardState: HardState = { term: 0, vote: 0, commit: 0 };
  private snap: Snapshot = { meta: { index: 0, term: 0, confState: { voters: [], learners: [] } }, data: new Uint8Array(0) };
  /** The index and term of the last entry compacted away (the snapshot's); entries follow it. */
  private offset = 0;
  private offsetTerm = 0;
  private readonly ents = new PackedEntries();

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

  firstIndex(): number {
    return this.offset + 1;
  }

  lastIndex(): number {
    return this.offset + this.ents.length;
  }

  term(index: number): number {
    if (index < this.offset) throw new CompactedError(`index ${index} is compacted (first ${this.offset + 1})`);
    if (index === this.offset) return this.offsetTerm;
    if (index > this.lastIndex()) throw new UnavailableError(`index ${index} is past the last ${this.lastIndex()}`);
    return this.ents.term(index - this.offset - 1);
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    if (lo <= this.offset) throw new CompactedError(`index ${lo} is compacted (first ${this.offset + 1})`);
    if (hi > this.lastIndex() + 1) throw new UnavailableError(`entries up to ${hi - 1} asked, last is ${this.lastIndex()}`);
    // The same cut as limitBytes, made before the entries are.
    const from = lo - this.offset - 1;
    const n = countWithin(hi - lo, (k) => this.ents.bytes(from + k) + ENTRY_OVERHEAD_BYTES, maxBytes);
    return Array.from({ length: n }, (_, k) => this.ents.entry(from + k, lo + k));
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
    const skip = Math.max(0, first - (entries[0] as Entry).index);
    const at = (entries[skip] as Entry).index - this.offset - 1;
    assert(at <= this.ents.length, `storage.append: gap: last ${this.lastIndex()}, appending at ${(entries[skip] as Entry).index}`);
    this.ents.truncate(at);
    for (let k = skip; k < entries.length; k++) this.ents.push(entries[k] as Entry);
  }

  /** Replaces everything with a snapshot; an older one than held is refused. */
  applySnapshot(snap: Snapshot): void {
    if (snap.meta.index < this.snap.meta.index) throw new SnapshotOutOfDateError(`snapshot ${snap.meta.index} is older than ${this.snap.meta.index}`);
    this.snap = snap;
    this.offset = snap.meta.index;
    this.offsetTerm = snap.meta.term;
    this.ents.clear();
  }

  /** Records a snapshot of the state machine at `index` (≤ applied); does not compact. */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Snapshot {
    if (index <= this.snap.meta.index) throw new SnapshotOutOfDateError(`snapshot at ${index} is not newer than ${this.snap.meta.index}`);
    assert(index <= this.lastIndex(), `createSnapshot: ${index} is past the last index ${this.lastIndex()}`);
    this.snap = { meta: { index, term: this.term(index), confState }, data };
    return this.snap;
  }

  /** Drops entries before `index`; `index` becomes the one the log follows. */
  compact(index: number): void {
    if (index <= this.offset) return;
    assert(index <= this.lastIndex(), `compact: ${index} is past the last index ${this.lastIndex()}`);
    const term = this.term(index);
    this.ents.dropFront(index - this.offset);
    this.offset = index;
    this.offsetTerm = term;
  }
}
