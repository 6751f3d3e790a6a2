// The write-ahead log on disk: append-only segment files `<seq>-<firstIndex>.wal` (hex) in one
// folder. A save is one durable write (O_DSYNC) of all its records: the group commit. A segment that grows past `segmentBytesMax` is closed and a new one begun with
// the current hard state and snapshot marker, so a segment never depends on an older one for
// those; segments whose entries are all covered by a snapshot are removed.
//
// On open: a torn tail of the last segment (a record cut short by a crash) is cut off; damage
// anywhere else refuses to open, with a message naming the file and byte, rather than silently
// dropping the entries after it.

import { constants } from 'node:fs';
import { open, readFile, readdir, rm, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ShoalError, assert } from '../../shared/errors.js';
import { fsyncDir, mkdirPrivate } from '../../shared/fs-modes.js';
import type { Entry, HardState } from './types.js';
import { decodeRecords, encodeRecord, type WalRecord } from './wal-format.js';

export const SEGMENT_BYTES_MAX_DEFAULT = 64 * 1024 * 1024;

/**
 * Segments are written with O_DSYNC: a write returns once its data is durable, so a group commit
 * is one system call (one trip through libuv's threadpool) instead of a write and an fdatasync.
 * Every write the WAL makes on the commit path must be durable anyway (entries, term and vote);
 * a hard state that only moves the commit index is held back and rides with the next write.
 */
const SEGMENT_OPEN_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC;

export interface WalReplay {
  readonly hardState: HardState;
  /** Entries after `snapshot.index`, in order, with later writes replacing earlier ones. */
  readonly entries: Entry[];
  /** Snapshot markers found, oldest first. */
  readonly snapshots: { index: number; term: number }[];
  /** Bytes cut from a torn tail, 0 when the log ended cleanly. */
  readonly tornBytes: number;
}

interface Segment {
  readonly seq: number;
  readonly firstIndex: number;
  readonly name: string;
}

const hex16 = (n: number): string => n.toString(16).padStart(16, '0');

function parseSegmentName(name: string): Segment | undefined {
  const m = /^([0-9a-f]{16})-([0-9a-f]{16})\.wal$/.exec(name);
  if (m === null) return undefined;
  return { seq: parseInt(m[1] as string, 16), firstIndex: parseInt(m[2] as string, 16), name };
}

export function walCorrupt(file: string, offset: number, reason: string): ShoalError {
  return new ShoalError(
    'failed_precondition',
    'raft.wal_corrupt',
    `WAL ${file} is damaged at byte ${offset} (${reason}); refusing to start rather than lose the entries after it ` +
      `(restore this manager's data from a backup, or remove it from the cluster and join it again)`,
    { fields: { file, offset } },
  );
}

export class Wal {
  private segments: Segment[];
  private current: FileHandle;
  private currentBytes: number;
  private lastIndex: number;
  private hardState: HardState;
  private snapshotMarker: { index: number; term: number };
  private deferredHardState: HardState | undefined;
  private durableWrites = 0;

  private constructor(
    readonly dir: string,
    readonly segmentBytesMax: number,
    segments: Segment[],
    current: FileHandle,
    currentBytes: number,
    replay: WalReplay,
  ) {
    this.segments = segments;
    this.current = current;
    this.currentBytes = currentBytes;
    const last = replay.entries[replay.entries.length - 1];
    this.snapshotMarker = replay.snapshots[replay.snapshots.length - 1] ?? { index: 0, term: 0 };
    this.lastIndex = last?.index ?? this.snapshotMarker.index;
    this.hardState = replay.hardState;
  }

  /** Opens (or creates) the WAL in `dir` and replays it. */
  static async open(dir: string, segmentBytesMax = SEGMENT_BYTES_MAX_DEFAULT): Promise<{ wal: Wal; replay: WalReplay }> {
    await mkdirPrivate(dir);
    const segments = (await readdir(dir))
      .map(parseSegmentName)
      .filter((s): s is Segment => s !== undefined)
      .sort((a, b) => a.seq - b.seq);
    if (segments.length === 0) {
      const first: Segment = { seq: 1, firstIndex: 1, name: `${hex16(1)}-${hex16(1)}.wal` };
      const fh = await open(join(dir, first.name), SEGMENT_OPEN_FLAGS, 0o600);
      await fh.sync();
      await fsyncDir(dir);
      const replay: WalReplay = { hardState: { term: 0, vote: 0, commit: 0 }, entries: [], snapshots: [], tornBytes: 0 };
      return { wal: new Wal(dir, segmentBytesMax, [first], fh, 0, replay), replay };
    }
    const replay = await Wal.replay(dir, segments);
    const last = segments[segments.length - 1] as Segment;
    const fh = await open(join(dir, last.name), SEGMENT_OPEN_FLAGS, 0o600);
    const size = (await fh.stat()).size;
    return { wal: new Wal(dir, segmentBytesMax, segments, fh, size, replay), replay };
  }

