// The content store: blobs addressed by their sha256 digest, under <root>/blobs/sha256/<hex>.
// Every write is hashed as it streams and checked against the digest it claims before it is
// renamed into place, so a blob's name always matches its bytes. Imports write into a staging
// area first and commit (rename) all their blobs only when the whole image checked out. Folders
// and blobs are root's alone (an image's config carries its environment).
//
// A commit races garbage collection: a blob already stored is not moved in again, and a blob the
// archive or registry did not send because the store had it is not in the staging area at all.
// So commits run under a CommitGuard (the agent's: no collection under way, agent/runtime/images.ts)
// and check there that every stored blob the import relied on is still stored.

import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ShoalError, invalidArgument, unavailable } from '../../shared/errors.js';
import { PRIVATE_FILE_MODE, mkdirPrivate } from '../../shared/fs-modes.js';

export type Digest = `sha256:${string}`;

export function checkDigest(value: string, what: string): Digest {
  if (!/^sha256:[a-f0-9]{64}$/.test(value)) throw invalidArgument('image.bad_digest', `${what}: ${JSON.stringify(value)} is not a sha256 digest`);
  return value as Digest;
}

export function digestOf(data: Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function digestMismatch(what: string, expected: string, actual: string): ShoalError {
  return new ShoalError('invalid_argument', 'image.digest_mismatch', `${what}: digest mismatch: expected ${expected}, content is ${actual}`, {
    fields: { expected, actual },
  });
}

/**
 * Runs a commit (blobs into the store, names into the index) so that no garbage collection runs
 * alongside it: a collection then either finished before the commit, or sees the new names.
 */
export type CommitGuard = <T>(commit: () => Promise<T>) => Promise<T>;

/** For a store nothing collects (tests, tools). */
export const unguarded: CommitGuard = (commit) => commit();

export class ContentStore {
  constructor(readonly root: string) {}

  blobPath(digest: Digest): string {
    return join(this.root, 'blobs', 'sha256', digest.slice('sha256:'.length));
  }

  /** Whether the blob is stored; an error other than "missing" (EIO, EACCES) is thrown, not taken for absence. */
  async has(digest: Digest): Promise<boolean> {
    return stat(this.blobPath(digest)).then(
      () => true,
      (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return false;
        throw e;
      },
    );
  }

  async size(digest: Digest): Promise<number> {
    return (await stat(this.blobPath(digest))).size;
  }

  async read(digest: Digest): Promise<Buffer> {
    try {
      return await readFile(this.blobPath(digest));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ShoalError('not_found', 'image.blob_missing', `blob ${digest} is not in the content store`);
      throw err;
    }
  }

  async readJson(digest: Digest): Promise<unknown> {
    const bytes = await this.read(digest);
    try {
      return JSON.parse(bytes.toString('utf8')) as unknown;
    } catch {
      // The parser's message adds nothing a user can act on; the digest says which blob.
      throw invalidArgument('image.bad_json', `blob ${digest}: not valid JSON`);
    }
  }

  async list(): Promise<Digest[]> {
    const names = await readdir(join(this.root, 'blobs', 'sha256')).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return [] as string[]; // nothing stored yet
      throw e;
    });
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}` as Digest);
  }

  async remove(digest: Digest): Promise<void> {
    await rm(this.blobPath(digest), { force: true });
  }

  /** A staging area for one import: blobs land there and move into the store on commit. */
  async stage(): Promise<Staging> {
    const dir = join(this.root, 'staging', randomBytes(8).toString('hex'));
    await mkdirPrivate(dir);
    await mkdirPrivate(join(this.root, 'blobs', 'sha256'));
    return new Staging(this, dir);
  }
}

export class Staging {
  /** Digests written here, with their sizes. */
  readonly blobs = new Map<Digest, number>();
  /** Blobs this import uses from the store instead of writing them: checked again at commit. */
  private readonly fromStore = new Set<Digest>();

  constructor(
    private readonly store: ContentStore,
    readonly dir: string,
  ) {}

  private pathOf(digest: Digest): string {
    return join(this.dir, digest.slice('sha256:'.length));
  }

  /**
   * Streams a blob in, hashing it. With `expected`, refuses content that does not match it.
   * Returns the content's digest.
   */
  async write(source: Readable, expected: Digest | undefined, what: string): Promise<Digest> {
    const hash = createHash('sha256');
    let size = 0;
    const tmp = join(this.dir, `incoming-${randomBytes(6).toString('hex')}`);
    const fh = await open(tmp, 'wx', PRIVATE_FILE_MODE);
    try {
      await pipeline(
        source,
        new Transform({
          transform(chunk: Buffer, _enc, done) {
            hash.update(chunk);
            size += chunk.length;
            done(null, chunk);
          },
        }),
        fh.createWriteStream(),
      );
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    const actual = `sha256:${hash.digest('hex')}` as Digest;
    if (expected !== undefined && actual !== expected) {
      await rm(tmp, { force: true });
      throw digestMismatch(what, expected, actual);
    }
    await rename(tmp, this.pathOf(actual));
    this.blobs.set(actual, size);
    return actual;
  }

  async writeBytes(data: Uint8Array): Promise<Digest> {
    const digest = digestOf(data);
    const fh = await open(this.pathOf(digest), 'w', PRIVATE_FILE_MODE);
    try {
      await fh.writeFile(data);
    } finally {
      await fh.close();
    }
    this.blobs.set(digest, data.length);
    return digest;
  }

  /** A blob of this import or already in the store. */
  async read(digest: Digest): Promise<Buffer> {
    if (this.blobs.has(digest)) return readFile(this.pathOf(digest));
    const data = await this.store.read(digest);
    this.fromStore.add(digest);
    return data;
  }

  /** Whether the blob is staged or stored; a stored one becomes one this import relies on. */
  async has(digest: Digest): Promise<boolean> {
    if (this.blobs.has(digest)) return true;
    const stored = await this.store.has(digest);
    if (stored) this.fromStore.add(digest);
    return stored;
  }

  /**
   * Moves every staged blob into the store, then removes the staging area. Run it under the
   * store's CommitGuard: a blob this import took from the store instead of writing it must still
   * be there (a collection may have deleted it since), else nothing is moved and it fails with
   * `image.blob_collected`, worth trying again.
   */
  async commit(): Promise<void> {
    for (const digest of this.fromStore) {
      if (this.blobs.has(digest) || (await this.store.has(digest))) continue;
      throw unavailable('image.blob_collected', `blob ${digest}, which the store held when this image came in, was deleted since by an image removal's garbage collection: import or pull the image again`);
    }
    for (const digest of this.blobs.keys()) {
      const target = this.store.blobPath(digest);
      if (await this.store.has(digest)) continue;
      await rename(this.pathOf(digest), target);
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  async abort(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
