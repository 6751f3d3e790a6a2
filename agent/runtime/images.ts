// The agent's images: names (ImageIndex), blobs (ContentStore), and layers unpacked once per
// diff ID under <data>/layers, shared read-only by every container built on them. Removing a
// name collects what no image and no container still uses.
//
// Garbage collection fails closed: what to keep is known only when every image's manifest and
// config and every container's record can be read. If any cannot, nothing is deleted, and the
// reason comes back as a warning (the name itself is removed, as `docker rmi` untags even when it
// cannot delete). A later collection, once the damage is repaired or the damaged image removed,
// reclaims the space.
//
// Collection decides what to delete (many reads) and then deletes it; anything that starts to use
// a blob or layer in between would lose it. So a collection holds a read/write lock exclusively
// from its plan to its last deletion, and the two steps that make something used hold it shared:
// the commit of an import or pull (blobs into the store, names into the index: CommitGuard), and
// the claim of a container being created (its image looked up and marked used, `claiming`).
// Either the collection finished first — what it deleted is then unpacked or committed again —
// or it sees the new name or claim and keeps what they use. Unpacking runs outside the lock: a
// claimed image's layers are never planned for deletion.

import { createReadStream } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { failedPrecondition, notFound, oneLine } from '../../shared/errors.js';
import { KeyedMutex, ReadWriteLock } from '../../shared/mutex.js';
import { ContentStore, type CommitGuard, type Digest } from '../images/content-store.js';
import { ImageIndex, importArchive, type ImageRecord } from '../images/import.js';
import { parseConfig, parseManifest, type ImageConfigBlob, type Manifest } from '../images/manifest.js';
import { pullImage, type PullOptions } from '../images/registry.js';
import { unpackLayer } from '../images/unpack.js';

export interface ResolvedImage {
  readonly record: ImageRecord;
  readonly manifest: Manifest;
  readonly config: ImageConfigBlob;
  /** Unpacked layer folders, base first. */
  readonly layerDirs: readonly string[];
}

export interface ImageSummary extends ImageRecord {
  readonly sizeBytes: number;
}

/** What a collection deleted; `refused` says why it deleted nothing, when it did not run. */
export interface GarbageReport {
  readonly blobs: number;
  readonly layers: number;
  readonly refused: readonly string[];
}

export interface RemovedImage {
  readonly record: ImageRecord;
  readonly garbage: GarbageReport;
}

export interface ImageServiceOptions {
  /** Test seam: awaited inside a collection, between deciding what to delete and deleting it. */
  readonly onGarbagePlanned?: () => Promise<void>;
}

export class ImageService {
  readonly store: ContentStore;
  readonly index: ImageIndex;
  private readonly unpacking = new KeyedMutex();
  /** Exclusive: a collection. Shared: commits of imports and pulls, claims of containers being created. */
  private readonly collecting = new ReadWriteLock();
  /** Runs an import's or pull's commit with no collection under way. */
  readonly commitGuard: CommitGuard = (commit) => this.collecting.shared(commit);

  constructor(
    private readonly dataDir: string,
    /** Manifest digests that containers use: never collected. */
    private readonly inUse: () => ReadonlySet<string>,
    /** Reasons not to collect at all (containers whose record, and so whose image, is unknown). */
    private readonly holds: () => readonly string[] = () => [],
    private readonly o: ImageServiceOptions = {},
  ) {
    this.store = new ContentStore(join(dataDir, 'content'));
    this.index = new ImageIndex(join(dataDir, 'content'));
  }

  /**
   * Runs `claim` — looking an image up and marking it used, so that `inUse` names it — with no
   * collection under way: a collection then either finished before, or sees the claim.
   */
  claiming<T>(claim: () => Promise<T>): Promise<T> {
    return this.collecting.shared(claim);
  }

  /** Commits and claims waiting for a collection to finish (tests order work around it). */
  get waitingForCollection(): number {
    return this.collecting.waiting;
  }

  layerDir(diffId: Digest): string {
    return join(this.dataDir, 'layers', diffId.slice('sha256:'.length));
  }

  async import(archive: Readable, reference: string | undefined, nowMs: number): Promise<ImageRecord[]> {
    return importArchive(archive, this.store, this.index, reference, nowMs, this.commitGuard);
  }

  async pull(reference: string, o: PullOptions): Promise<ImageRecord> {
    return pullImage(reference, this.store, this.index, { ...o, commitGuard: this.commitGuard });
  }

  async list(): Promise<ImageSummary[]> {
    const out: ImageSummary[] = [];
    for (const r of await this.index.list()) {
      let sizeBytes = 0;
      try {
        const m = parseManifest(await this.store.readJson(r.digest), `manifest ${r.digest}`);
        sizeBytes = m.config.size + m.layers.reduce((n, l) => n + l.size, 0);
      } catch {
        // a damaged image still lists; inspecting it tells what is wrong
      }
      out.push({ ...r, sizeBytes });
    }
    return out;
  }

