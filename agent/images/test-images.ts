// Test images built from Debian's busybox-static: a one-layer root filesystem (busybox and its
// applet links), packed as an OCI image layout archive or a `docker save` archive — our own, or
// one written by skopeo. For tests and benchmarks; nothing is downloaded.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import { run } from '../../shared/exec.js';
import { digestOf } from './content-store.js';
import { MEDIA, hostPlatform } from './manifest.js';

export const BUSYBOX_PATH = '/bin/busybox';

/** For `readdir(...).catch(emptyIfMissing)`: a folder never made has no entries; any other failure is the test's. */
export function emptyIfMissing(e: NodeJS.ErrnoException): string[] {
  if (e.code === 'ENOENT') return [];
  throw e;
}
const APPLETS = ['sh', 'echo', 'sleep', 'cat', 'ls', 'true', 'false', 'id', 'env', 'hostname', 'ping', 'wget', 'nc', 'ip'];

export type Entry = Partial<Header> & { name: string; body?: Buffer | string };

export async function tarOf(entries: readonly Entry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => p.on('end', () => resolve()));
  for (const { body, ...header } of entries) {
    await new Promise<void>((resolve, reject) => p.entry({ mtime: new Date(0), ...header } as Header, body ?? '', (err) => (err ? reject(err) : resolve())));
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** busybox and its applets, passwd and group, /tmp; `extra` entries after them (a setuid file, ...). */
export async function busyboxLayer(extra: readonly Entry[] = []): Promise<Buffer> {
  const busybox = await readFile(BUSYBOX_PATH);
  return tarOf([
    { name: 'bin/', type: 'directory', mode: 0o755 },
    { name: 'bin/busybox', type: 'file', mode: 0o755, body: busybox },
    ...APPLETS.map((a): Entry => ({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox' })),
    { name: 'etc/', type: 'directory', mode: 0o755 },
    { name: 'etc/passwd', type: 'file', mode: 0o644, body: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' },
    { name: 'etc/group', type: 'file', mode: 0o644, body: 'root:x:0:\nnogroup:x:65534:\n' },
    { name: 'tmp/', type: 'directory', mode: 0o1777 },
    ...extra,
  ]);
}

export interface TestImage {
  readonly layerTar: Buffer;
  readonly config: Buffer;
  readonly configDigest: string;
}

export async function busyboxImage(cmd: readonly string[] = ['sh'], extra: readonly Entry[] = []): Promise<TestImage> {
  const layerTar = await busyboxLayer(extra);
  const { os, architecture } = hostPlatform();
  const config = Buffer.from(
    JSON.stringify({
      architecture,
      os,
      config: { Cmd: cmd, Env: ['PATH=/bin'], WorkingDir: '/' },
      rootfs: { type: 'layers', diff_ids: [digestOf(layerTar)] },
      history: [{ created_by: 'shoal test image' }],
    }),
  );
  return { layerTar, config, configDigest: digestOf(config) };
}

const hex = (d: string): string => d.slice('sha256:'.length);

/** The files of an OCI image layout: oci-layout, index.json and blobs/sha256/<hex>. */
function layoutTar(index: unknown, blobs: ReadonlyMap<string, Buffer>): Promise<Buffer> {
  return tarOf([
    { name: 'oci-layout', type: 'file', body: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
    { name: 'index.json', type: 'file', body: JSON.stringify(index) },
    { name: 'blobs/', type: 'directory' },
    { name: 'blobs/sha256/', type: 'directory' },
    ...[...blobs].map(([h, body]): Entry => ({ name: `blobs/sha256/${h}`, type: 'file', body })),
  ]);
}

/** An OCI image layout archive, its layer gzipped, named `name` by annotation. */
export async function ociLayoutArchive(image: TestImage, name: string | undefined, tamper?: (blobs: Map<string, Buffer>) => void): Promise<Buffer> {
  const layer = gzipSync(image.layerTar);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: { mediaType: MEDIA.ociConfig, digest: image.configDigest, size: image.config.length },
      layers: [{ mediaType: MEDIA.ociLayerGzip, digest: digestOf(layer), size: layer.length }],
    }),
  );
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        mediaType: MEDIA.ociManifest,
        digest: digestOf(manifest),
        size: manifest.length,
        ...(name !== undefined ? { annotations: { 'org.opencontainers.image.ref.name': name } } : {}),
      },
    ],
  };
  const blobs = new Map([
    [hex(digestOf(layer)), layer],
    [hex(image.configDigest), image.config],
    [hex(digestOf(manifest)), manifest],
  ]);
  tamper?.(blobs);
  return layoutTar(index, blobs);
}

