// Pulling images by the OCI distribution API: resolve a reference to a manifest (through an
// index or a Docker manifest list, picking the platform), then fetch its config and layers into
// the content store, each verified against its digest as it streams. Anonymous, basic and
// bearer-token auth (the token flow of Docker registries: a 401 names the realm, service and
// scope to ask a token for). `insecure` means plain http, for registries on loopback.
// Everything lands in a staging area first: a failed pull changes nothing. References are read
// as Docker reads them (shared/image-reference.ts); the index gets the canonical name.

import { Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ShoalError, invalidArgument, notFound, unavailable } from '../../shared/errors.js';
import { DOCKER_HUB_DOMAIN, canonicalString, parseImageReference, type ImageReference } from '../../shared/image-reference.js';
import { digestMismatch, digestOf, unguarded, type CommitGuard, type ContentStore, type Digest } from './content-store.js';
import type { ImageIndex, ImageRecord } from './import.js';
import { MEDIA, hostPlatform, parseConfig, parseIndex, parseManifest, type Descriptor, type Platform } from './manifest.js';

/** Where names on Docker Hub (`docker.io/...`, and names with no registry) are pulled from. */
const DOCKER_HUB_API = 'registry-1.docker.io';
/** Manifests and indexes are small; anything larger is refused rather than read into memory. */
const MANIFEST_BYTES_MAX = 4 * 1024 * 1024;
const ACCEPT = [MEDIA.ociIndex, MEDIA.ociManifest, MEDIA.dockerList, MEDIA.dockerManifest].join(', ');

export function parsePlatform(raw: string): Platform {
  if (raw === '') return hostPlatform();
  const [os, architecture, variant] = raw.split('/');
  if (os === undefined || os === '' || architecture === undefined || architecture === '') throw invalidArgument('image.bad_platform', `platform ${JSON.stringify(raw)} is not os/arch[/variant]`);
  return { os, architecture, ...(variant !== undefined ? { variant } : {}) };
}

/** The manifest of an index that fits the platform (variant compared only when asked for). */
export function pickPlatform(manifests: readonly Descriptor[], want: Platform, what: string): Descriptor {
  const pick = manifests.find((m) => m.platform?.os === want.os && m.platform.architecture === want.architecture && (want.variant === undefined || m.platform.variant === want.variant));
  if (pick === undefined) {
    const have = manifests.map((m) => (m.platform ? `${m.platform.os}/${m.platform.architecture}${m.platform.variant ? `/${m.platform.variant}` : ''}` : '?')).join(', ');
    throw notFound('image.no_platform', `${what} has no image for ${want.os}/${want.architecture}${want.variant ? `/${want.variant}` : ''} (it has: ${have || 'none'})`);
  }
  return pick;
}

/** A `WWW-Authenticate` challenge: scheme and parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const m = /^(\w+)\s*(.*)$/.exec(header.trim());
  const params: Record<string, string> = {};
  for (const p of (m?.[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) params[p[1] as string] = p[2] as string;
  return { scheme: (m?.[1] ?? '').toLowerCase(), params };
}

export interface PullOptions {
  readonly insecure: boolean;
  readonly username?: string;
  readonly password?: string;
  readonly platform: Platform;
  readonly signal?: AbortSignal;
  /** Called as bytes arrive: the blob, and the pull's totals so far. */
  readonly onProgress?: (p: { digest: string; doneBytes: number; totalBytes: number; status: 'resolving' | 'downloading' | 'done' }) => void;
  readonly nowMs: number;
  /** Runs the commit with no garbage collection under way (content-store.ts); default none. */
  readonly commitGuard?: CommitGuard;
}

class Registry {
  private token: string | undefined;

  constructor(
    private readonly name: ImageReference,
    private readonly o: PullOptions,
  ) {}

  private get base(): string {
    const host = this.name.domain === DOCKER_HUB_DOMAIN ? DOCKER_HUB_API : this.name.domain;
    return `${this.o.insecure ? 'http' : 'https'}://${host}/v2/${this.name.path}`;
  }

