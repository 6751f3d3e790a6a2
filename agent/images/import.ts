// Importing image archives: OCI image layouts (oci-layout, index.json, blobs/sha256/...) and
// `docker save` archives (manifest.json, <config>.json, <layer>/layer.tar). Blobs stream into a
// staging area, each checked against the digest its name claims; then manifests, configs and
// layers are checked to fit together (docker configs' diff_ids against the layers' digests);
// only then do the blobs move into the content store and the names into the image index. A bad
// archive changes nothing. Names (RepoTags, the OCI layout's annotations, the caller's fallback)
// are stored in their canonical form: `busybox:1` and `docker.io/library/busybox:1`, as skopeo
// and recent `docker save` write it, are one name (shared/image-reference.ts).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable} from 'node:stream';
import { type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';
import { ShoalError, invalidArgument } from '../../shared/errors.js';
import { writeFileAtomic } from '../../shared/fs-modes.js';
import { canonicalReference } from '../../shared/image-reference.js';
import { Mutex } from '../../shared/mutex.js';
import { digestMismatch, unguarded, type CommitGuard, type ContentStore, type Digest, type Staging } from './content-store.js';
import { MEDIA, hostPlatform, parseConfig, parseIndex, parseManifest, type Descriptor } from './manifest.js';

export const ARCHIVE_ENTRIES_MAX = 100_000;
/** Small JSON files of an archive are read into memory, up to this size each. */
const METADATA_BYTES_MAX = 16 * 1024 * 1024;

export interface ImageRecord {
  readonly reference: string;
  /** The manifest's digest: the image's identity. */
  readonly digest: Digest;
  readonly createdAtMs: number;
}

/**
 * The image index: names → manifest digests, in <root>/images.json, replaced atomically. Names
 * are stored and compared in their canonical form (`docker.io/library/busybox:latest`,
 * shared/image-reference.ts). An index written before that (`busybox:latest`) is read into the
 * canonical form too; of two entries that come to one name, the newer wins. An entry whose name
 * does not parse is kept as it is, and found only by that exact text.
 */
export class ImageIndex {
  /** images.json is rewritten whole: one change at a time. */
  private readonly lock = new Mutex();

  constructor(private readonly root: string) {}

  private get path(): string {
    return join(this.root, 'images.json');
  }

  async list(): Promise<ImageRecord[]> {
    let stored: ImageRecord[];
    try {
      stored = (JSON.parse(await readFile(this.path, 'utf8')) as { images: ImageRecord[] }).images;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const byRef = new Map<string, ImageRecord>();
    for (const r of stored) {
      const record = { ...r, reference: canonicalOrAsStored(r.reference) };
      const seen = byRef.get(record.reference);
      if (seen === undefined || seen.createdAtMs <= record.createdAtMs) byRef.set(record.reference, record);
    }
    return sortedByReference([...byRef.values()]);
  }

  /** The record a reference names, in any of its forms; throws `image.bad_reference` for a malformed one. */
  async get(reference: string): Promise<ImageRecord | undefined> {
    return find(await this.list(), reference);
  }

  put(records: readonly ImageRecord[]): Promise<void> {
    return this.lock.run(async () => {
      const byRef = new Map((await this.list()).map((i) => [i.reference, i]));
      for (const r of records) {
        const reference = canonicalReference(r.reference);
        byRef.set(reference, { ...r, reference });
      }
      await this.write([...byRef.values()]);
    });
  }

  /** Removes a name; the image's blobs stay until garbage collection finds them unreferenced. */
  remove(reference: string): Promise<ImageRecord> {
    return this.lock.run(async () => {
      const all = await this.list();
      const found = find(all, reference);
      if (found === undefined) throw new ShoalError('not_found', 'image.not_found', `no image ${reference}`);
      await this.write(all.filter((i) => i.reference !== found.reference));
      return found;
    });
  }

  private async write(records: readonly ImageRecord[]): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify({ images: sortedByReference(records) }, null, 2));
  }
}

function canonicalOrAsStored(reference: string): string {
  try {
    return canonicalReference(reference);
  } catch {
    // An old entry whose name does not parse: kept as written, found by that exact text (see ImageIndex).
    return reference;
  }
}

function find(records: readonly ImageRecord[], reference: string): ImageRecord | undefined {
  const exact = records.find((i) => i.reference === reference);
  if (exact !== undefined) return exact;
  const ref = canonicalReference(reference);
  return records.find((i) => i.reference === ref);
}

function sortedByReference(records: readonly ImageRecord[]): ImageRecord[] {
  return [...records].sort((a, b) => a.reference.localeCompare(b.reference));
}

function damaged(why: string, cause?: unknown): ShoalError {
  return new ShoalError('invalid_argument', 'image.archive_damaged', `image archive: ${why}`, cause === undefined ? {} : { cause });
}