/** A `docker save` archive (the classic layout: manifest.json, <config>.json, <id>/layer.tar). */
export async function dockerSaveArchive(image: TestImage, tags: readonly string[], layerTar = image.layerTar): Promise<Buffer> {
  const layerId = hex(digestOf(layerTar));
  return tarOf([
    { name: 'manifest.json', type: 'file', body: JSON.stringify([{ Config: `${hex(image.configDigest)}.json`, RepoTags: tags, Layers: [`${layerId}/layer.tar`] }]) },
    { name: `${hex(image.configDigest)}.json`, type: 'file', body: image.config },
    { name: `${layerId}/`, type: 'directory' },
    { name: `${layerId}/layer.tar`, type: 'file', body: layerTar },
    { name: `${layerId}/VERSION`, type: 'file', body: '1.0' },
  ]);
}

/**
 * An OCI image layout archive whose index.json names an image index with one manifest per
 * platform (each its own config; the busybox layer shared), as multi-arch images are published.
 * `gzip: false` keeps the layer an uncompressed tar.
 */
export async function multiPlatformLayoutArchive(name: string, platforms: readonly { os: string; architecture: string }[], o: { gzip: boolean } = { gzip: true }): Promise<Buffer> {
  const tar = await busyboxLayer();
  const layer = o.gzip ? gzipSync(tar) : tar;
  const blobs = new Map<string, Buffer>([[hex(digestOf(layer)), layer]]);
  const manifests = platforms.map((p) => {
    const config = Buffer.from(JSON.stringify({ architecture: p.architecture, os: p.os, config: { Cmd: ['sh'], Env: ['PATH=/bin'] }, rootfs: { type: 'layers', diff_ids: [digestOf(tar)] } }));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA.ociManifest,
        config: { mediaType: MEDIA.ociConfig, digest: digestOf(config), size: config.length },
        layers: [{ mediaType: o.gzip ? MEDIA.ociLayerGzip : MEDIA.ociLayer, digest: digestOf(layer), size: layer.length }],
      }),
    );
    blobs.set(hex(digestOf(config)), config);
    blobs.set(hex(digestOf(manifest)), manifest);
    return { mediaType: MEDIA.ociManifest, digest: digestOf(manifest), size: manifest.length, platform: p };
  });
  const nested = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests }));
  blobs.set(hex(digestOf(nested)), nested);
  const index = { schemaVersion: 2, manifests: [{ mediaType: MEDIA.ociIndex, digest: digestOf(nested), size: nested.length, annotations: { 'org.opencontainers.image.ref.name': name } }] };
  return layoutTar(index, blobs);
}

/**
 * A `docker save` archive at `path` written by skopeo (`docker-archive:`), converted from our OCI
 * layout archive of `image`; skopeo tags it `tag` as it writes it (`docker.io/library/...`).
 */
export async function skopeoDockerArchive(image: TestImage, path: string, tag: string): Promise<void> {
  const work = await mkdtemp(join(dirname(path), 'skopeo-'));
  try {
    const layout = join(work, 'layout.tar');
    await writeFile(layout, await ociLayoutArchive(image, tag));
    // HOME in the work folder: skopeo reads and may write its configuration there.
    await run('skopeo', ['--insecure-policy', 'copy', '--quiet', `oci-archive:${layout}`, `docker-archive:${path}:${tag}`], { env: { ...process.env, HOME: work } });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
