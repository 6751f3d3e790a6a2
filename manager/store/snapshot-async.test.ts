// The store's snapshot taken over several turns of the event loop: it holds the state of the
// moment it was asked for while writes are applied between its turns, it is byte for byte the
// one-piece snapshot of that moment, and a restore in between neither damages it nor is undone.

import { describe, expect, it } from 'vitest';
import type { StoreOp } from './command.js';
import { encodeSnapshotInSlices, nextTurn } from './snapshot.js';
import { Store } from './store.js';
import { nodeCreate, serviceCreate, taskCreate } from './testing.js';
import { KINDS, type StoreObject } from './types.js';

const PER_TURN = 50;

/** A store with nodes, services and tasks whose ids are not in insertion order. */
function filled(objects: number): Store {
  const s = new Store({ limits: { snapshotObjectsPerTurn: PER_TURN } });
  const id = (i: number): string => `${((i * 7_919) % 10_007).toString(36)}-${i}`;
  let index = 0;
  for (let i = 0; i < objects; i += 3) {
    s.applyCommand({ atMs: 1_000 + i, ops: [nodeCreate(`n${id(i)}`, `host-${i}`), serviceCreate(`s${id(i)}`, `svc-${i}`), taskCreate(`t${id(i)}`, `task-${i}`, { nodeId: `n${id(i)}`, serviceId: `s${id(i)}` })] }, ++index);
  }
  return s;
}

/** Resolves `pending` while applying one write per turn; returns the snapshot and the writes made. */
async function whileWriting(s: Store, pending: Promise<Uint8Array>, write: (n: number) => void): Promise<{ bytes: Uint8Array; writes: number }> {
  let done = false;
  const settled = pending.finally(() => (done = true));
  let writes = 0;
  for (let turn = 0; !done && turn < 10_000; turn++) {
    write(writes++);
    await nextTurn();
  }
  return { bytes: await settled, writes };
}

describe('Store.snapshot over several turns', () => {
  it('is the one-piece snapshot of the moment it was asked for; writes made meanwhile are in the store, not in it', async () => {
    const s = filled(1_500);
    const atStart = Buffer.from(s.snapshotNow());
    const indexAtStart = s.appliedIndex;
    const firstNode = s.list('node')[0] as StoreObject;

    const { bytes, writes } = await whileWriting(s, s.snapshot(), (n) => {
      const ops: StoreOp[] = [taskCreate(`late-${n}`, `late-task-${n}`)];
      if (n === 0) ops.push({ op: 'delete', kind: 'node', id: firstNode.id });
      const service = s.list('service')[0] as StoreObject;
      if (n === 1) ops.push({ op: 'update', kind: 'service', id: service.id, version: service.meta.version, spec: { name: 'renamed', image: 'nginx', replicas: 9, labels: {} } });
      s.applyCommand({ atMs: 9_000, ops }, indexAtStart + 1 + n);
    });

    // It spanned many turns (1,500 objects at 50 a turn), with writes applied between them.
    expect(writes).toBeGreaterThan(1_500 / PER_TURN);
    expect(Buffer.from(bytes)).toEqual(atStart);
    const restored = new Store();
    restored.restoreNow(bytes);
    expect(restored.appliedIndex).toBe(indexAtStart);
    expect(restored.get('node', firstNode.id)).toEqual(firstNode);
    expect(restored.get('task', 'late-0')).toBeUndefined();
    expect(restored.byNameOf('service', 'renamed')).toBeUndefined();

    // The store itself has the writes, and the next snapshot carries them.
    expect(s.get('node', firstNode.id)).toBeUndefined();
    expect(s.get('task', `late-${writes - 1}`)).toBeDefined();
    expect(s.byNameOf('service', 'renamed')?.spec.replicas).toBe(9);
    expect(s.indexProblems()).toEqual([]);
    expect(Buffer.from(await s.snapshot())).toEqual(Buffer.from(s.snapshotNow()));
  });

  it('still holds its state when a restore comes while it encodes, and does not put that state back', async () => {
    const s = filled(900);
    const atStart = Buffer.from(s.snapshotNow());
    const other = new Store();
    other.applyCommand({ atMs: 5, ops: [nodeCreate('elsewhere', 'host-other')] }, 50_000);
    const pending = s.snapshot();
    await nextTurn();
    s.restoreNow(other.snapshotNow());
    s.applyCommand({ atMs: 6, ops: [taskCreate('after', 'after-restore')] }, 50_001);

    expect(Buffer.from(await pending)).toEqual(atStart);
    expect(s.appliedIndex).toBe(50_001);
    expect(KINDS.map((k) => s.count(k))).toEqual([1, 1, 0, 0, 0]);
    expect(s.get('task', 'after')).toBeDefined();
    expect(s.indexProblems()).toEqual([]);
  });

  it('two snapshots in progress at once each hold their own moment', async () => {
    const s = filled(600);
    const first = Buffer.from(s.snapshotNow());
    const a = s.snapshot();
    s.applyCommand({ atMs: 7, ops: [nodeCreate('between', 'host-between')] }, s.appliedIndex + 1);
    const second = Buffer.from(s.snapshotNow());
    const b = s.snapshot();
    expect(Buffer.from(await a)).toEqual(first);
    expect(Buffer.from(await b)).toEqual(second);
    expect(first).not.toEqual(second);
  });

  it('an empty store, and one smaller than a turn, encode in one turn as the one-piece snapshot does', async () => {
    const empty = new Store();
    expect(Buffer.from(await empty.snapshot())).toEqual(Buffer.from(empty.snapshotNow()));
    const small = filled(9);
    const byKind = KINDS.map((k) => small.list(k) as StoreObject[]);
    const { bytes, turns } = await encodeSnapshotInSlices(small.appliedIndex, byKind, [], PER_TURN);
    expect(turns).toBe(1);
    expect(Buffer.from(bytes)).toEqual(Buffer.from(small.snapshotNow()));
  });

  it('gives the same bytes at any limit and whatever order the objects come in, a turn at least per limit of objects', async () => {
    const s = filled(3_000);
    const byKind = KINDS.map((k) => (s.list(k) as StoreObject[]).reverse());
    for (const perTurn of [1, 7, 64, 5_000]) {
      const { bytes, turns } = await encodeSnapshotInSlices(s.appliedIndex, byKind, [], perTurn);
      expect(Buffer.from(bytes)).toEqual(Buffer.from(s.snapshotNow()));
      // Encoding alone needs one turn per `perTurn` objects.
      expect(turns).toBeGreaterThanOrEqual(Math.ceil(3_000 / perTurn));
    }
  });
});

