// Pulling from a real registry (Debian's docker-registry on loopback, images pushed by skopeo):
// OCI and Docker schema2 manifests, gzip and plain layers, indexes with platform selection,
// bearer-token auth, and the errors a user meets — each leaving the store as it was.

import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAllCleanups } from '../../shared/cleanup.js';
import { freeLoopbackPort } from '../../shared/net.js';
import { ContentStore, type Digest } from './content-store.js';
import { ImageIndex } from './import.js';
import { MEDIA, hostPlatform, parseManifest } from './manifest.js';
import { pullImage, type PullOptions } from './registry.js';
import { emptyIfMissing, multiPlatformLayoutArchive } from './test-images.js';
import { startRegistry, type TestRegistry } from './test-registry.js';
import { validConfig, validIndex, validManifest } from './test-schemas.js';

const OTHER = { os: 'linux', architecture: hostPlatform().architecture === 'arm64' ? 'amd64' : 'arm64' };
let work = '';
let open: TestRegistry;
let secured: TestRegistry;
const user = { username: 'alice', password: 's3cret' };

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shoal-pull-'));
  [open, secured] = await Promise.all([startRegistry(), startRegistry({ tokenAuth: user })]);
  const multi = join(work, 'multi.tar');
  await writeFile(multi, await multiPlatformLayoutArchive('box:multi', [hostPlatform(), OTHER]));
  const plain = join(work, 'plain.tar');
  await writeFile(plain, await multiPlatformLayoutArchive('box:plain', [hostPlatform()], { gzip: false }));
  await open.push(multi, 'box:multi', ['--all']);
  await open.push(plain, 'box:oci-plain', ['--all', '--preserve-digests']);
  const gz = join(work, 'gz.tar');
  await writeFile(gz, await multiPlatformLayoutArchive('box:gz', [hostPlatform()]));
  await open.push(gz, 'box:docker-gzip', ['--all', '--format', 'v2s2']);
  await secured.push(plain, 'private/box:1', ['--all']);
}, 120_000);

afterAll(async () => {
  await runAllCleanups('registry test', [() => open?.stop(), () => secured?.stop(), () => (work !== '' ? rm(work, { recursive: true, force: true }) : undefined)]);
});

async function freshStore() {
  const root = await mkdtemp(join(work, 'store-'));
  return { root, store: new ContentStore(root), index: new ImageIndex(root) };
}

const base: PullOptions = { insecure: true, platform: hostPlatform(), nowMs: 1 };

async function unchanged(root: string): Promise<void> {
  expect(await readdir(join(root, 'blobs', 'sha256')).catch(emptyIfMissing)).toEqual([]);
  expect(await readdir(join(root, 'staging')).catch(emptyIfMissing)).toEqual([]);
  expect(await new ImageIndex(root).list()).toEqual([]);
}

