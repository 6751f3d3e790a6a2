// A raft-kv member's data dir (the WAL with its hard state, the snapshots) as another user of the
// host sees it (root; the other user is nobody, through setpriv): nothing to list or read, also
// when an older version left the folder open, which the member tightens at start and logs once.

import { readdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock, waitUntil } from '../../../shared/clock.js';
import { createLogger } from '../../../shared/logger.js';
import { freeLoopbackPort } from '../../../shared/net.js';
import { asNobody } from '../../../shared/test-nobody.js';
import { KvServer } from './server.js';
import { encodePut } from './state-machine.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface LogLine {
  msg: string;
  [k: string]: unknown;
}

/** A one-member cluster on `dataDir` that snapshots every 5 entries, leading; its log lines kept. */
async function member(dataDir: string, port: number): Promise<{ server: KvServer; stop: () => Promise<void>; logs: LogLine[] }> {
  const logs: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const server = new KvServer({
    id: 1,
    clusterId: 7,
    listen: `127.0.0.1:${port}`,
    dataDir,
    initialMembers: new Map([[1, `127.0.0.1:${port}`]]),
    logger: createLogger({ format: 'json', level: 'info', destination }),
    tickMs: 20,
    electionTicks: 5,
    snapshotEntries: 5,
    keepEntries: 0,
  });
  await server.start();
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= server.stop());
  cleanups.push(stop);
  await waitUntil(systemClock, 'the member to lead', () => server.node.isLeader());
  return { server, stop, logs };
}

const modeOf = async (path: string): Promise<string> => ((await stat(path)).mode & 0o7777).toString(8).padStart(4, '0');

/** Every path under the data dir: folders and files. */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of ['wal', 'snap']) {
    out.push(join(dir, sub));
    for (const name of await readdir(join(dir, sub))) out.push(join(dir, sub, name));
  }
  return out;
}

describe("a raft-kv member's data dir, to another user of the host (root)", () => {
  it('is 0700 with its WAL and snapshots 0600, nobody reads a value written; an open one left by an older version is tightened at start and logged once', async () => {
    const root = await mkdtemp(join(tmpdir(), 'shoal-kv-private-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    await chmod(root, 0o755);
    const dataDir = join(root, 'kv');
    // As `mkdir -p` leaves it.
    await mkdir(dataDir, { mode: 0o755 });
    await chmod(dataDir, 0o755);
    const port = await freeLoopbackPort();
    const first = await member(dataDir, port);
    for (let i = 0; i < 12; i++) await first.server.node.propose(encodePut(`k${i}`, Buffer.from(`secret-value-${i}`)));
    await waitUntil(systemClock, 'a snapshot file', () => readdirSync(join(dataDir, 'snap')).some((n) => n.endsWith('.snap')));
    await first.stop();

    const paths = await tree(dataDir);
    expect(paths.some((p) => p.endsWith('.snap'))).toBe(true);
    expect(paths.some((p) => p.endsWith('.wal'))).toBe(true);
    const expected = async (p: string): Promise<string> => ((await stat(p)).isDirectory() ? '0700' : '0600');
    expect(await modeOf(dataDir)).toBe('0700');
    for (const p of paths) expect([p, await modeOf(p)]).toEqual([p, await expected(p)]);
    expect(first.logs.filter((l) => l.msg.startsWith('raft data dir: removed other users'))).toMatchObject([{ tightened: { count: 1, paths: [`${dataDir} 0755→0700`] } }]);
    expect(await asNobody('list', dataDir)).toBe('EACCES');
    for (const p of paths.filter((x) => !x.endsWith('wal') && !x.endsWith('snap'))) expect([p, await asNobody('read', p)]).toEqual([p, 'EACCES']);

    // An older version's layout: every folder 0755, every file 0644.
    await chmod(dataDir, 0o755);
    for (const p of paths) await chmod(p, (await stat(p)).isDirectory() ? 0o755 : 0o644);
    expect(await asNobody('read', paths.find((p) => p.endsWith('.wal')) as string)).toBe('ok');
    const again = await member(dataDir, port);
    const value = again.server.sm.get('k11');
    expect(value === undefined ? undefined : Buffer.from(value).toString()).toBe('secret-value-11');
    const said = again.logs.filter((l) => l.msg.startsWith('raft data dir: removed other users'));
    expect(said).toHaveLength(1);
    expect(said[0]?.['tightened']).toMatchObject({ count: paths.length + 1 });
    // Stopped, so that no snapshot or segment comes or goes while it is looked at.
    await again.stop();
    expect(await modeOf(dataDir)).toBe('0700');
    const now = await tree(dataDir);
    for (const p of now) expect([p, await modeOf(p)]).toEqual([p, await expected(p)]);
    for (const p of now.filter((x) => x.endsWith('.wal') || x.endsWith('.snap'))) expect([p, await asNobody('read', p)]).toEqual([p, 'EACCES']);
  });
});
