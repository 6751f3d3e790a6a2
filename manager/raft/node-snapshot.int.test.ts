// RaftNode takes its snapshots off the loop: while the state machine is still encoding one,
// proposals go on committing and being applied; once it is done the snapshot is recorded, and a
// restart starts from it and applies only the entries after it.

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock, waitUntil } from '../../shared/clock.js';
import type { RaftNode, StateMachine } from './node.js';
import { startSoloNode } from './solo-node.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const waitFor = (what: string, done: () => boolean, timeoutMs?: number): Promise<void> => waitUntil(systemClock, what, done, timeoutMs);

/** Applied commands as text; a snapshot is held back until the test lets it go. */
class HeldSnapshots implements StateMachine {
  applied: string[] = [];
  restoredFrom: string | undefined;
  readonly asked: { state: string; release: () => void }[] = [];

  apply(command: Uint8Array): unknown {
    this.applied.push(Buffer.from(command).toString());
    return this.applied.length;
  }

  snapshot(): Promise<Uint8Array> {
    const state = this.applied.join(',');
    return new Promise((resolve) => this.asked.push({ state, release: () => resolve(Buffer.from(state)) }));
  }

  restore(data: Uint8Array): void {
    this.restoredFrom = Buffer.from(data).toString();
    this.applied = this.restoredFrom === '' ? [] : this.restoredFrom.split(',');
  }
}

const SNAPSHOT_ENTRIES = 30;

const solo = (dataDir: string, sm: StateMachine, stopSnapshotWaitMs?: number): Promise<RaftNode> =>
  startSoloNode(dataDir, sm, { snapshotEntries: SNAPSHOT_ENTRIES, keepEntries: 0, ...(stopSnapshotWaitMs === undefined ? {} : { stopSnapshotWaitMs }) });

describe('RaftNode snapshots', () => {
  it('goes on committing while the state machine encodes a snapshot, records it when done, and restarts from it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shoal-raft-snap-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const sm = new HeldSnapshots();
    const node = await solo(dir, sm);
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) await node.stop();
    });
    // Runs first: stop() waits for a snapshot in progress, so none may stay held if the test fails.
    cleanups.push(async () => sm.asked.forEach((a) => a.release()));

    for (let i = 0; i <= SNAPSHOT_ENTRIES && sm.asked.length === 0; i++) await node.propose(Buffer.from(`a${i}`));
    expect(sm.asked).toHaveLength(1);
    const held = sm.asked[0] as (typeof sm.asked)[number];
    const appliedAtSnapshot = node.status().applied;

    // The snapshot is not done: writes still commit, and no second snapshot is begun.
    for (let i = 0; i < 25; i++) await node.propose(Buffer.from(`b${i}`));
    expect(sm.asked).toHaveLength(1);
    expect(await readdir(join(dir, 'snap'))).toEqual([]);

    expect(node.status().snapshotIndex).toBe(0);

    held.release();
    await waitFor('the snapshot to be recorded', () => node.status().snapshotIndex === appliedAtSnapshot);
    expect((await readdir(join(dir, 'snap'))).filter((n) => n.endsWith('.snap'))).toHaveLength(1);
    await node.propose(Buffer.from('d'));
    expect(sm.asked).toHaveLength(1); // fewer than SNAPSHOT_ENTRIES since: no second one
    await node.stop();
    stopped = true;

    // Restart: the state comes from the snapshot, then only the entries after it are applied.
    const again = new HeldSnapshots();
    const restarted = await solo(dir, again);
    cleanups.push(() => restarted.stop());
    expect(again.restoredFrom).toBe(held.state);
    await restarted.propose(Buffer.from('c'));
    expect(again.applied).toEqual([...held.state.split(','), ...Array.from({ length: 25 }, (_, i) => `b${i}`), 'd', 'c']);
    expect(restarted.status().applied).toBeGreaterThan(appliedAtSnapshot + 25);
  }, 20_000);

  it('stops even when the state machine never finishes a snapshot, and a restart replays the log instead', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shoal-raft-snap-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const sm = new HeldSnapshots();
    const node = await solo(dir, sm, 200);
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) await node.stop();
    });
    for (let i = 0; i <= SNAPSHOT_ENTRIES && sm.asked.length === 0; i++) await node.propose(Buffer.from(`a${i}`));
    expect(sm.asked).toHaveLength(1);
    await node.propose(Buffer.from('b'));

    await node.stop(); // the snapshot is never released before it returns
    stopped = true;
    // Handed over after the stop: it must not be written (checked once the restart is done).
    (sm.asked[0] as (typeof sm.asked)[number]).release();

    const again = new HeldSnapshots();
    const restarted = await solo(dir, again);
    cleanups.push(() => restarted.stop());
    // The replayed log is long enough for a snapshot: let it go before the stop.
    cleanups.push(async () => again.asked.forEach((a) => a.release()));
    expect(again.restoredFrom).toBeUndefined();
    await restarted.propose(Buffer.from('c'));
    expect(again.applied).toEqual([...sm.applied, 'c']);
    expect(await readdir(join(dir, 'snap'))).toEqual([]);
  }, 20_000);
});

describe('RaftNode and an entry it cannot apply', () => {
  it('stops, with the reason, instead of refusing what other servers may have applied', async () => {
    const { CannotApply } = await import('./cannot-apply.js');
    const dir = await mkdtemp(join(tmpdir(), 'shoal-raft-newer-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const sm: StateMachine = {
      apply: (command) => {
        if (Buffer.from(command).toString() === 'newer') throw new CannotApply('written by a newer version');
        return 1;
      },
      snapshot: () => new Uint8Array(0),
      restore: () => undefined,
    };
    const node = await solo(dir, sm);
    cleanups.push(() => node.stop());
    const fatal = new Promise<Error>((resolve) => node.onFatal(resolve));
    await node.propose(Buffer.from('fine'));
    const refused = node.propose(Buffer.from('newer')).then(
      () => 'applied',
      () => 'failed',
    );
    expect((await fatal).message).toBe('written by a newer version');
    expect(await refused).toBe('failed');
  });
});