describe('registry pull (real docker-registry, skopeo)', () => {
  it('pulls an OCI image with a plain layer, and a Docker schema2 image with a gzip layer, each validating', async () => {
    for (const [tag, manifestType, layerType] of [
      ['box:oci-plain', MEDIA.ociManifest, MEDIA.ociLayer],
      ['box:docker-gzip', MEDIA.dockerManifest, MEDIA.dockerLayerGzip],
    ] as const) {
      const { store, index } = await freshStore();
      const progress: string[] = [];
      const rec = await pullImage(`${open.host}/${tag}`, store, index, { ...base, onProgress: (p) => progress.push(p.status) });
      expect(rec.reference).toBe(`${open.host}/${tag}`);
      const raw = (await store.readJson(rec.digest)) as { mediaType: string; layers: { mediaType: string }[] };
      expect([raw.mediaType, raw.layers[0]?.mediaType]).toEqual([manifestType, layerType]);
      if (manifestType === MEDIA.ociManifest) expect(validManifest(raw), JSON.stringify(validManifest.errors)).toBe(true);
      const manifest = parseManifest(raw, 'manifest');
      expect(validConfig(await store.readJson(manifest.config.digest)), JSON.stringify(validConfig.errors)).toBe(true);
      for (const l of manifest.layers) expect(await store.has(l.digest)).toBe(true);
      expect(progress[0]).toBe('resolving');
      expect(progress.at(-1)).toBe('done');
      expect(progress).toContain('downloading');
    }
  });

  it("picks this host's platform from an index, another on request, and names the ones there are when none fits", async () => {
    const { store, index } = await freshStore();
    const mine = await pullImage(`${open.host}/box:multi`, store, index, base);
    const other = await pullImage(`${open.host}/box:multi`, store, index, { ...base, platform: OTHER });
    expect(mine.digest).not.toBe(other.digest);
    const archOf = async (d: Digest) => ((await store.readJson(parseManifest(await store.readJson(d), 'm').config.digest)) as { architecture: string }).architecture;
    expect([await archOf(mine.digest), await archOf(other.digest)]).toEqual([hostPlatform().architecture, OTHER.architecture]);
    const idx = (await store.list()).length;
    await expect(pullImage(`${open.host}/box:multi`, store, index, { ...base, platform: { os: 'linux', architecture: 's390x' } })).rejects.toThrow(/has no image for linux\/s390x \(it has: linux\/\w+, linux\/\w+\)/);
    expect((await store.list()).length).toBe(idx);
    // The index itself is kept and valid.
    const indexes = [];
    for (const d of await store.list()) {
      // Layers are not JSON: they are no index either.
      const j = (await store.readJson(d).catch(() => ({}))) as { mediaType?: string };
      if (j.mediaType === MEDIA.ociIndex) indexes.push(j);
    }
    expect(indexes.length).toBeGreaterThan(0);
    for (const i of indexes) expect(validIndex(i), JSON.stringify(validIndex.errors)).toBe(true);
  });

  it('pulls by digest, and by a tag and a digest together, where the digest wins; the index names the digest', async () => {
    const byTag = await freshStore();
    const tagged = await pullImage(`${open.host}/box:oci-plain`, byTag.store, byTag.index, base);
    for (const raw of [`${open.host}/box@${tagged.digest}`, `${open.host}/box:no-such-tag@${tagged.digest}`]) {
      const s = await freshStore();
      const rec = await pullImage(raw, s.store, s.index, base);
      expect([raw, rec.reference, rec.digest]).toEqual([raw, `${open.host}/box@${tagged.digest}`, tagged.digest]);
      expect((await s.index.get(`${open.host}/box@${tagged.digest}`))?.digest).toBe(tagged.digest);
    }
  });

  it('gets a bearer token for a private repository, and refuses anonymous or wrong credentials with nothing stored', async () => {
    const ok = await freshStore();
    const rec = await pullImage(`${secured.host}/private/box:1`, ok.store, ok.index, { ...base, ...user });
    expect(rec.digest).toMatch(/^sha256:/);

    const anon = await freshStore();
    await expect(pullImage(`${secured.host}/private/box:1`, anon.store, anon.index, base)).rejects.toThrow(/the token server refused anonymous access \(HTTP 401\)/);
    await unchanged(anon.root);
    const wrong = await freshStore();
    await expect(pullImage(`${secured.host}/private/box:1`, wrong.store, wrong.index, { ...base, username: 'alice', password: 'nope' })).rejects.toThrow(/refused user alice/);
    await unchanged(wrong.root);
  });

  it('says what went wrong for an unknown tag, an unknown digest, a registry that is not there, and a bad reference', async () => {
    const s = await freshStore();
    await expect(pullImage(`${open.host}/box:nope`, s.store, s.index, base)).rejects.toThrow(/box:nope: HTTP 404 \(MANIFEST_UNKNOWN: manifest unknown\)/);
    await expect(pullImage(`${open.host}/box@sha256:${'0'.repeat(64)}`, s.store, s.index, base)).rejects.toThrow(/HTTP 404/);
    const closed = await freeLoopbackPort();
    await expect(pullImage(`127.0.0.1:${closed}/box:1`, s.store, s.index, base)).rejects.toThrow(/registry 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    await expect(pullImage('Bad Name', s.store, s.index, base)).rejects.toThrow(/image reference "Bad Name" is not valid/);
    await expect(pullImage(`${open.host}/Box:1`, s.store, s.index, base)).rejects.toThrow(/^image reference "127\.0\.0\.1:\d+\/Box:1" is not valid: the repository name must be lowercase$/);
    await unchanged(s.root);
  });
});
