// The WAL and snapshot files on a real filesystem: what survives, what is cut, what refuses.

import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SeededRng } from '../../shared/rng.js';
import { RaftDisk } from './disk.js';
import { RawNode } from './rawnode.js';
import type { Entry } from './types.js';
import { Wal } from './wal.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'shoal-raft-'));
  dirs.push(d);
  return d;
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const entry = (index: number, term: number, data = `e${index}`): Entry => ({ index, term, type: 'ENTRY_NORMAL', data: enc(data) });
const entries = (from: number, to: number, term: number): Entry[] => Array.from({ length: to - from + 1 }, (_, i) => entry(from + i, term));

/** A driver's ready loop for a one-server cluster: persist, apply (recording data), advance. */
async function drainReady(node: RawNode, disk: RaftDisk, applied: string[] = []): Promise<number> {
  let last = 0;
  while (node.hasReady()) {
    const rd = node.ready();
    await disk.persist(rd);
    for (const e of rd.committedEntries) {
      if (e.type === 'ENTRY_CONF_CHANGE') node.applyConfChange({ type: 'CONF_ADD_VOTER', nodeId: 1, context: '' });
      else if (e.data.length > 0) applied.push(new TextDecoder().decode(e.data));
      last = e.index;
    }
    node.advance(rd);
  }
  return last;
}

async function onlySegment(dir: string): Promise<string> {
  const names = (await readdir(join(dir, 'wal'))).filter((n) => n.endsWith('.wal'));
  expect(names).toHaveLength(1);
  return join(dir, 'wal', names[0] as string);
}

