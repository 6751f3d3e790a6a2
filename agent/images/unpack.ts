// Unpacking one image layer (a tar, gzip-compressed or not) into its own folder, for use as an
// overlayfs lower layer. Every entry is checked before anything is written:
//   - its path must stay inside the layer: no absolute paths, no `..`;
//   - no entry is written through a symlink (each parent is lstat'ed; an existing entry at the
//     path is removed, never opened), so a symlink in the layer cannot redirect a later write;
//   - hard links must name a file inside the layer, reached without symlinks;
//   - device nodes and FIFOs are refused.
// Whiteouts become overlayfs whiteouts (a 0:0 character device), opaque markers become the
// `trusted.overlay.opaque` attribute: both made here, never taken from the archive.
// The layer is unpacked into a temporary sibling folder and renamed into place only when the
// whole archive was good: a refused or broken layer leaves nothing behind.

import { createHash } from 'node:crypto';
import { chmod, lchown, link, lstat, lutimes, mkdir, open, rename, rm, symlink } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { dirname, join } from 'node:path';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import { ShoalError } from '../../shared/errors.js';
import { PRIVATE_DIR_MODE } from '../../shared/fs-modes.js';
import { lsetxattr, mknodChar } from '../sys/libc.js';

export const LAYER_ENTRIES_MAX = 2_000_000;
export const LAYER_BYTES_MAX = 64 * 1024 ** 3;
const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

export interface UnpackStats {
  entries: number;
  bytes: number;
  whiteouts: number;
  opaqueDirs: number;
}

function unsafe(name: string, why: string): ShoalError {
  return new ShoalError('invalid_argument', 'image.layer_unsafe', `layer entry ${JSON.stringify(name)}: ${why}; the layer was refused and nothing was written`, {
    fields: { entry: name },
  });
}

/**
 * A path of the layer as components; refuses anything that leaves it. `entry` is the entry it
 * belongs to (for a hard link, `path` is the link's target), `what` names the path in errors.
 */
export function layerPath(path: string, entry = path, what = ''): string[] {
  if (path.startsWith('/')) throw unsafe(entry, `${what}absolute path`);
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw unsafe(entry, `${what}a ".." component would leave the layer`);
  return parts;
}

async function lstatOrUndefined(path: string) {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Makes sure every parent of `parts` is a real directory inside `root` (creating missing ones). */
async function ensureParents(root: string, parts: readonly string[], name: string, create: boolean): Promise<void> {
  let path = root;
  for (const p of parts.slice(0, -1)) {
    path = join(path, p);
    const st = await lstatOrUndefined(path);
    if (st === undefined) {
      if (!create) throw unsafe(name, `its parent ${JSON.stringify(p)} does not exist in the layer`);
      await mkdir(path, { mode: 0o755 });
    } else if (st.isSymbolicLink()) {
      throw unsafe(name, `its parent ${JSON.stringify(p)} is a symlink, which could lead outside the layer`);
    } else if (!st.isDirectory()) {
      throw unsafe(name, `its parent ${JSON.stringify(p)} is not a directory`);
    }
  }
}

/** Removes whatever is at `path` (never following it), so a new entry replaces it. */
async function clear(path: string, keepDirectory: boolean): Promise<void> {
  const st = await lstatOrUndefined(path);
  if (st === undefined) return;
  if (st.isDirectory() && keepDirectory) return;
  await rm(path, { recursive: true, force: true });
}

async function writeEntry(root: string, header: Header, body: Readable, stats: UnpackStats): Promise<void> {
  const name = header.name;
  const parts = layerPath(name);
  if (parts.length === 0) {
    body.resume();
    return; // the layer root itself
  }
  const path = join(root, ...parts);
  const base = parts[parts.length - 1] as string;

  if (base === OPAQUE_MARKER) {
    await ensureParents(root, parts, name, true);
    lsetxattr(dirname(path), 'trusted.overlay.opaque', 'y');
    stats.opaqueDirs++;
    body.resume();
    return;
  }
  if (base.startsWith(WHITEOUT_PREFIX)) {
    const hidden = base.slice(WHITEOUT_PREFIX.length);
    if (hidden === '' || hidden === '..' || hidden === '.') throw unsafe(name, 'a whiteout must name an entry');
    await ensureParents(root, parts, name, true);
    const target = join(dirname(path), hidden);
    await clear(target, false);
    mknodChar(target, 0, 0, 0);
    stats.whiteouts++;
    body.resume();
    return;
  }

  await ensureParents(root, parts, name, true);
  const mode = (header.mode ?? 0o644) & 0o7777;
  const uid = header.uid ?? 0;
  const gid = header.gid ?? 0;
  const mtime = header.mtime ?? new Date(0);
  switch (header.type) {
    case 'file':
    case 'contiguous-file': {
      await clear(path, false);
      stats.bytes += header.size ?? 0;
      if (stats.bytes > LAYER_BYTES_MAX) throw unsafe(name, `the layer is larger than ${LAYER_BYTES_MAX} bytes`);
      // O_EXCL | O_NOFOLLOW: the path was just cleared; never write through anything found there.
      const flags = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW;
      const handle = await open(path, flags, mode);
      await pipeline(body, handle.createWriteStream()); // closes the handle
      break;
    }
    case 'directory': {
      await clear(path, true);
      if ((await lstatOrUndefined(path)) === undefined) await mkdir(path, { mode });
      body.resume();
      break;
    }
    case 'symlink': {
      await clear(path, false);
      // Any target is allowed: it is resolved inside the container's root at run time, and this
      // unpacker never follows a symlink.
      await symlink(header.linkname ?? '', path);
      body.resume();
      break;
    }
    case 'link': {
      const linkname = header.linkname ?? '';
      const sourceParts = layerPath(linkname, name, `hard link target ${JSON.stringify(linkname)}: `);
      if (sourceParts.length === 0) throw unsafe(name, 'a hard link to the layer root');
      await ensureParents(root, sourceParts, name, false);
      const source = join(root, ...sourceParts);
      const st = await lstatOrUndefined(source);
      if (st === undefined || st.isDirectory()) throw unsafe(name, `hard link to ${JSON.stringify(linkname)}, which is not a file of this layer`);
      await clear(path, false);
      await link(source, path);
      body.resume();
      return; // a hard link shares the source's owner, mode and times
    }
    case 'character-device':
    case 'block-device':
      throw unsafe(name, 'device nodes are not allowed in image layers');
    case 'fifo':
      throw unsafe(name, 'FIFOs are not allowed in image layers');
    default:
      throw unsafe(name, `entries of type ${String(header.type)} are not supported`);
  }
  // Owner first: chown clears the setuid and setgid bits that the mode may set.
  await lchown(path, uid, gid);
  if (header.type !== 'symlink') {
    await chmod(path, mode);
    await lutimes(path, mtime, mtime);
  }
}

/** Passes bytes through, gunzipping them if they start with the gzip magic number. */
function maybeGunzip(): Transform {
  let decided = false;
  let gunzip: ReturnType<typeof createGunzip> | undefined;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (!decided) {
        decided = true;
        if (chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b) {
          gunzip = createGunzip();
          gunzip.on('data', (d: Buffer) => this.push(d));
          gunzip.on('error', (e) => this.destroy(e));
        }
      }
      if (gunzip === undefined) done(null, chunk);
      else gunzip.write(chunk, () => done());
    },
    flush(done) {
      if (gunzip === undefined) {
        done();
        return;
      }
      gunzip.once('end', () => done());
      gunzip.once('error', (e) => done(e));
      gunzip.end();
    },
  });
}