  private static async replay(dir: string, segments: Segment[]): Promise<WalReplay> {
    let hardState: HardState = { term: 0, vote: 0, commit: 0 };
    let entries: Entry[] = [];
    const snapshots: { index: number; term: number }[] = [];
    let tornBytes = 0;
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i] as Segment;
      const path = join(dir, seg.name);
      const buf = await readFile(path);
      const decoded = decodeRecords(buf);
      if (decoded.stop.kind === 'corrupt') throw walCorrupt(path, decoded.stop.offset, decoded.stop.reason);
      if (decoded.stop.kind === 'torn') {
        if (i !== segments.length - 1) throw walCorrupt(path, decoded.stop.offset, 'a record is cut short in a segment that is not the last');
        tornBytes = buf.length - decoded.validBytes;
        await truncate(path, decoded.validBytes);
      }
      for (const r of decoded.records) {
        switch (r.kind) {
          case 'hard-state':
            hardState = r.hardState;
            break;
          case 'snapshot':
            snapshots.push({ index: r.index, term: r.term });
            entries = entries.filter((e) => e.index > r.index);
            break;
          case 'entry':
            entries = appendReplacing(entries, r.entry, path);
            break;
        }
      }
    }
    return { hardState, entries, snapshots, tornBytes };
  }

  /**
   * Appends hard state and entries in one durable write. A hard state alone that need not be
   * synced (only the commit index moved: term and vote changes always sync) is kept
   * and written with the next write: the commit index is a hint that a restarted server
   * relearns from the leader, and skipping a write per commit shortens the commit path.
   */
  async save(hardState: HardState | undefined, entries: readonly Entry[], sync: boolean): Promise<void> {
    if (entries.length === 0 && !sync && hardState !== undefined) {
      this.deferredHardState = hardState;
      this.hardState = hardState;
      return;
    }
    const records: WalRecord[] = entries.map((entry) => ({ kind: 'entry', entry }));
    const hs = hardState ?? this.deferredHardState;
    if (hs !== undefined) records.push({ kind: 'hard-state', hardState: hs });
    this.deferredHardState = undefined;
    if (records.length === 0) return;
    await this.write(records);
    if (hs !== undefined) this.hardState = hs;
    const last = entries[entries.length - 1];
    if (last !== undefined) this.lastIndex = last.index;
    if (this.currentBytes >= this.segmentBytesMax) await this.cut();
  }

  /** Records that entries up to (index, term) are in a snapshot file (written before this). */
  async saveSnapshotMarker(index: number, term: number): Promise<void> {
    // A deferred commit index goes out with the marker: the snapshot covers applied (so
    // committed) entries, and the WAL must never say less was committed than it holds.
    const records: WalRecord[] = [{ kind: 'snapshot', index, term }];
    if (this.deferredHardState !== undefined) records.push({ kind: 'hard-state', hardState: this.deferredHardState });
    this.deferredHardState = undefined;
    await this.write(records);
    this.snapshotMarker = { index, term };
    if (this.lastIndex < index) this.lastIndex = index;
  }

  private async write(records: readonly WalRecord[]): Promise<void> {
    const buf = Buffer.concat(records.map(encodeRecord));
    // Durable when write returns (O_DSYNC), whether or not `sync` asked for it. A short write
    // (the disk filled up part way) is not durable: the rest is written, and fails with the
    // reason (ENOSPC) rather than letting the records count as saved.
    for (let done = 0; done < buf.length; ) {
      const { bytesWritten } = await this.current.write(buf, done, buf.length - done);
      if (bytesWritten === 0) throw new Error(`WAL write to ${this.dir} made no progress`);
      done += bytesWritten;
    }
    this.currentBytes += buf.length;
    this.durableWrites++;
  }

  /** Durable writes made since this WAL was opened: each is one trip to the disk. */
  writes(): number {
    return this.durableWrites;
  }

  /** Closes the current segment and begins the next with the state it needs. */
  private async cut(): Promise<void> {
    await this.current.close();
    const prev = this.segments[this.segments.length - 1] as Segment;
    const next: Segment = { seq: prev.seq + 1, firstIndex: this.lastIndex + 1, name: `${hex16(prev.seq + 1)}-${hex16(this.lastIndex + 1)}.wal` };
    this.current = await open(join(this.dir, next.name), SEGMENT_OPEN_FLAGS, 0o600);
    this.currentBytes = 0;
    this.segments.push(next);
    await this.write([{ kind: 'snapshot', ...this.snapshotMarker }, { kind: 'hard-state', hardState: this.hardState }]);
    await fsyncDir(this.dir);
  }

  /**
   * Removes segments all of whose entries are at or below `index` (covered by a snapshot whose
   * marker is already saved). The current segment always stays.
   */
  async releaseTo(index: number): Promise<number> {
    assert(index <= this.snapshotMarker.index, `wal.releaseTo(${index}) beyond the saved snapshot ${this.snapshotMarker.index}`);
    let removable = 0;
    // Segment i holds entries from firstIndex(i) to firstIndex(i+1) − 1.
    while (removable < this.segments.length - 1 && (this.segments[removable + 1] as Segment).firstIndex - 1 <= index) removable++;
    const gone = this.segments.splice(0, removable);
    for (const s of gone) await rm(join(this.dir, s.name), { force: true });
    if (gone.length > 0) await fsyncDir(this.dir);
    return gone.length;
  }

  segmentNames(): string[] {
    return this.segments.map((s) => s.name);
  }

  /**
   * Writes a held-back commit index, then closes. `flush: false` after a failed write: the file's
   * state is unknown, and the commit index is only a hint, so nothing more is written.
   */
  async close(flush = true): Promise<void> {
    try {
      if (flush && this.deferredHardState !== undefined) await this.save(undefined, [], true);
    } finally {
      await this.current.close();
    }
  }
}

/** Adds an entry to a replayed log: one at index i replaces those from i on. */
function appendReplacing(entries: Entry[], e: Entry, file: string): Entry[] {
  const first = entries[0];
  if (first === undefined || e.index === first.index + entries.length) {
    entries.push(e);
    return entries;
  }
  if (e.index < first.index) {
    // Below what we hold (the log was truncated to a snapshot): starts over from here.
    return [e];
  }
  if (e.index > first.index + entries.length) {
    throw walCorrupt(file, 0, `entry ${e.index} follows ${first.index + entries.length - 1}: a gap in the log`);
  }
  const kept = entries.slice(0, e.index - first.index);
  kept.push(e);
  return kept;
}