describe('WAL (real files)', () => {
  it('replays hard state and entries, later writes replacing a conflicting tail', async () => {
    const dir = await tempDir();
    const { wal } = await Wal.open(join(dir, 'wal'));
    await wal.save({ term: 1, vote: 2, commit: 0 }, entries(1, 5, 1), true);
    await wal.save({ term: 2, vote: 3, commit: 3 }, [entry(4, 2, 'new4'), entry(5, 2, 'new5')], true);
    await wal.close();
    const { wal: again, replay } = await Wal.open(join(dir, 'wal'));
    await again.close();
    expect(replay.hardState).toEqual({ term: 2, vote: 3, commit: 3 });
    expect(replay.entries.map((e) => [e.index, e.term, new TextDecoder().decode(e.data)])).toEqual([
      [1, 1, 'e1'],
      [2, 1, 'e2'],
      [3, 1, 'e3'],
      [4, 2, 'new4'],
      [5, 2, 'new5'],
    ]);
    expect(replay.tornBytes).toBe(0);
  });

  it('writes a commit-only hard state with the next write, or at close unless a write failed', async () => {
    const dir = await tempDir();
    const { wal } = await Wal.open(join(dir, 'wal'));
    await wal.save({ term: 1, vote: 1, commit: 0 }, entries(1, 3, 1), true);
    await wal.save({ term: 1, vote: 1, commit: 3 }, [], false); // deferred
    const before = (await stat(await onlySegment(dir))).size;
    await wal.save(undefined, [entry(4, 1)], true); // carries it
    await wal.close();
    expect((await stat(await onlySegment(dir))).size).toBeGreaterThan(before);
    const { wal: w2, replay } = await Wal.open(join(dir, 'wal'));
    expect(replay.hardState.commit).toBe(3);
    await w2.save({ term: 1, vote: 1, commit: 4 }, [], false);
    await w2.close(); // flushes it
    const { wal: w3, replay: r3 } = await Wal.open(join(dir, 'wal'));
    expect(r3.hardState.commit).toBe(4);
    // After a failed write the server closes without flushing: nothing more is written.
    await w3.save({ term: 1, vote: 1, commit: 5 }, [], false);
    const size = (await stat(await onlySegment(dir))).size;
    await w3.close(false);
    expect((await stat(await onlySegment(dir))).size).toBe(size);
    const { wal: w4, replay: r4 } = await Wal.open(join(dir, 'wal'));
    await w4.close();
    expect(r4.hardState.commit).toBe(4);
  });

  it('cuts a torn tail (a record cut short by a crash) and goes on appending after it', async () => {
    const dir = await tempDir();
    const { wal } = await Wal.open(join(dir, 'wal'));
    await wal.save({ term: 1, vote: 1, commit: 2 }, entries(1, 3, 1), true);
    await wal.save(undefined, [entry(4, 1, 'x'.repeat(100))], true);
    await wal.close();
    const file = await onlySegment(dir);
    const size = (await stat(file)).size;
    await truncate(file, size - 40); // the last record loses its end

    const { wal: reopened, replay } = await Wal.open(join(dir, 'wal'));
    expect(replay.tornBytes).toBeGreaterThan(0);
    expect(replay.entries.map((e) => e.index)).toEqual([1, 2, 3]);
    expect(replay.hardState.commit).toBe(2);
    await reopened.save(undefined, [entry(4, 2, 'again')], true);
    await reopened.close();
    const { wal: third, replay: r3 } = await Wal.open(join(dir, 'wal'));
    await third.close();
    expect(r3.tornBytes).toBe(0);
    expect(r3.entries.map((e) => `${e.index}@${e.term}`)).toEqual(['1@1', '2@1', '3@1', '4@2']);
  });

  it('takes a last record with a bad checksum for an unfinished write', async () => {
    const dir = await tempDir();
    const { wal } = await Wal.open(join(dir, 'wal'));
    await wal.save(undefined, entries(1, 3, 1), true);
    await wal.close();
    const file = await onlySegment(dir);
    const bytes = await readFile(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    await writeFile(file, bytes);
    const { wal: w, replay } = await Wal.open(join(dir, 'wal'));
    await w.close();
    expect(replay.entries.map((e) => e.index)).toEqual([1, 2]);
  });

  it('refuses to start on damage in the middle, naming the file and byte, and changes nothing', async () => {
    const dir = await tempDir();
    const { wal } = await Wal.open(join(dir, 'wal'));
    await wal.save(undefined, entries(1, 10, 1), true);
    await wal.close();
    const file = await onlySegment(dir);
    const bytes = await readFile(file);
    bytes.writeUInt8(bytes.readUInt8(60) ^ 0x01, 60); // inside the third or fourth record
    await writeFile(file, bytes);
    await expect(Wal.open(join(dir, 'wal'))).rejects.toThrow(/^WAL .*\.wal is damaged at byte \d+ \(checksum mismatch\); refusing to start/);
    expect((await readFile(file)).equals(bytes)).toBe(true);
  });

  it('rotates segments and removes those a snapshot covers, so disk use stays bounded', async () => {
    const dir = await tempDir();
    const disk = await RaftDisk.open(dir, { segmentBytesMax: 2048 });
    const node = new RawNode({ id: 1, storage: disk.storage, rng: new SeededRng(1) });
    node.bootstrap([{ id: 1, context: '' }]);
    let applied = 0;
    const drain = async (): Promise<void> => {
      applied = Math.max(applied, await drainReady(node, disk));
    };
    await drain(); // apply the bootstrap membership first, as a real server does
    node.campaign();
    await drain();
    const sizes: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 100; i++) node.propose(enc(`value-${round}-${i}-${'p'.repeat(20)}`));
      await drain();
      await disk.snapshot(applied, { voters: [1], learners: [] }, enc(`state at ${applied}`), 10);
      const walBytes = await Promise.all((await readdir(join(dir, 'wal'))).map(async (n) => (await stat(join(dir, 'wal', n))).size));
      sizes.push(walBytes.reduce((a, b) => a + b, 0));
    }
    await disk.close();
    // Five rounds wrote five times as much, yet the WAL holds about one round's worth at most.
    expect(Math.max(...sizes)).toBeLessThan(2 * (sizes[0] as number) + 4096);
    expect((await readdir(join(dir, 'snap'))).filter((n) => n.endsWith('.snap'))).toHaveLength(2);

    const reopened = await RaftDisk.open(dir, { segmentBytesMax: 2048 });
    expect(reopened.opened.snapshotIndex).toBe(applied);
    expect(new TextDecoder().decode(reopened.storage.snapshot().data)).toBe(`state at ${applied}`);
    expect(reopened.storage.lastIndex()).toBe(applied);
    await reopened.close();
  });

  it('a restarted server replays its log and applies the same entries again', async () => {
    const dir = await tempDir();
    const disk = await RaftDisk.open(dir);
    expect(disk.opened.fresh).toBe(true);
    const node = new RawNode({ id: 1, storage: disk.storage, rng: new SeededRng(1) });
    node.bootstrap([{ id: 1, context: '' }]);
    const run = async (n: RawNode, d: RaftDisk, out: string[]): Promise<void> => {
      await drainReady(n, d, out);
    };
    const first: string[] = [];
    await run(node, disk, first);
    node.campaign();
    await run(node, disk, first);
    for (const v of ['a', 'b', 'c']) node.propose(enc(v));
    await run(node, disk, first);
    await disk.close();

    const disk2 = await RaftDisk.open(dir);
    expect(disk2.opened.fresh).toBe(false);
    const node2 = new RawNode({ id: 1, storage: disk2.storage, rng: new SeededRng(2) });
    const second: string[] = [];
    await run(node2, disk2, second);
    expect(second).toEqual(['a', 'b', 'c']);
    expect(node2.status().term).toBe(node.status().term);
    await disk2.close();
  });

  it('ignores a snapshot file whose WAL marker never made it, and a stray temporary file', async () => {
    const dir = await tempDir();
    const disk = await RaftDisk.open(dir);
    await disk.persist({ entries: entries(1, 3, 1), committedEntries: [], messages: [], readStates: [], mustSync: true, hardState: { term: 1, vote: 0, commit: 3 } });
    await disk.close();
    const { SnapshotFiles } = await import('./snapshot-files.js');
    await new SnapshotFiles(join(dir, 'snap')).save({ meta: { index: 3, term: 1, confState: { voters: [1], learners: [] } }, data: enc('orphan') });
    await writeFile(join(dir, 'snap', 'half-written.snap.tmp'), 'junk');
    const again = await RaftDisk.open(dir);
    expect(again.opened.snapshotIndex).toBe(0);
    expect(again.storage.lastIndex()).toBe(3);
    await again.close();
  });

  it('keeps the commit index at or past a snapshot taken while the commit was deferred, across a crash', async () => {
    const dir = await tempDir();
    const disk = await RaftDisk.open(dir);
    await disk.persist({ entries: entries(1, 3, 1), committedEntries: [], messages: [], readStates: [], mustSync: true, hardState: { term: 1, vote: 1, commit: 1 } });
    // Only the commit index moves: the WAL defers it to the next write.
    await disk.persist({ entries: [], committedEntries: [], messages: [], readStates: [], mustSync: false, hardState: { term: 1, vote: 1, commit: 3 } });
    await disk.snapshot(3, { voters: [1], learners: [] }, enc('state'), 0);
    // A crash: nothing more is flushed (close without flushing only lets go of the files and the lock).
    await disk.close(false);
    const again = await RaftDisk.open(dir);
    expect(again.opened.snapshotIndex).toBe(3);
    expect(again.storage.initialState().hardState.commit).toBe(3);
    await again.close();
  });

  it('refuses a second opening of a data dir while the first holds it, in one line, and allows it after', async () => {
    const dir = await tempDir();
    const disk = await RaftDisk.open(dir);
    await expect(RaftDisk.open(dir)).rejects.toMatchObject({ code: 'fs.dir_locked', message: `the Raft data dir ${dir} is in use by another process (a manager running on it?)` });
    await disk.close();
    await (await RaftDisk.open(dir)).close();
  });

  it('refuses a second opening from another network namespace too, and takes over the lock of a process killed with -9', async () => {
    const dir = await tempDir();
    const lockFrom = (netns: boolean, hold: boolean) =>
      spawnSync(netns ? 'unshare' : process.execPath, [...(netns ? ['--net', process.execPath] : []), '--input-type=module', '-e', `
        const { lockDir } = await import(${JSON.stringify(new URL('../../dist/shared/dir-lock.js', import.meta.url).href)});
        try { await lockDir(${JSON.stringify(dir)}, 'the dir'); console.log('locked'); } catch (e) { console.log(e.message); }
        ${hold ? "process.kill(process.pid, 'SIGKILL');" : ''}`], { encoding: 'utf8' });
    const disk = await RaftDisk.open(dir);
    expect(lockFrom(true, false).stdout.trim()).toBe(`the dir ${dir} is in use by another process (a manager running on it?)`);
    await disk.close();
    // A holder killed with -9 leaves its socket file; nobody listens on it: the next one takes it.
    expect(lockFrom(false, true).stdout.trim()).toBe('locked');
    await (await RaftDisk.open(dir)).close();
  });
});