/**
 * Unpacks a layer archive into `finalDir`, which must not exist yet. Returns what was unpacked;
 * throws (with nothing left behind) on an unsafe entry or a damaged archive.
 */
export async function unpackLayer(archive: Readable, finalDir: string, expectedDiffId?: string): Promise<UnpackStats> {
  if ((await lstatOrUndefined(finalDir)) !== undefined) {
    throw new ShoalError('already_exists', 'image.layer_exists', `layer folder ${finalDir} exists already`);
  }
  const tmp = `${finalDir}.unpacking-${process.pid}-${Date.now()}`;
  // Folders made on the way are root's alone (<data>/layers: the layers keep their setuid binaries
  // for the containers, so other users must not reach them); one that exists is left as it is.
  await mkdir(dirname(finalDir), { recursive: true, mode: PRIVATE_DIR_MODE });
  await mkdir(tmp, { mode: 0o755 });
  const stats: UnpackStats = { entries: 0, bytes: 0, whiteouts: 0, opaqueDirs: 0 };
  const tar = extract();
  tar.on('entry', (header, body, next) => {
    // A damaged archive fails the entry's stream too; the extractor reports it once, below.
    body.on('error', () => undefined);
    stats.entries++;
    if (stats.entries > LAYER_ENTRIES_MAX) {
      tar.destroy(unsafe(header.name, `the layer has more than ${LAYER_ENTRIES_MAX} entries`));
      return;
    }
    writeEntry(tmp, header, body as unknown as Readable, stats).then(
      () => next(),
      (err: unknown) => {
        body.resume();
        tar.destroy(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
  try {
    // The diff ID is the digest of the uncompressed tar: the config names it, the layer must match.
    const hash = createHash('sha256');
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(archive, maybeGunzip(), hashing, tar as unknown as Writable);
    const diffId = `sha256:${hash.digest('hex')}`;
    if (expectedDiffId !== undefined && diffId !== expectedDiffId) {
      throw new ShoalError('invalid_argument', 'image.diff_id_mismatch', `layer content ${diffId} does not match the diff ID ${expectedDiffId} its image config names; the layer was refused`);
    }
    await rename(tmp, finalDir);
    return stats;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    if (err instanceof ShoalError) throw err;
    throw new ShoalError('invalid_argument', 'image.layer_damaged', `layer archive is damaged: ${(err as Error).message}`, { cause: err });
  }
}
