// Layer unpacking on a real filesystem (root: device nodes for whiteouts, trusted.* xattrs,
// an overlayfs mount to prove them). Malicious layers are refused with nothing written outside.

import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, readlink, rm, stat, lstat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runAllCleanups } from '../../shared/cleanup.js';
import { run, runUnchecked } from '../../shared/exec.js';
import { ShoalError } from '../../shared/errors.js';
import { emptyIfMissing } from './test-images.js';
import { unpackLayer } from './unpack.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await runAllCleanups('unpack test', cleanups.splice(0).reverse());
});

async function workdir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'shoal-unpack-'));
  cleanups.push(() => rm(d, { recursive: true, force: true }));
  return d;
}

/** A header with only what a test sets; the packer fills in the rest. */
type Entry = Partial<Header> & { name: string; body?: string };

async function tarOf(entries: readonly Entry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => p.on('end', () => resolve()));
  for (const { body, ...header } of entries) {
    await new Promise<void>((resolve, reject) => p.entry(header as Header, body ?? '', (err) => (err ? reject(err) : resolve())));
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function refused(entries: readonly Entry[]): Promise<{ message: string; root: string }> {
  const root = await workdir();
  // A sentinel outside the layer folder that escapes would hit.
  await mkdir(join(root, 'outside'));
  await writeFile(join(root, 'outside', 'secret'), 'untouched');
  const err = await unpackLayer(Readable.from(await tarOf(entries)), join(root, 'layers', 'l1')).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ShoalError);
  expect(await readFile(join(root, 'outside', 'secret'), 'utf8')).toBe('untouched');
  expect(await readdir(join(root, 'outside'))).toEqual(['secret']);
  expect(await readdir(join(root, 'layers')).catch(emptyIfMissing)).toEqual([]);
  return { message: (err as Error).message, root };
}

