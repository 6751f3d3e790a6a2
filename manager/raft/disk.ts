// A server's Raft data on disk: `<dir>/wal` and `<dir>/snap`. `openDisk` replays them into a
// MemoryStorage the core reads; `persist` writes one Ready durably (WAL group commit) and then
// into the MemoryStorage; `snapshot` records the state machine and releases the log before it.
// The folder is its owner's alone (0700, records 0600: shared/fs-modes.ts); one left open by an
// older version is tightened on open, and `opened.tightened` says what changed.

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ShoalError } from '../../shared/errors.js';
import { lockDir, type DirLock } from '../../shared/dir-lock.js';
import { openPrivateRoot, tighten, type Tightened } from '../../shared/fs-modes.js';
import type { Ready } from './rawnode.js';
import { SnapshotFiles } from './snapshot-files.js';
import { MemoryStorage } from './storage.js';
import type { ConfState, Snapshot } from './types.js';
import { Wal, type WalReplay } from './wal.js';

export interface DiskOptions {
  readonly segmentBytesMax?: number;
}

export class RaftDisk {
  private constructor(
    readonly storage: MemoryStorage,
    private readonly wal: Wal,
    private readonly snaps: SnapshotFiles,
    private readonly lock: DirLock,
    /** What opening found: a torn tail cut, the snapshot used. */
    readonly opened: { readonly tornBytes: number; readonly snapshotIndex: number; readonly entries: number; readonly fresh: boolean; readonly tightened: readonly Tightened[] },
  ) {}

  static async open(dir: string, options: DiskOptions = {}): Promise<RaftDisk> {
    const tightened = await RaftDisk.makePrivate(dir);
    // Two processes on one Raft dir would write one WAL over the other: the second is refused.
    const lock = await lockDir(dir, 'the Raft data dir');
    let wal: Wal;
    let replay: WalReplay;
    try {
      ({ wal, replay } = await Wal.open(join(dir, 'wal'), options.segmentBytesMax));
    } catch (err) {
      await lock.release();
      throw err;
    }
    const snaps = new SnapshotFiles(join(dir, 'snap'));
    try {
      const snapshot = await snaps.loadNewest(replay.snapshots);
      const storage = RaftDisk.restore(replay, snapshot);
      const fresh = replay.entries.length === 0 && snapshot === undefined && replay.hardState.term === 0;
      return new RaftDisk(storage, wal, snaps, lock, {
        tornBytes: replay.tornBytes,
        snapshotIndex: snapshot?.meta.index ?? 0,
        entries: replay.entries.length,
        fresh,
        tightened,
      });
    } catch (err) {
      await wal.close();
      await lock.release();
      throw err;
    }
  }

  /** The data dir, wal/ and snap/ and the files in them made their owner's alone. */
  private static async makePrivate(dir: string): Promise<Tightened[]> {
    const out: Tightened[] = [];
    const root = await openPrivateRoot(dir, 'the Raft data dir');
    if (root !== undefined) out.push(root);
    for (const sub of ['wal', 'snap']) {
      const folder = join(dir, sub);
      const names = await readdir(folder).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return undefined; // made below, 0700, by Wal.open and SnapshotFiles
        throw e;
      });
      if (names === undefined) continue;
      for (const path of [folder, ...names.map((n) => join(folder, n))]) {
        const t = await tighten(path);
        if (t !== undefined) out.push(t);
      }
    }
    return out;
  }

  private static restore(replay: WalReplay, snapshot: Snapshot | undefined): MemoryStorage {
    const storage = new MemoryStorage();
    const snapIndex = snapshot?.meta.index ?? 0;
    if (snapshot !== undefined) storage.applySnapshot(snapshot);
    const entries = replay.entries.filter((e) => e.index > snapIndex);
    const first = entries[0];
    if (first !== undefined && first.index !== snapIndex + 1) {
      throw new ShoalError(
        'failed_precondition',
        'raft.log_gap',
        `the WAL's entries start at ${first.index} but the snapshot ends at ${snapIndex}: entries in between are missing`,
      );
    }
    storage.append(entries);
    const hs = replay.hardState;
    if (hs.commit > storage.lastIndex()) {
      throw new ShoalError('failed_precondition', 'raft.log_truncated', `the hard state commits ${hs.commit} but the log ends at ${storage.lastIndex()}`);
    }
    // A snapshot holds committed entries only: a commit index below it (a WAL written before
    // the marker carried the deferred commit) is raised to it.
    storage.setHardState(hs.commit < snapIndex ? { ...hs, commit: snapIndex } : hs);
    return storage;
  }

  /** Persists a Ready: snapshot file, then WAL (one write, fsync if needed), then memory. */
  async persist(rd: Ready): Promise<void> {
    if (rd.snapshot !== undefined) {
      await this.snaps.save(rd.snapshot);
      await this.wal.saveSnapshotMarker(rd.snapshot.meta.index, rd.snapshot.meta.term);
      this.storage.applySnapshot(rd.snapshot);
    }
    await this.wal.save(rd.hardState, rd.entries, rd.mustSync);
    this.storage.append(rd.entries);
    if (rd.hardState !== undefined) this.storage.setHardState(rd.hardState);
  }

  /**
   * Records the state machine as of `index` (already applied) and drops log entries before
   * `index − keepEntries`, so that slow followers can still be caught up from the log.
   */
  async snapshot(index: number, confState: ConfState, data: Uint8Array, keepEntries: number): Promise<Snapshot> {
    const snap: Snapshot = { meta: { index, term: this.storage.term(index), confState }, data };
    await this.writeSnapshotFile(snap);
    await this.recordSnapshot(snap, keepEntries);
    return snap;
  }

  /**
   * The first half of `snapshot`: the file alone, written atomically. It touches neither the WAL
   * nor the log, so it may run while Readies are persisted; the snapshot counts only once
   * `recordSnapshot` has put its marker in the WAL (a file without one is ignored on start).
   */
  async writeSnapshotFile(snap: Snapshot): Promise<void> {
    await this.snaps.save(snap);
  }

  /**
   * The second half, between two Readies: the WAL marker, then compaction. Returns false, and
   * removes the file, when a newer snapshot (one sent by the leader) took its place meanwhile.
   */
  async recordSnapshot(snap: Snapshot, keepEntries: number): Promise<boolean> {
    const { index } = snap.meta;
    const held = this.storage.snapshot().meta.index;
    if (index <= held) {
      if (index < held) await this.snaps.remove(snap.meta); // the same index is the same file
      return false;
    }
    this.storage.createSnapshot(index, snap.meta.confState, snap.data);
    await this.wal.saveSnapshotMarker(index, snap.meta.term);
    const compactTo = index - keepEntries;
    if (compactTo > this.storage.firstIndex()) this.storage.compact(compactTo);
    await this.wal.releaseTo(Math.min(index, this.storage.firstIndex() - 1));
    await this.snaps.prune();
    return true;
  }

  /** Durable WAL writes since start-up (each a trip to the disk). */
  walWrites(): number {
    return this.wal.writes();
  }

  walSegments(): string[] {
    return this.wal.segmentNames();
  }

  /** `flush: false` once a write has failed (Wal.close). */
  async close(flush = true): Promise<void> {
    try {
      await this.wal.close(flush);
    } finally {
      await this.lock.release();
    }
  }
}
