// `shoal raft-kv` whose disk fills up (root: its data dir is a 1 MB tmpfs) exits non-zero with
// a one-line reason, as etcd does, instead of staying up as a member that only refuses; every
// write it acknowledged is there when it starts again with room on the disk.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProto } from '../../../proto/load.js';
import { systemClock } from '../../../shared/clock.js';
import { run } from '../../../shared/exec.js';
import { callUnary } from '../../../shared/grpc.js';
import { freeLoopbackPort } from '../../../shared/net.js';
import { startRaftKv, type RaftKvProcess } from './testing.js';


const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Starts one founding member; resolves its exit code and stderr when it exits. */
function member(port: number, dataDir: string): RaftKvProcess {
  return startRaftKv(['--id', '1', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--members', `1=127.0.0.1:${port}`], cleanups, 'error');
}

describe('shoal raft-kv on a full disk (root)', () => {
  it('exits with the reason when the disk fills up, and keeps every acknowledged write', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shoal-kv-full-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'shoal-kv-full', dir]);
    cleanups.push(async () => void (await run('umount', ['-l', dir]))); // lazy: a member a failed test left running does not keep it
    const port = await freeLoopbackPort();
    const KV = loadProto('raft').shoal.raft.v1.KeyValue;
    const client = new KV(`127.0.0.1:${port}`, credentials.createInsecure());
    cleanups.push(async () => client.close());

    /** Until the member answers as its own leader: bounded, 100 tries. */
    const leading = async (): Promise<void> => {
      for (let i = 0; i < 100; i++) {
        const s = await callUnary(client.Status.bind(client), {}, 1000).catch(() => undefined);
        if (s !== undefined && s.leaderId === 1) return;
        await systemClock.sleep(50);
      }
      throw new Error('the member did not lead within 100 tries');
    };

    const first = member(port, join(dir, 'kv'));
    await leading();
    const value = Buffer.alloc(64 * 1024, 7);
    const acknowledged: string[] = [];
    let refusal: unknown;
    // 1 MB holds fewer than 16 such writes; the bound keeps a broken test from looping.
    for (let i = 0; i < 64 && refusal === undefined; i++) {
      await callUnary(client.Put.bind(client), { key: `k${i}`, value }, 2000).then(
        () => acknowledged.push(`k${i}`),
        (err: unknown) => (refusal = err),
      );
    }
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(String(refusal)).toMatch(/ENOSPC/);
    const { code, stderr } = await first.exited;
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/raft-kv member 1 stopped: its storage failed \(ENOSPC/);

    // Room again: the member starts, and holds every write it acknowledged.
    await run('mount', ['-o', 'remount,size=8m', dir]);
    const again = member(port, join(dir, 'kv'));
    await leading();
    for (const key of acknowledged) {
      const got = await callUnary(client.Get.bind(client), { key, stale: false }, 2000);
      expect(got.found, key).toBe(true);
    }
    expect(again.proc.exitCode).toBeNull();
  }, 60_000);
});
