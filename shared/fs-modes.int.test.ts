// Owner-only folders and files (root: one case hands a folder to nobody), whatever the umask.

import { chmod, chown, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirPrivate, mkdirWithMode, openPrivateRoot, tighten, writeFileAtomic } from './fs-modes.js';
import { NOBODY_UID, asNobody } from './test-nobody.js';

let dir = '';
let umask = 0;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-modes-'));
  // Reachable by anyone, so that what nobody is refused is refused by the modes under test.
  await chmod(dir, 0o755);
  umask = process.umask();
});
afterEach(async () => {
  process.umask(umask);
  await rm(dir, { recursive: true, force: true });
});

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o7777;

describe('owner-only files and folders (root)', () => {
  it('mkdirPrivate makes a folder and its missing parents 0700 under any umask, and tightens one that exists', async () => {
    process.umask(0);
    await mkdirPrivate(join(dir, 'a', 'b'));
    expect(await modeOf(join(dir, 'a'))).toBe(0o700);
    expect(await modeOf(join(dir, 'a', 'b'))).toBe(0o700);
    await mkdir(join(dir, 'open'), { mode: 0o777 });
    await mkdirPrivate(join(dir, 'open'));
    expect(await modeOf(join(dir, 'open'))).toBe(0o700);
    expect(await asNobody('list', join(dir, 'open'))).toBe('EACCES');
  });

  it('mkdirWithMode makes a folder with exactly its mode under umask 077, and leaves one that exists as it is', async () => {
    process.umask(0o077);
    await mkdirWithMode(join(dir, 'root'), 0o755);
    expect(await modeOf(join(dir, 'root'))).toBe(0o755);
    await chmod(join(dir, 'root'), 0o1777); // as a container may chmod its own /
    await mkdirWithMode(join(dir, 'root'), 0o755);
    expect(await modeOf(join(dir, 'root'))).toBe(0o1777);
  });

  it('writeFileAtomic writes 0600 (or the mode asked) under any umask, replaces the file whole, and leaves no temporary file', async () => {
    process.umask(0);
    const path = join(dir, 'config.json');
    await writeFile(path, 'old', { mode: 0o644 });
    await writeFileAtomic(path, 'SECRET_TOKEN=1');
    expect(await modeOf(path)).toBe(0o600);
    expect(await readFile(path, 'utf8')).toBe('SECRET_TOKEN=1');
    expect(await asNobody('read', path)).toBe('EACCES');
    process.umask(0o077);
    await writeFileAtomic(join(dir, 'hosts'), '127.0.0.1 localhost\n', 0o644);
    expect(await modeOf(join(dir, 'hosts'))).toBe(0o644);
    expect(await readdir(dir)).toEqual(['config.json', 'hosts']);
  });

  it('tighten removes group and other access, reports what it changed, and leaves symlinks, private and missing paths alone', async () => {
    await writeFile(join(dir, 'open.json'), '{}', { mode: 0o644 });
    await chmod(join(dir, 'open.json'), 0o644);
    await writeFile(join(dir, 'private.json'), '{}', { mode: 0o600 });
    await symlink('/etc/passwd', join(dir, 'link'));
    expect(await tighten(join(dir, 'open.json'))).toEqual({ path: join(dir, 'open.json'), from: '0644', to: '0600' });
    expect(await modeOf(join(dir, 'open.json'))).toBe(0o600);
    expect(await tighten(join(dir, 'private.json'))).toBeUndefined();
    expect(await tighten(join(dir, 'link'))).toBeUndefined();
    expect(await modeOf('/etc/passwd')).toBe(0o644);
    expect(await tighten(join(dir, 'missing'))).toBeUndefined();
  });

  it('openPrivateRoot makes a data dir 0700 (an existing open one too, reported) and refuses one another user owns, changing nothing', async () => {
    const fresh = join(dir, 'var', 'lib', 'shoal', 'agent');
    expect(await openPrivateRoot(fresh, 'the data dir')).toBeUndefined();
    expect(await modeOf(fresh)).toBe(0o700);
    expect(await modeOf(join(dir, 'var', 'lib', 'shoal'))).toBe(0o700);
    const old = join(dir, 'old');
    await mkdir(old);
    await chmod(old, 0o755);
    expect(await openPrivateRoot(old, 'the data dir')).toEqual({ path: old, from: '0755', to: '0700' });
    expect(await modeOf(old)).toBe(0o700);
    const theirs = join(dir, 'theirs');
    await mkdir(theirs);
    await chmod(theirs, 0o755);
    await chown(theirs, NOBODY_UID, NOBODY_UID);
    await expect(openPrivateRoot(theirs, 'the data dir')).rejects.toThrow(`the data dir ${theirs} belongs to uid ${NOBODY_UID}, not to this process's uid 0`);
    expect(await modeOf(theirs)).toBe(0o755);
  });
});
