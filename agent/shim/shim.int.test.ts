// The real shim process (root): it acts only on paths under its agent's data folder, and only
// root can talk to it.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAllCleanups, type CleanupStep } from '../../shared/cleanup.js';
import { systemClock } from '../../shared/clock.js';
import { ShoalError } from '../../shared/errors.js';
import { isAlive, shimPids } from '../runtime/testing.js';
import { startShim, type ShimClient } from './client.js';
import type { LogOptions } from './protocol.js';

const cleanups: CleanupStep[] = [];
afterEach(async () => {
  await runAllCleanups('shim test', cleanups.splice(0).reverse());
});

async function tempDir(prefix: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(d, { recursive: true, force: true }));
  return d;
}

async function shimIn(dataDir: string): Promise<ShimClient> {
  const client = await startShim({
    shimId: 'test-shim',
    version: 'test',
    dir: join(dataDir, 'shims', 'test-shim'),
    runcRoot: join(dataDir, 'runc'),
    allowedRoot: dataDir,
    clock: systemClock,
  });
  cleanups.push(async () => {
    client.close();
    for (const pid of await shimPids(dataDir)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });
  return client;
}

/** Pids of the processes whose command line holds `args`, one after the other. */
async function processesWith(args: readonly string[]): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    // A process that exits while the folder is read is no match.
    const cmdline = (await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (cmdline.some((_, i) => args.every((a, j) => cmdline[i + j] === a))) out.push(Number(name));
  }
  return out;
}

function log(path: string): LogOptions {
  return { path, maxBytes: 1024 * 1024, maxFiles: 2 };
}

async function startError(client: ShimClient, bundle: string, logPath: string): Promise<ShoalError> {
  const err = await client.request({ op: 'start', id: 'c1', bundle, log: log(logPath) }).then(
    () => new Error('the shim started it'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ShoalError);
  return err as ShoalError;
}

describe('the shim (root, real process)', () => {
  it('serves a 0600 socket in a 0700 folder', async () => {
    const data = await tempDir('shoal-shim-');
    await shimIn(data);
    expect((await stat(join(data, 'shims', 'test-shim'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(data, 'shims', 'test-shim', 'shim.sock'))).mode & 0o777).toBe(0o600);
  });

  it('fails its start at once, saying why in shim.log, when it cannot write shim.json', async () => {
    const data = await tempDir('shoal-shim-');
    const dir = join(data, 'shims', 'test-shim');
    // A folder where shim.json goes: writing it fails as on a full or read-only disk.
    await mkdir(join(dir, 'shim.json'), { recursive: true });
    const started = startShim({ shimId: 'test-shim', version: 'test', dir, runcRoot: join(data, 'runc'), allowedRoot: data, clock: systemClock });
    cleanups.push(async () => {
      await started.then((client) => client.close(), () => undefined);
      // No shim.json to read its pid from: found by its --dir, should it still run.
      for (const pid of await processesWith(['--dir', dir])) process.kill(pid, 'SIGKILL');
    });
    await expect(started).rejects.toMatchObject({ code: 'shim.start_failed', message: expect.stringMatching(/^the shim exited at start \(code 1\); see /) });
    const log = await readFile(join(dir, 'shim.log'), 'utf8');
    expect(log).toMatch(new RegExp(`"msg":"shim cannot start: cannot write ${join(dir, 'shim.json')}"`));
    expect(log).toMatch(/EISDIR/);
  });

  it('refuses bundles and log paths outside its data folder, through .. or a symlink, and creates nothing there', async () => {
    const data = await tempDir('shoal-shim-');
    const outside = await tempDir('shoal-outside-');
    const client = await shimIn(data);
    const bundle = join(data, 'containers', 'c1');
    await mkdir(bundle, { recursive: true });
    await symlink(outside, join(data, 'containers', 'escape'));
    await symlink(join(outside, 'victim.log'), join(bundle, 'linked.log'));

    const refusals: [string, string, RegExp][] = [
      [outside, join(bundle, 'json.log'), /^bundle .* is outside the agent's data dir /],
      [join(data, 'containers', 'escape'), join(bundle, 'json.log'), /^bundle .*escape is outside the agent's data dir /],
      [`${data}/../${basename(outside)}`, join(bundle, 'json.log'), /: "\.\." is not allowed$/],
      ['relative/bundle', join(bundle, 'json.log'), /must be an absolute path under /],
      [bundle, join(outside, 'json.log'), /^log path .* is outside the agent's data dir /],
      [bundle, join(data, 'containers', 'escape', 'json.log'), /^log path .* is outside the agent's data dir /],
      [bundle, join(bundle, 'linked.log'), /linked\.log: is a symlink$/],
      [bundle, `${data}/../${basename(outside)}/json.log`, /: "\.\." is not allowed$/],
    ];
    for (const [b, l, message] of refusals) {
      const err = await startError(client, b, l);
      expect([err.kind, err.message], `${b} ${l}`).toEqual(['invalid_argument', expect.stringMatching(message)]);
    }
    expect(existsSync(join(outside, 'json.log'))).toBe(false);
    expect(existsSync(join(outside, 'victim.log'))).toBe(false);
    expect((await client.request({ op: 'list' })).tasks).toEqual([]);

    // Paths inside pass the check: this bundle fails later, at runc, for want of a config.json.
    await writeFile(join(bundle, 'not-a-config'), '');
    const inside = await startError(client, bundle, join(bundle, 'json.log'));
    expect(inside.code).toBe('runtime.start_failed');
  });
});