  /** The image a container spec names (in any form of its name), with its layers unpacked (once per diff ID). */
  async resolve(reference: string): Promise<ResolvedImage> {
    const record = await this.index.get(reference);
    if (record === undefined) throw notFound('image.not_found', `no image ${reference}: import or pull it first`);
    return { record, ...(await this.layersOf(record.digest, reference)) };
  }

  /** The image whose manifest is `digest` (`reference` names it in errors), its layers unpacked. */
  async layersOf(digest: Digest, reference: string): Promise<Omit<ResolvedImage, 'record'>> {
    const manifest = parseManifest(await this.store.readJson(digest), `manifest ${digest}`);
    const config = parseConfig(await this.store.readJson(manifest.config.digest), `config ${manifest.config.digest}`);
    if (config.rootfs.diff_ids.length !== manifest.layers.length) {
      throw failedPrecondition('image.bad_config', `image ${reference}: its config lists ${config.rootfs.diff_ids.length} layers, its manifest ${manifest.layers.length}`);
    }
    const layerDirs: string[] = [];
    for (const [i, layer] of manifest.layers.entries()) {
      const diffId = config.rootfs.diff_ids[i] as Digest;
      const dir = this.layerDir(diffId);
      await this.unpacking.run(diffId, async () => {
        if (await exists(dir)) return;
        await unpackLayer(createReadStream(this.store.blobPath(layer.digest)), dir, diffId);
      });
      layerDirs.push(dir);
    }
    return { manifest, config, layerDirs };
  }

  /** Removes a name, then collects blobs and layers nothing references any more (or says why it did not). */
  async remove(reference: string, usedBy: (digest: Digest) => string | undefined): Promise<RemovedImage> {
    const record = await this.index.get(reference);
    if (record === undefined) throw notFound('image.not_found', `no image ${reference}`);
    const others = (await this.index.list()).filter((r) => r.reference !== record.reference && r.digest === record.digest);
    const user = others.length === 0 ? usedBy(record.digest) : undefined;
    if (user !== undefined) throw failedPrecondition('image.in_use', `image ${reference} is used by container ${user}; remove the container first`);
    const removed = await this.index.remove(record.reference);
    return { record: removed, garbage: await this.collectGarbage() };
  }

  /**
   * Deletes every blob and unpacked layer that no named image and no container needs. When what
   * is needed cannot be known in full — an image whose manifest or config cannot be read, a hold —
   * it deletes nothing and returns why.
   */
  collectGarbage(): Promise<GarbageReport> {
    return this.collecting.exclusive(async () => {
      const plan = await this.planGarbage();
      if (plan.refused.length > 0) return { blobs: 0, layers: 0, refused: plan.refused };
      await this.o.onGarbagePlanned?.();
      for (const d of plan.blobs) await this.store.remove(d);
      const layerRoot = join(this.dataDir, 'layers');
      for (const name of plan.layers) await this.unpacking.run(`sha256:${name}`, () => rm(join(layerRoot, name), { recursive: true, force: true }));
      return { blobs: plan.blobs.length, layers: plan.layers.length, refused: [] };
    });
  }

  /** What a collection would delete, decided before anything is; or why it must not run. */
  private async planGarbage(): Promise<{ blobs: Digest[]; layers: string[]; refused: string[] }> {
    const refused = [...this.holds()];
    const keepBlobs = new Set<string>();
    const keepLayers = new Set<string>();
    const named = await this.index.list();
    const roots = new Set<string>([...named.map((r) => r.digest), ...this.inUse()]);
    for (const digest of roots) {
      keepBlobs.add(digest);
      try {
        const m = parseManifest(await this.store.readJson(digest as Digest), `manifest ${digest}`);
        keepBlobs.add(m.config.digest);
        for (const l of m.layers) keepBlobs.add(l.digest);
        const c = parseConfig(await this.store.readJson(m.config.digest), `config ${m.config.digest}`);
        for (const d of c.rootfs.diff_ids) keepLayers.add(d.slice('sha256:'.length));
      } catch (e) {
        const names = named.filter((r) => r.digest === digest).map((r) => r.reference);
        refused.push(`image ${names.length > 0 ? names.join(', ') : `${digest} (used by a container)`} cannot be read: ${oneLine(e)}`);
      }
    }
    const blobs = (await this.store.list()).filter((d) => !keepBlobs.has(d));
    const layers = (await this.layerNames()).filter((name) => !keepLayers.has(name) && !name.includes('.unpacking-'));
    return { blobs, layers, refused };
  }

  private async layerNames(): Promise<string[]> {
    try {
      return await readdir(join(this.dataDir, 'layers'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []; // nothing unpacked yet
      throw e;
    }
  }
}

/** Whether a layer folder is there; an error other than "missing" is thrown, not taken for absence. */
async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return false;
      throw e;
    },
  );
}