describe('layer unpack (root, real filesystem)', () => {
  it('unpacks files, folders, modes, owners, symlinks and hard links, gzipped or not', async () => {
    const entries: Entry[] = [
      { name: 'bin/', type: 'directory', mode: 0o755 },
      { name: 'bin/tool', type: 'file', mode: 0o4755, uid: 0, gid: 0, body: '#!/bin/sh\necho tool\n' },
      { name: './etc/motd', type: 'file', mode: 0o640, uid: 1000, gid: 1000, body: 'hello' },
      { name: 'etc/abs-link', type: 'symlink', linkname: '/etc/motd' },
      { name: 'etc/motd-hard', type: 'link', linkname: 'etc/motd' },
    ];
    for (const compress of [false, true]) {
      const root = await workdir();
      const raw = await tarOf(entries);
      const stats = await unpackLayer(Readable.from(compress ? gzipSync(raw) : raw), join(root, 'layer'));
      expect(stats.entries).toBe(5);
      const l = join(root, 'layer');
      expect((await stat(join(l, 'bin', 'tool'))).mode & 0o7777).toBe(0o4755);
      const motd = await stat(join(l, 'etc', 'motd'));
      expect([motd.mode & 0o777, motd.uid, motd.gid]).toEqual([0o640, 1000, 1000]);
      expect(await readlink(join(l, 'etc', 'abs-link'))).toBe('/etc/motd'); // kept, never followed
      expect((await stat(join(l, 'etc', 'motd-hard'))).ino).toBe(motd.ino);
    }
  });

  it('turns whiteouts and opaque markers into overlayfs ones, which hide lower files when mounted', async () => {
    const root = await workdir();
    await unpackLayer(
      Readable.from(await tarOf([
        { name: 'keep', type: 'file', body: 'k' },
        { name: 'gone', type: 'file', body: 'g' },
        { name: 'dir/', type: 'directory' },
        { name: 'dir/old', type: 'file', body: 'o' },
      ])),
      join(root, 'l1'),
    );
    const stats = await unpackLayer(
      Readable.from(await tarOf([
        { name: '.wh.gone', type: 'file' },
        { name: 'dir/', type: 'directory' },
        { name: 'dir/.wh..wh..opq', type: 'file' },
        { name: 'dir/new', type: 'file', body: 'n' },
      ])),
      join(root, 'l2'),
    );
    expect([stats.whiteouts, stats.opaqueDirs]).toEqual([1, 1]);
    const wh = await lstat(join(root, 'l2', 'gone'));
    expect([wh.isCharacterDevice(), wh.rdev]).toEqual([true, 0]);

    const merged = join(root, 'merged');
    await mkdir(merged);
    await run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${join(root, 'l2')}:${join(root, 'l1')}`, merged]);
    cleanups.push(async () => {
      await runUnchecked('umount', [merged]);
    });
    expect((await readdir(merged)).sort()).toEqual(['dir', 'keep']);
    expect(await readdir(join(merged, 'dir'))).toEqual(['new']);
  });

  it('refuses a path with ".."', async () => {
    const { message } = await refused([{ name: '../outside/secret', type: 'file', body: 'pwned' }]);
    expect(message).toBe('layer entry "../outside/secret": a ".." component would leave the layer; the layer was refused and nothing was written');
  });

  it('refuses an absolute path', async () => {
    expect((await refused([{ name: '/etc/passwd', type: 'file', body: 'x' }])).message).toMatch(/^layer entry "\/etc\/passwd": absolute path/);
  });

  it('refuses writing through a symlink that points outside (relative and absolute)', async () => {
    for (const target of ['../../outside', '/']) {
      const { message } = await refused([
        { name: 'link', type: 'symlink', linkname: target },
        { name: 'link/secret', type: 'file', body: 'pwned' },
      ]);
      expect(message).toMatch(/^layer entry "link\/secret": its parent "link" is a symlink/);
    }
  });

  it('replaces a symlink by a file instead of writing through it', async () => {
    const root = await workdir();
    await mkdir(join(root, 'outside'));
    await writeFile(join(root, 'outside', 'secret'), 'untouched');
    await unpackLayer(
      Readable.from(await tarOf([
        { name: 'x', type: 'symlink', linkname: join(root, 'outside', 'secret') },
        { name: 'x', type: 'file', body: 'replaced' },
      ])),
      join(root, 'layer'),
    );
    expect(await readFile(join(root, 'outside', 'secret'), 'utf8')).toBe('untouched');
    expect(await readFile(join(root, 'layer', 'x'), 'utf8')).toBe('replaced');
  });

  it('refuses hard links that escape, directly or through a symlink', async () => {
    expect((await refused([{ name: 'hl', type: 'link', linkname: '../outside/secret' }])).message).toMatch(
      /^layer entry "hl": hard link target "\.\.\/outside\/secret": a "\.\." component/,
    );
    expect((await refused([{ name: 'hl', type: 'link', linkname: '/etc/shadow' }])).message).toMatch(/^layer entry "hl": hard link target "\/etc\/shadow": absolute path/);
    const viaLink = await refused([
      { name: 'd', type: 'symlink', linkname: '../outside' },
      { name: 'hl', type: 'link', linkname: 'd/secret' },
    ]);
    expect(viaLink.message).toMatch(/^layer entry "hl": its parent "d" is a symlink/);
  });

  it('refuses device nodes and FIFOs', async () => {
    expect((await refused([{ name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0 }])).message).toMatch(/device nodes are not allowed/);
    expect((await refused([{ name: 'dev/mem', type: 'character-device', devmajor: 1, devminor: 1 }])).message).toMatch(/device nodes are not allowed/);
    expect((await refused([{ name: 'pipe', type: 'fifo' }])).message).toMatch(/FIFOs are not allowed/);
  });

  it('refuses a truncated or corrupt archive, leaving nothing', async () => {
    const root = await workdir();
    const good = await tarOf([{ name: 'big', type: 'file', body: 'x'.repeat(5000) }]);
    const cut = await unpackLayer(Readable.from(good.subarray(0, 2000)), join(root, 'cut')).catch((e: unknown) => e);
    expect((cut as Error).message).toMatch(/^layer archive is damaged/);
    const badGzip = await unpackLayer(Readable.from(Buffer.concat([gzipSync(good).subarray(0, 40), Buffer.alloc(40, 7)])), join(root, 'gz')).catch((e: unknown) => e);
    expect((badGzip as Error).message).toMatch(/^layer archive is damaged/);
    expect(await readdir(root)).toEqual([]);
  });

  it('checks the uncompressed content against the diff ID the image config names', async () => {
    const root = await workdir();
    const tar = await tarOf([{ name: 'f', type: 'file', body: 'content' }]);
    const diffId = `sha256:${createHash('sha256').update(tar).digest('hex')}`;
    await unpackLayer(Readable.from(gzipSync(tar)), join(root, 'ok'), diffId);
    expect(await readFile(join(root, 'ok', 'f'), 'utf8')).toBe('content');
    const wrong = await unpackLayer(Readable.from(gzipSync(tar)), join(root, 'bad'), `sha256:${'0'.repeat(64)}`).catch((e: unknown) => e);
    expect((wrong as Error).message).toMatch(/does not match the diff ID sha256:0+ its image config names/);
    expect(await readdir(root)).toEqual(['ok']);
  });
});
