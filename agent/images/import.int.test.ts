// Importing image archives into a real content store; unpacking the result into a root
// filesystem; bad archives refused with the store unchanged. Root: the unpack sets owners.

import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runAllCleanups } from '../../shared/cleanup.js';
import { run } from '../../shared/exec.js';
import { ContentStore, type Digest } from './content-store.js';
import { ImageIndex, importArchive } from './import.js';
import { parseManifest } from './manifest.js';
import { busyboxImage, dockerSaveArchive, emptyIfMissing, ociLayoutArchive, skopeoDockerArchive } from './test-images.js';
import { validConfig, validManifest } from './test-schemas.js';
import { unpackLayer } from './unpack.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await runAllCleanups('import test', cleanups.splice(0).reverse());
});

async function store() {
  const root = await mkdtemp(join(tmpdir(), 'shoal-images-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  return { root, store: new ContentStore(root), index: new ImageIndex(root) };
}


async function storeUnchanged(root: string): Promise<void> {
  expect(await readdir(join(root, 'blobs', 'sha256')).catch(emptyIfMissing)).toEqual([]);
  expect(await readdir(join(root, 'staging')).catch(emptyIfMissing)).toEqual([]);
  expect(await new ImageIndex(root).list()).toEqual([]);
}

describe('image import (real files)', () => {
  it('uses schema checks that can fail', () => {
    expect(validManifest({ schemaVersion: 2, config: { mediaType: 'x', size: -1, digest: 'nope' }, layers: [] })).toBe(false);
    expect(validConfig({ architecture: 7 })).toBe(false);
  });

  for (const kind of ['OCI image layout', 'docker save'] as const) {
    it(`imports a ${kind} archive whose manifest and config validate, and whose layer unpacks to a root filesystem`, async () => {
      const { root, store: s, index } = await store();
      const image = await busyboxImage();
      const archive = kind === 'docker save' ? await dockerSaveArchive(image, ['busybox:test']) : await ociLayoutArchive(image, 'busybox:test');
      const [record] = await importArchive(Readable.from(archive), s, index);
      expect(record?.reference).toBe('docker.io/library/busybox:test');
      expect((await index.get('busybox:test'))?.digest).toBe(record?.digest);

      const manifestJson = await s.readJson(record?.digest as Digest);
      expect(validManifest(manifestJson), JSON.stringify(validManifest.errors)).toBe(true);
      const manifest = parseManifest(manifestJson, 'manifest');
      const config = await s.readJson(manifest.config.digest);
      expect(validConfig(config), JSON.stringify(validConfig.errors)).toBe(true);

      const layerPath = s.blobPath((manifest.layers[0] as { digest: Digest }).digest);
      const rootfs = join(root, 'rootfs');
      const { createReadStream } = await import('node:fs');
      await unpackLayer(createReadStream(layerPath), rootfs);
      expect(((await stat(join(rootfs, 'bin', 'busybox'))).mode & 0o111) !== 0).toBe(true);
      expect(await readdir(join(root, 'staging'))).toEqual([]);
    });
  }

  it('names an unnamed OCI layout by the reference given, and refuses it without one', async () => {
    const { store: s, index } = await store();
    const archive = await ociLayoutArchive(await busyboxImage(), undefined);
    await expect(importArchive(Readable.from(archive), s, index)).rejects.toThrow(/names no image.*give a reference/);
    const [r] = await importArchive(Readable.from(archive), s, index, 'local/box');
    expect(r?.reference).toBe('docker.io/local/box:latest');
    await expect(importArchive(Readable.from(archive), s, index, 'Local/Box')).rejects.toThrow(/^image reference "Local\/Box" is not valid: the repository name must be lowercase$/);
  });

  describe('names, read as Docker reads them', () => {
    const forms = ['busybox', 'busybox:latest', 'docker.io/library/busybox:latest', 'docker.io/busybox'];

    it('finds an archive written by skopeo (docker.io/library/busybox:latest) by every form of its name', async () => {
      const { root, store: s, index } = await store();
      const path = join(root, 'skopeo.tar');
      await skopeoDockerArchive(await busyboxImage(['echo', 'skopeo']), path, 'busybox:latest');
      // What makes this case: skopeo writes the fully qualified name.
      const manifest = JSON.parse((await run('tar', ['-xOf', path, 'manifest.json'])).stdout) as { RepoTags: string[] }[];
      expect(manifest.map((m) => m.RepoTags)).toEqual([['docker.io/library/busybox:latest']]);
      const records = await importArchive(Readable.from(await readFile(path)), s, index);
      expect(records.map((r) => r.reference)).toEqual(['docker.io/library/busybox:latest']);
      for (const form of forms) expect([form, (await index.get(form))?.digest]).toEqual([form, records[0]?.digest]);
    });

    for (const tags of [['busybox:latest'], ['docker.io/library/busybox:latest'], ['busybox', 'docker.io/library/busybox:latest']]) {
      it(`finds a docker save archive tagged ${tags.join(' and ')} by every form of its name, under one name`, async () => {
        const { store: s, index } = await store();
        const records = await importArchive(Readable.from(await dockerSaveArchive(await busyboxImage(), tags)), s, index);
        expect(records.map((r) => r.reference)).toEqual(['docker.io/library/busybox:latest']);
        for (const form of forms) expect([form, (await index.get(form))?.digest]).toEqual([form, records[0]?.digest]);
        expect(await index.get('busybox:1.0')).toBeUndefined();
        expect((await index.list()).map((r) => r.reference)).toEqual(['docker.io/library/busybox:latest']);
      });
    }

    it('refuses an archive whose RepoTags hold a malformed name, changing nothing', async () => {
      const { root, store: s, index } = await store();
      await expect(importArchive(Readable.from(await dockerSaveArchive(await busyboxImage(), ['busybox:ok', 'BusyBox:1'])), s, index)).rejects.toThrow(
        /^image archive: manifest\.json: RepoTags: image reference "BusyBox:1" is not valid: the repository name must be lowercase$/,
      );
      await storeUnchanged(root);
    });

    it('reads an index written before names were canonical: every entry found by every form, the newer of two kept, removable', async () => {
      const { root, index } = await store();
      const d = (n: number): string => `sha256:${String(n).repeat(64)}`;
      const old = [
        { reference: 'busybox:latest', digest: d(1), createdAtMs: 10 },
        { reference: 'docker.io/library/busybox:latest', digest: d(2), createdAtMs: 20 },
        { reference: 'team/app:1', digest: d(3), createdAtMs: 5 },
        { reference: '127.0.0.1:5000/box:1', digest: d(4), createdAtMs: 5 },
        { reference: 'weird..name:1', digest: d(5), createdAtMs: 5 },
      ];
      await writeFile(join(root, 'images.json'), JSON.stringify({ images: old }));
      expect((await index.list()).map((r) => [r.reference, r.digest])).toEqual([
        ['127.0.0.1:5000/box:1', d(4)],
        ['docker.io/library/busybox:latest', d(2)],
        ['docker.io/team/app:1', d(3)],
        ['weird..name:1', d(5)],
      ]);
      for (const form of forms) expect([form, (await index.get(form))?.digest]).toEqual([form, d(2)]);
      expect((await index.get('docker.io/team/app:1'))?.digest).toBe(d(3));
      expect((await index.get('weird..name:1'))?.digest).toBe(d(5));
      await expect(index.get('weird..name:2')).rejects.toThrow(/is not valid/);

      await index.remove('team/app:1');
      await index.remove('weird..name:1');
      await expect(index.remove('team/app:1')).rejects.toThrow(/^no image team\/app:1$/);
      const stored = (JSON.parse(await readFile(join(root, 'images.json'), 'utf8')) as { images: { reference: string }[] }).images.map((r) => r.reference);
      expect(stored).toEqual(['127.0.0.1:5000/box:1', 'docker.io/library/busybox:latest']);
    });
  });

  it('refuses a blob whose bytes do not match its digest, changing nothing', async () => {
    const { root, store: s, index } = await store();
    const image = await busyboxImage();
    const archive = await ociLayoutArchive(image, 'x:1', (blobs) => {
      const h = image.configDigest.slice(7);
      blobs.set(h, Buffer.from((blobs.get(h) as Buffer).toString().replace('shoal test image', 'tampered image!!')));
    });
    await expect(importArchive(Readable.from(archive), s, index)).rejects.toThrow(/^blob blobs\/sha256\/[a-f0-9]{64}: digest mismatch: expected sha256:/);
    await storeUnchanged(root);
  });

  it('refuses a truncated archive, changing nothing', async () => {
    const { root, store: s, index } = await store();
    const archive = await dockerSaveArchive(await busyboxImage(), ['y:1']);
    await expect(importArchive(Readable.from(archive.subarray(0, Math.floor(archive.length / 2))), s, index)).rejects.toThrow(/^image archive: not a complete tar archive/);
    await storeUnchanged(root);
  });

  it("refuses a docker archive whose config's diff_ids do not match its layers", async () => {
    const { root, store: s, index } = await store();
    const image = await busyboxImage();
    const other = Buffer.concat([image.layerTar.subarray(0, 512), Buffer.alloc(1024)]);
    await expect(importArchive(Readable.from(await dockerSaveArchive(image, ['z:1'], other)), s, index)).rejects.toThrow(/rootfs\.diff_ids do not match/);
    await storeUnchanged(root);
  });

  it('fails, naming the blob and changing nothing, when a layer it took from the store instead of the archive was collected before its commit', async () => {
    const { root, store: s, index } = await store();
    const image = await busyboxImage();
    await importArchive(Readable.from(await ociLayoutArchive(image, 'first:1')), s, index);
    const [layer] = parseManifest(await s.readJson((await index.get('first:1'))?.digest as Digest), 'manifest').layers;
    const layerDigest = (layer as { digest: Digest }).digest;
    await index.remove('first:1');
    // The same image again, without its layer: the store has it, so the archive need not carry it.
    const slim = await ociLayoutArchive(image, 'second:1', (blobs) => blobs.delete(layerDigest.slice('sha256:'.length)));
    // A collection that ran just before the commit's turn took the layer.
    const collectedFirst = async <T>(commit: () => Promise<T>): Promise<T> => {
      await s.remove(layerDigest);
      return commit();
    };
    await expect(importArchive(Readable.from(slim), s, index, undefined, Date.now(), collectedFirst)).rejects.toMatchObject({
      code: 'image.blob_collected',
      message: expect.stringMatching(new RegExp(`^blob ${layerDigest}, which the store held when this image came in, was deleted since`)),
    });
    expect(await index.get('second:1')).toBeUndefined();
    expect(await readdir(join(root, 'staging')).catch(emptyIfMissing)).toEqual([]);
  });

  it('refuses something that is no image archive at all', async () => {
    const { root, store: s, index } = await store();
    const { tarOf } = await import('./test-images.js');
    await expect(importArchive(Readable.from(await tarOf([{ name: 'hello.txt', type: 'file', body: 'hi' }])), s, index)).rejects.toThrow(
      /neither an OCI image layout \(oci-layout\) nor a docker save archive/,
    );
    await storeUnchanged(root);
  });
});
