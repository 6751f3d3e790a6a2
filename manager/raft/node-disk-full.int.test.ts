// A server whose disk fills up (root: the data dir is a small tmpfs) stops: the write that
// failed and every write after it are rejected with the reason, none is acknowledged, and once
// there is room again a restart holds every write that was acknowledged.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../shared/exec.js';
import type { RaftNode, StateMachine } from './node.js';
import { startSoloNode } from './solo-node.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

class Applied implements StateMachine {
  readonly values: string[] = [];
  apply(command: Uint8Array): unknown {
    this.values.push(Buffer.from(command).subarray(0, 16).toString().trim());
    return this.values.length;
  }
  snapshot(): Uint8Array {
    return Buffer.from(this.values.join(','));
  }
  restore(data: Uint8Array): void {
    this.values.splice(0, this.values.length, ...Buffer.from(data).toString().split(',').filter((v) => v !== ''));
  }
}

const solo = (dataDir: string, sm: StateMachine): Promise<RaftNode> => startSoloNode(dataDir, sm);

/** A 64 KB command whose first 16 bytes name it. */
const command = (name: string): Buffer => Buffer.concat([Buffer.from(name.padEnd(16)), Buffer.alloc(64 * 1024 - 16, 7)]);

describe('RaftNode on a full disk (root)', () => {
  it('stops and rejects writes with the reason when the WAL cannot be written, and keeps every acknowledged write', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shoal-raft-full-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'shoal-raft-full', dir]);
    cleanups.push(async () => void (await run('umount', ['-l', dir]))); // lazy: files a failed test left open do not keep it

    const node = await solo(dir, new Applied());
    cleanups.push(() => node.stop());
    const acknowledged: string[] = [];
    let failure: unknown;
    // 1 MB holds fewer than 16 writes of 64 KB; the bound keeps a broken test from looping.
    for (let i = 0; i < 64 && failure === undefined; i++) {
      await node.propose(command(`w${i}`)).then(
        () => acknowledged.push(`w${i}`),
        (err: unknown) => (failure = err),
      );
    }
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(failure).toMatchObject({ code: 'raft.stopped' });
    expect(String((failure as Error).message)).toMatch(/^raft stopped: .*ENOSPC/);
    await expect(node.propose(command('after'))).rejects.toThrow(/ENOSPC/);
    await node.stop();

    // Room again (the operator grew the disk): the restart holds what was acknowledged.
    await run('mount', ['-o', 'remount,size=8m', dir]);
    const sm = new Applied();
    const restarted = await solo(dir, sm);
    cleanups.push(() => restarted.stop());
    await restarted.propose(command("again"));
    expect(sm.values.slice(0, acknowledged.length)).toEqual(acknowledged);
    expect(sm.values.at(-1)).toBe('again');
  }, 30_000);
});