  private basic(): string | undefined {
    if (this.o.username === undefined || this.o.username === '') return undefined;
    return `Basic ${Buffer.from(`${this.o.username}:${this.o.password ?? ''}`).toString('base64')}`;
  }

  /** GET with auth: anonymous first, then what a 401's challenge asks for. */
  async get(path: string, accept?: string): Promise<Response> {
    const url = `${this.base}${path}`;
    const send = (auth: string | undefined): Promise<Response> =>
      fetch(url, {
        headers: { ...(accept !== undefined ? { accept } : {}), ...(auth !== undefined ? { authorization: auth } : {}) },
        ...(this.o.signal !== undefined ? { signal: this.o.signal } : {}),
      }).catch((e: unknown) => {
        throw unavailable('registry.unreachable', `registry ${this.name.domain}: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`);
      });
    let res = await send(this.token !== undefined ? `Bearer ${this.token}` : this.basic());
    if (res.status === 401) {
      await res.body?.cancel();
      const challenge = parseChallenge(res.headers.get('www-authenticate') ?? '');
      if (challenge.scheme === 'bearer') {
        this.token = await this.fetchToken(challenge.params);
        res = await send(`Bearer ${this.token}`);
      } else if (challenge.scheme === 'basic' && this.basic() !== undefined) {
        res = await send(this.basic());
      }
    }
    if (res.ok) return res;
    throw await registryError(res, this.name, path);
  }

  private async fetchToken(params: Record<string, string>): Promise<string> {
    const realm = params['realm'];
    if (realm === undefined) throw unavailable('registry.bad_challenge', `registry ${this.name.domain}: its bearer challenge names no realm`);
    const url = new URL(realm);
    if (params['service'] !== undefined) url.searchParams.set('service', params['service']);
    url.searchParams.set('scope', params['scope'] ?? `repository:${this.name.path}:pull`);
    const basic = this.basic();
    const res = await fetch(url, { headers: basic !== undefined ? { authorization: basic } : {}, ...(this.o.signal !== undefined ? { signal: this.o.signal } : {}) }).catch((e: unknown) => {
      throw unavailable('registry.unreachable', `token server ${url.host}: ${(e as Error).message}`);
    });
    if (res.status === 401 || res.status === 403) throw new ShoalError('unauthenticated', 'registry.denied', `registry ${this.name.domain}: the token server refused ${basic === undefined ? 'anonymous access' : `user ${this.o.username}`} (HTTP ${res.status})`);
    if (!res.ok) throw unavailable('registry.token_failed', `token server ${url.host}: HTTP ${res.status}`);
    // A body that is not JSON holds no token: reported just below as such.
    const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (token === undefined) throw unavailable('registry.token_failed', `token server ${url.host}: the answer holds no token`);
    return token;
  }
}

async function registryError(res: Response, name: ImageReference, path: string): Promise<ShoalError> {
  let detail = '';
  try {
    const body = (await res.json()) as { errors?: { code?: string; message?: string }[] };
    detail = (body.errors ?? []).map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
  } catch {
    // not a registry error body
  }
  const what = `registry ${name.domain}, ${name.path}${path.startsWith('/manifests/') ? `:${path.slice('/manifests/'.length)}` : ''}`;
  const message = `${what}: HTTP ${res.status}${detail !== '' ? ` (${detail})` : ''}`;
  if (res.status === 404) return notFound('registry.not_found', message);
  if (res.status === 401 || res.status === 403) return new ShoalError('unauthenticated', 'registry.denied', message);
  return unavailable('registry.failed', message);
}

async function readSmallBody(res: Response, what: string): Promise<Buffer> {
  const length = Number(res.headers.get('content-length') ?? '0');
  if (length > MANIFEST_BYTES_MAX) throw invalidArgument('registry.too_large', `${what} is larger than ${MANIFEST_BYTES_MAX} bytes`);
  const buf = Buffer.from(await res.arrayBuffer());
  if (buf.length > MANIFEST_BYTES_MAX) throw invalidArgument('registry.too_large', `${what} is larger than ${MANIFEST_BYTES_MAX} bytes`);
  return buf;
}