async function readSmall(body: Readable, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    size += (c as Buffer).length;
    if (size > METADATA_BYTES_MAX) throw damaged(`${name} is larger than ${METADATA_BYTES_MAX} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A name an archive gives, in canonical form; a malformed one refuses the archive. */
function archiveName(raw: string, where: string): string {
  try {
    return canonicalReference(raw);
  } catch (err) {
    throw damaged(`${where}: ${(err as Error).message}`, err);
  }
}

interface Collected {
  ociLayout?: Buffer;
  indexJson?: Buffer;
  dockerManifest?: Buffer;
  /** Every other file, by path, stored as a blob. */
  files: Map<string, Digest>;
}

async function collect(archive: Readable, staging: Staging): Promise<Collected> {
  const out: Collected = { files: new Map() };
  let entries = 0;
  const tar = extract();
  tar.on('entry', (header, stream, next) => {
    const body = stream as unknown as Readable;
    // A damaged archive fails the entry's stream too; the extractor reports it once, below.
    body.on('error', () => undefined);
    const name = header.name.replace(/^(\.\/)+/, '');
    const work = async (): Promise<void> => {
      if (++entries > ARCHIVE_ENTRIES_MAX) throw damaged(`more than ${ARCHIVE_ENTRIES_MAX} entries`);
      if (header.type !== 'file' && header.type !== 'contiguous-file') {
        body.resume();
        return;
      }
      if (name === 'oci-layout') out.ociLayout = await readSmall(body, name);
      else if (name === 'index.json') out.indexJson = await readSmall(body, name);
      else if (name === 'manifest.json') out.dockerManifest = await readSmall(body, name);
      else {
        const m = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
        const expected = m !== null ? (`sha256:${m[1]}` as Digest) : undefined;
        out.files.set(name, await staging.write(body, expected, `blob ${name}`));
      }
    };
    work().then(
      () => next(),
      (err: unknown) => {
        body.resume();
        tar.destroy(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
  try {
    await pipeline(archive, tar as unknown as Writable);
  } catch (err) {
    if (err instanceof ShoalError) throw err;
    throw damaged(`not a complete tar archive (${(err as Error).message})`, err);
  }
  return out;
}

function parseJson(buf: Buffer, what: string): unknown {
  try {
    return JSON.parse(buf.toString('utf8')) as unknown;
  } catch {
    throw damaged(`${what} is not valid JSON`);
  }
}

async function checkBlob(staging: Staging, d: Descriptor, what: string): Promise<void> {
  if (!(await staging.has(d.digest))) throw damaged(`${what} ${d.digest} is missing from the archive`);
  const size = staging.blobs.get(d.digest);
  if (size !== undefined && size !== d.size) throw damaged(`${what} ${d.digest} has ${size} bytes, its descriptor says ${d.size}`);
}

/** Checks a manifest and everything it names; returns nothing, throws what is wrong. */
async function checkImage(staging: Staging, manifestDigest: Digest): Promise<void> {
  const manifest = parseManifest(parseJson(await staging.read(manifestDigest), `manifest ${manifestDigest}`), `manifest ${manifestDigest}`);
  await checkBlob(staging, manifest.config, 'config');
  parseConfig(parseJson(await staging.read(manifest.config.digest), `config ${manifest.config.digest}`), `config ${manifest.config.digest}`);
  for (const layer of manifest.layers) await checkBlob(staging, layer, 'layer');
}

async function fromOciLayout(c: Collected, staging: Staging, fallbackRef: string | undefined): Promise<{ reference: string; digest: Digest }[]> {
  const layout = parseJson(c.ociLayout as Buffer, 'oci-layout') as { imageLayoutVersion?: unknown };
  if (layout.imageLayoutVersion !== '1.0.0') throw damaged(`oci-layout: unsupported imageLayoutVersion ${JSON.stringify(layout.imageLayoutVersion)}`);
  if (c.indexJson === undefined) throw damaged('index.json is missing');
  const index = parseIndex(parseJson(c.indexJson, 'index.json'), 'index.json');
  const out: { reference: string; digest: Digest }[] = [];
  for (const d of index.manifests) {
    let manifestDigest = d.digest;
    if (d.mediaType === MEDIA.ociIndex || d.mediaType === MEDIA.dockerList) {
      await checkBlob(staging, d, 'index');
      const nested = parseIndex(parseJson(await staging.read(d.digest), `index ${d.digest}`), `index ${d.digest}`);
      const want = hostPlatform();
      const pick = nested.manifests.find((m) => m.platform?.os === want.os && m.platform.architecture === want.architecture);
      if (pick === undefined) throw invalidArgument('image.no_platform', `index ${d.digest} has no image for ${want.os}/${want.architecture}`);
      manifestDigest = pick.digest;
      await checkBlob(staging, pick, 'manifest');
    } else {
      await checkBlob(staging, d, 'manifest');
    }
    await checkImage(staging, manifestDigest);
    const named = d.annotations?.['io.containerd.image.name'] ?? d.annotations?.['org.opencontainers.image.ref.name'];
    const reference = named !== undefined ? archiveName(named, `index.json: manifest ${d.digest}`) : fallbackRef;
    if (reference === undefined) throw invalidArgument('image.no_name', 'the OCI layout names no image (org.opencontainers.image.ref.name): give a reference');
    out.push({ reference, digest: manifestDigest });
  }
  if (out.length === 0) throw damaged('index.json lists no image');
  return out;
}

interface DockerManifestItem {
  Config?: unknown;
  RepoTags?: unknown;
  Layers?: unknown;
}

async function fromDockerSave(c: Collected, staging: Staging, fallbackRef: string | undefined): Promise<{ reference: string; digest: Digest }[]> {
  const items = parseJson(c.dockerManifest as Buffer, 'manifest.json');
  if (!Array.isArray(items) || items.length === 0) throw damaged('manifest.json lists no image');
  const out: { reference: string; digest: Digest }[] = [];
  for (const raw of items as DockerManifestItem[]) {
    if (typeof raw.Config !== 'string' || !Array.isArray(raw.Layers)) throw damaged('manifest.json: each image needs Config and Layers');
    const configDigest = c.files.get(raw.Config.replace(/^(\.\/)+/, ''));
    if (configDigest === undefined) throw damaged(`${raw.Config} is missing from the archive`);
    // The config's file name is its digest (`<hex>.json` or `blobs/sha256/<hex>`).
    const named = /([a-f0-9]{64})(\.json)?$/.exec(raw.Config)?.[1];
    if (named !== undefined && `sha256:${named}` !== configDigest) throw digestMismatch(`config ${raw.Config}`, `sha256:${named}`, configDigest);
    const config = parseConfig(parseJson(await staging.read(configDigest), `config ${raw.Config}`), `config ${raw.Config}`);
    const layers: Descriptor[] = [];
    for (const path of raw.Layers as unknown[]) {
      const digest = typeof path === 'string' ? c.files.get(path.replace(/^(\.\/)+/, '')) : undefined;
      if (digest === undefined) throw damaged(`layer ${String(path)} is missing from the archive`);
      layers.push({ mediaType: MEDIA.dockerLayer, digest, size: staging.blobs.get(digest) ?? 0 });
    }
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== layers.length || diffIds.some((d, i) => d !== layers[i]?.digest)) {
      throw damaged(`config ${raw.Config}: rootfs.diff_ids do not match the layers' digests`);
    }
    const manifest = {
      schemaVersion: 2,
      mediaType: MEDIA.dockerManifest,
      config: { mediaType: MEDIA.dockerConfig, digest: configDigest, size: staging.blobs.get(configDigest) ?? 0 },
      layers,
    };
    const digest = await staging.writeBytes(Buffer.from(JSON.stringify(manifest)));
    await checkImage(staging, digest);
    const tags = Array.isArray(raw.RepoTags) ? (raw.RepoTags as unknown[]).filter((t): t is string => typeof t === 'string') : [];
    const names = tags.length > 0 ? tags.map((t) => archiveName(t, 'manifest.json: RepoTags')) : fallbackRef !== undefined ? [fallbackRef] : [];
    if (names.length === 0) throw invalidArgument('image.no_name', 'the archive tags no image (RepoTags): give a reference');
    for (const n of names) out.push({ reference: n, digest });
  }
  return out;
}

