// Snapshot files: `<term>-<index>.snap` (hex) in one folder, each
//   u32 CRC-32 of the rest | u32 metadata length | metadata JSON | state machine data
// written atomically: a temporary file, fdatasync, rename, fsync of the folder. The newest two
// are kept. On load, only a snapshot the WAL has a marker for is used (a file written just
// before a crash, whose marker never made it, is ignored).

import { crc32 } from 'node:zlib';
import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ShoalError } from '../../shared/errors.js';
import type { Snapshot, SnapshotMeta } from './types.js';
import { fsyncDir } from './wal.js';

export const SNAPSHOTS_KEPT = 2;
const hex16 = (n: number): string => n.toString(16).padStart(16, '0');
const fileName = (meta: { term: number; index: number }): string => `${hex16(meta.term)}-${hex16(meta.index)}.snap`;

export function encodeSnapshot(s: Snapshot): Buffer {
  const meta = Buffer.from(JSON.stringify(s.meta));
  const body = Buffer.allocUnsafe(4 + meta.length + s.data.length);
  body.writeUInt32BE(meta.length, 0);
  meta.copy(body, 4);
  body.set(s.data, 4 + meta.length);
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32BE(crc32(body), 0);
  body.copy(out, 4);
  return out;
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
    await mkdir(this.dir, { recursive: true });
    const name = fileName(s.meta);
    const tmp = join(this.dir, `${name}.tmp`);
    const fh = await open(tmp, 'w');
    try {
      await fh.write(encodeSnapshot(s));
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(this.dir, name));
    await fsyncDir(this.dir);
  }

  /** The newest snapshot among `wanted` (markers from the WAL) that has an intact file. */
  async loadNewest(wanted: readonly { index: number; term: number }[]): Promise<Snapshot | undefined> {
    await mkdir(this.dir, { recursive: true });
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

  /** Keeps the newest `SNAPSHOTS_KEPT` snapshots; removes older ones and stray temporary files. */
  async prune(): Promise<void> {
    const names = (await readdir(this.dir)).sort();
    const snaps = names.filter((n) => n.endsWith('.snap')).sort((a, b) => parseInt(a.slice(17, 33), 16) - parseInt(b.slice(17, 33), 16));
    const doomed = [...snaps.slice(0, Math.max(0, snaps.length - SNAPSHOTS_KEPT)), ...names.filter((n) => n.endsWith('.tmp'))];
    for (const n of doomed) await rm(join(this.dir, n), { force: true });
  }
}
