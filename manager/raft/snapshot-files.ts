// Snapshot files: `<term>-<index>.snap` (hex) in one folder, each
//   u32 CRC-32 of the rest | u32 metadata length | metadata JSON | state machine data
// written atomically (0600): a temporary file, fdatasync, rename, fsync of the folder. The newest two
// are kept. On load, only a snapshot the WAL has a marker for is used (a file written just
// before a crash, whose marker never made it, is ignored).

import { crc32 } from 'node:zlib';
import { open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ShoalError } from '../../shared/errors.js';
import { PRIVATE_FILE_MODE, fsyncDir, mkdirPrivate } from '../../shared/fs-modes.js';
import type { Snapshot, SnapshotMeta } from './types.js';

export const SNAPSHOTS_KEPT = 2;
let tmpCount = 0;
const hex16 = (n: number): string => n.toString(16).padStart(16, '0');
const fileName = (meta: { term: number; index: number }): string => `${hex16(meta.term)}-${hex16(meta.index)}.snap`;

/** Bytes checksummed per turn of the event loop when a snapshot is saved (about 1 ms each). */
const CRC_SLICE_BYTES = 1024 * 1024;

/**
 * A snapshot's file as two pieces, the header (CRC, metadata) and the data as it is, so that a
 * large state is neither copied nor checksummed in one go: the CRC runs a slice per turn.
 */
export async function encodeSnapshot(s: Snapshot): Promise<[Buffer, Uint8Array]> {
  const meta = Buffer.from(JSON.stringify(s.meta));
  const head = Buffer.allocUnsafe(8 + meta.length);
  head.writeUInt32BE(meta.length, 4);
  meta.copy(head, 8);
  let crc = crc32(head.subarray(4));
  for (let off = 0; off < s.data.length; off += CRC_SLICE_BYTES) {
    if (off > 0) await new Promise((r) => setImmediate(r));
    crc = crc32(s.data.subarray(off, off + CRC_SLICE_BYTES), crc);
  }
  head.writeUInt32BE(crc, 0);
  return [head, s.data];
}

export function decodeSnapshot(buf: Buffer, file: string): Snapshot {
  const bad = (why: string) => new ShoalError('failed_precondition', 'raft.snapshot_corrupt', `snapshot ${file} is damaged: ${why}`, { fields: { file } });
  if (buf.length < 8) throw bad('too short');
  if (crc32(buf.subarray(4)) !== buf.readUInt32BE(0)) throw bad('checksum mismatch');
  const metaLength = buf.readUInt32BE(4);
  if (8 + metaLength > buf.length) throw bad('metadata runs past the end');
  const meta = JSON.parse(buf.subarray(8, 8 + metaLength).toString()) as SnapshotMeta;
  return { meta, data: Uint8Array.prototype.slice.call(buf, 8 + metaLength) };
}

export class SnapshotFiles {
  constructor(readonly dir: string) {}

  async save(s: Snapshot): Promise<void> {
    await mkdirPrivate(this.dir);
    const name = fileName(s.meta);
    // Its own temporary name: the leader's snapshot may be saved while this server writes its own.
    const tmp = join(this.dir, `${name}.${++tmpCount}.tmp`);
    const fh = await open(tmp, 'w', PRIVATE_FILE_MODE);
    try {
      const pieces = await encodeSnapshot(s);
      const { bytesWritten } = await fh.writev(pieces);
      const expected = pieces[0].length + pieces[1].length;
      if (bytesWritten !== expected) throw new Error(`snapshot ${tmp}: wrote ${bytesWritten} of ${expected} bytes`);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(this.dir, name));
    await fsyncDir(this.dir);
  }

  /** The newest snapshot among `wanted` (markers from the WAL) that has an intact file. */
  async loadNewest(wanted: readonly { index: number; term: number }[]): Promise<Snapshot | undefined> {
    await mkdirPrivate(this.dir);
    const present = new Set(await readdir(this.dir));
    const errors: string[] = [];
    for (const m of [...wanted].sort((a, b) => b.index - a.index)) {
      const name = fileName(m);
      if (!present.has(name)) continue;
      try {
        return decodeSnapshot(await readFile(join(this.dir, name)), join(this.dir, name));
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    if (errors.length > 0) {
      throw new ShoalError('failed_precondition', 'raft.snapshot_corrupt', `no intact snapshot to start from: ${errors.join('; ')}`);
    }
    return undefined;
  }

  /** Removes one snapshot's file (one that was never recorded in the WAL). */
  async remove(meta: { term: number; index: number }): Promise<void> {
    await rm(join(this.dir, fileName(meta)), { force: true });
  }

  /** Keeps the newest `SNAPSHOTS_KEPT` snapshots; removes older ones and stray temporary files. */
  async prune(): Promise<void> {
    const names = (await readdir(this.dir)).sort();
    const snaps = names.filter((n) => n.endsWith('.snap')).sort((a, b) => parseInt(a.slice(17, 33), 16) - parseInt(b.slice(17, 33), 16));
    const doomed = [...snaps.slice(0, Math.max(0, snaps.length - SNAPSHOTS_KEPT)), ...names.filter((n) => n.endsWith('.tmp'))];
    for (const n of doomed) await rm(join(this.dir, n), { force: true });
  }
}