/**
 * Imports an archive; returns the images it named. Nothing changes when it fails. The commit (blobs
 * into the store, then names into the index) runs under `guard`, so that a garbage collection
 * cannot delete a blob between the commit finding it stored and the index naming its image.
 */
export async function importArchive(archive: Readable, store: ContentStore, index: ImageIndex, reference?: string, nowMs = Date.now(), guard: CommitGuard = unguarded): Promise<ImageRecord[]> {
  const fallback = reference === undefined || reference === '' ? undefined : canonicalReference(reference);
  const staging = await store.stage();
  try {
    const c = await collect(archive, staging);
    let found: { reference: string; digest: Digest }[];
    if (c.ociLayout !== undefined) found = await fromOciLayout(c, staging, fallback);
    else if (c.dockerManifest !== undefined) found = await fromDockerSave(c, staging, fallback);
    else throw damaged('neither an OCI image layout (oci-layout) nor a docker save archive (manifest.json)');
    // One record per name: `busybox:1` and `docker.io/library/busybox:1` are one name.
    const records = [...new Map(found.map((f) => [f.reference, { ...f, createdAtMs: nowMs }])).values()];
    await guard(async () => {
      await staging.commit();
      await index.put(records);
    });
    return records;
  } catch (err) {
    await staging.abort();
    throw err;
  }
}