describe('Store.restore', () => {
  it('gives the store restore gives, over several turns, and swaps it in only at the end', async () => {
    const a = filled(1_200);
    a.applyCommand({ atMs: 3, ops: [{ op: 'create', kind: 'network', id: 'net\u00e9"\\x', spec: { name: 'ünï "{[}]" \\ net', driver: 'overlay', labels: { '{': '}', 'x\\"': '[' } }, status: {} }] }, a.appliedIndex + 1);
    const bytes = a.snapshotNow();
    const b = filled(30);
    const before = Buffer.from(b.snapshotNow());
    let done = false;
    const pending = b.restore(bytes).finally(() => (done = true));
    let turns = 0;
    for (; !done && turns < 10_000; turns++) {
      // Until the end, readers see the old store whole.
      expect(Buffer.from(b.snapshotNow())).toEqual(before);
      await nextTurn();
    }
    await pending;
    expect(turns).toBeGreaterThan(1_200 / PER_TURN);
    expect(Buffer.from(b.snapshotNow())).toEqual(Buffer.from(bytes));
    expect(b.indexProblems()).toEqual([]);
    expect(b.byNameOf('network', 'ünï "{[}]" \\ net')?.id).toBe('net\u00e9"\\x');
    const empty = new Store();
    await b.restore(empty.snapshotNow());
    expect(b.appliedIndex).toBe(0);
    expect(KINDS.map((k) => b.count(k))).toEqual([0, 0, 0, 0, 0]);
  });

  it('refuses what restore refuses with store.bad_snapshot and changes nothing; another JSON layout is read in one piece', async () => {
    const a = filled(60);
    const good = Buffer.from(a.snapshotNow()).toString();
    const b = filled(9);
    const before = Buffer.from(b.snapshotNow());
    const bad = [
      good.slice(0, -1), // no closing brace
      `${good}x`, // data after
      good.slice(0, good.length / 2), // cut inside an object
      good.replace('},{', '}{'), // no comma between objects
      good.replace('},{', '},[1],{'), // not an object
      good.replace('"kind":"task"', '"kind":"tusk"'), // a bad object
      good.replace('"replicas":1', '"replicas":1,}'), // a piece that is not JSON
      good.replace(/"appliedIndex":\d+/, '"appliedIndex":1'), // versions after the index
    ];
    for (const text of bad) {
      const slices = await b.restore(Buffer.from(text)).then(() => undefined, (err: unknown) => err);
      expect(slices, text.slice(0, 80)).toMatchObject({ code: 'store.bad_snapshot' });
      expect(() => new Store().restoreNow(Buffer.from(text))).toThrow(expect.objectContaining({ code: 'store.bad_snapshot' }) as Error);
      expect(Buffer.from(b.snapshotNow())).toEqual(before);
    }
    await b.restore(Buffer.from(`${good}\n`));
    expect(Buffer.from(b.snapshotNow()).toString()).toBe(good);
    await b.restore(before);
    await b.restore(Buffer.from(JSON.stringify(JSON.parse(good), null, 2)));
    expect(Buffer.from(b.snapshotNow()).toString()).toBe(good);
  });
});