function checkFetched(data: Buffer, expected: string | undefined, what: string): Digest {
  const actual = digestOf(data);
  if (expected !== undefined && expected !== actual) throw digestMismatch(what, expected, actual);
  return actual;
}

/** Pulls `reference` into the store and names it in the index; returns its record. */
export async function pullImage(raw: string, store: ContentStore, index: ImageIndex, o: PullOptions): Promise<ImageRecord> {
  const name = parseImageReference(raw);
  /** A tag, or a digest (which wins over a tag given with it). */
  const wanted = name.digest ?? (name.tag as string);
  const reg = new Registry(name, o);
  o.onProgress?.({ digest: '', doneBytes: 0, totalBytes: 0, status: 'resolving' });
  const staging = await store.stage();
  try {
    const first = await reg.get(`/manifests/${wanted}`, ACCEPT);
    const firstType = (first.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    let body = await readSmallBody(first, `manifest ${raw}`);
    let digest = checkFetched(body, name.digest, `manifest ${raw}`);
    const parsed = JSON.parse(body.toString('utf8')) as { mediaType?: string; manifests?: unknown };
    const mediaType = parsed.mediaType ?? firstType;
    if (mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList || (mediaType === '' && Array.isArray(parsed.manifests))) {
      await staging.writeBytes(body);
      const pick = pickPlatform(parseIndex(parsed, `index ${raw}`).manifests, o.platform, `index ${raw}`);
      const res = await reg.get(`/manifests/${pick.digest}`, ACCEPT);
      body = await readSmallBody(res, `manifest ${pick.digest}`);
      digest = checkFetched(body, pick.digest, `manifest ${pick.digest}`);
    }
    const manifest = parseManifest(JSON.parse(body.toString('utf8')), `manifest ${digest}`);
    await staging.writeBytes(body);

    const blobs = [manifest.config, ...manifest.layers];
    const totalBytes = blobs.reduce((n, b) => n + b.size, 0);
    let doneBytes = 0;
    for (const blob of blobs) {
      // Through the staging area: a stored blob it skips is checked again at commit.
      if (await staging.has(blob.digest)) {
        doneBytes += blob.size;
        o.onProgress?.({ digest: blob.digest, doneBytes, totalBytes, status: 'downloading' });
        continue;
      }
      const res = await reg.get(`/blobs/${blob.digest}`);
      let got = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          got += chunk.length;
          if (got > blob.size) {
            done(invalidArgument('registry.blob_too_large', `blob ${blob.digest} is larger than the ${blob.size} bytes its descriptor says`));
            return;
          }
          o.onProgress?.({ digest: blob.digest, doneBytes: doneBytes + got, totalBytes, status: 'downloading' });
          done(null, chunk);
        },
      });
      const stream = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>).pipe(counter);
      await staging.write(stream, blob.digest, `blob ${blob.digest}`);
      if (got !== blob.size) throw invalidArgument('registry.blob_size', `blob ${blob.digest} has ${got} bytes, its descriptor says ${blob.size}`);
      doneBytes += blob.size;
    }
    const config = parseConfig(JSON.parse((await staging.read(manifest.config.digest)).toString('utf8')), `config ${manifest.config.digest}`);
    if (config.rootfs.diff_ids.length !== manifest.layers.length) throw invalidArgument('image.bad_config', `image ${raw}: its config lists ${config.rootfs.diff_ids.length} layers, its manifest ${manifest.layers.length}`);
    const record: ImageRecord = { reference: canonicalString(name), digest, createdAtMs: o.nowMs };
    await (o.commitGuard ?? unguarded)(async () => {
      await staging.commit();
      await index.put([record]);
    });
    o.onProgress?.({ digest, doneBytes: totalBytes, totalBytes, status: 'done' });
    return record;
  } catch (err) {
    await staging.abort();
    if (err instanceof SyntaxError) throw invalidArgument('registry.bad_manifest', `registry ${name.domain}: a manifest of ${raw} is not JSON`);
    throw err;
  }
}
