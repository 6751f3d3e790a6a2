// Seeded random transactions (some bound to fail) against the store, with its invariants checked
// after every step: names unique per kind, indexes equal to a recomputation, versions never after
// the applied index and never moving back, and two stores fed the same commands byte-identical.

import { describe, expect, it } from 'vitest';
import { ShoalError } from '../../shared/errors.js';
import { SeededRng, type Rng } from '../../shared/rng.js';
import { CannotApply } from '../raft/cannot-apply.js';
import { encodeCommand, type StoreCommand, type StoreOp } from './command.js';
import { Store } from './store.js';
import { nodeCreate, serviceCreate, taskCreate } from './testing.js';
import { KINDS, nameOf, type StoreObject } from './types.js';

const STEPS = 400;
const SEEDS = [1, 2, 3, 42, 1234];

const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)] as T;

function randomOp(rng: Rng, s: Store, nextId: () => string): StoreOp {
  const tasks = s.list('task');
  const all: StoreObject[] = KINDS.flatMap((k) => s.list(k) as StoreObject[]);
  const names = ['a', 'b', 'c', 'd', 'e', 'f'];
  const roll = rng.int(10);
  if (roll < 4 || all.length === 0) {
    const id = rng.int(8) === 0 && all.length > 0 ? pick(rng, all).id : nextId();
    switch (rng.int(3)) {
      case 0: return nodeCreate(id, pick(rng, names));
      case 1: return serviceCreate(id, pick(rng, names));
      default: return taskCreate(id, pick(rng, names), { nodeId: `n${rng.int(3)}`, ...(rng.int(2) === 0 ? { serviceId: `s${rng.int(3)}` } : {}) });
    }
  }
  const target = roll < 8 && tasks.length > 0 ? pick(rng, tasks) : pick(rng, all);
  // A stale version now and then.
  const version = rng.int(6) === 0 ? Math.max(1, target.meta.version - 1) : target.meta.version;
  if (roll === 9) return { op: 'delete', kind: target.kind, id: target.id, version };
  if (target.kind === 'task') {
    return { op: 'update', kind: 'task', id: target.id, version, spec: { ...target.spec, name: pick(rng, names), nodeId: `n${rng.int(3)}` }, status: { state: 'running' } };
  }
  if (target.kind === 'node') return { op: 'update', kind: 'node', id: target.id, version, spec: { ...target.spec, hostname: pick(rng, names) } };
  return { op: 'delete', kind: target.kind, id: target.id };
}

function checkInvariants(s: Store, versionsBefore: Map<string, number>): void {
  expect(s.indexProblems()).toEqual([]);
  for (const kind of KINDS) {
    const objects = s.list(kind) as StoreObject[];
    const names = objects.map(nameOf).filter((n) => n !== undefined);
    expect(new Set(names).size).toBe(names.length);
    for (const o of objects) {
      expect(o.meta.version).toBeLessThanOrEqual(s.appliedIndex);
      expect(o.meta.version).toBeGreaterThanOrEqual(versionsBefore.get(`${kind}/${o.id}`) ?? 0);
      versionsBefore.set(`${kind}/${o.id}`, o.meta.version);
    }
  }
}

describe('random transactions', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: invariants hold after every step, and a second store fed the same bytes is identical`, () => {
      const rng = new SeededRng(seed);
      const a = new Store();
      const b = new Store();
      let ids = 0;
      const nextId = (): string => `o${++ids}`;
      const versions = new Map<string, number>();
      let refused = 0;
      let index = 0;
      for (let step = 0; step < STEPS; step++) {
        index += 1 + rng.int(3);
        const command: StoreCommand = { atMs: step * 10, ops: Array.from({ length: 1 + rng.int(4) }, () => randomOp(rng, a, nextId)) };
        const before = Buffer.from(a.snapshotNow()).toString();
        const bytes = encodeCommand(command);
        let outcomeA: string;
        try {
          a.apply(bytes, index);
          outcomeA = 'ok';
        } catch (err) {
          expect(err).toBeInstanceOf(ShoalError);
          outcomeA = (err as ShoalError).code;
          refused++;
          // All or nothing: only the applied index moved.
          expect(Buffer.from(a.snapshotNow()).toString()).toBe(before.replace(/"appliedIndex":\d+/, `"appliedIndex":${index}`));
        }
        let outcomeB: string;
        try {
          b.apply(bytes, index);
          outcomeB = 'ok';
        } catch (err) {
          outcomeB = (err as ShoalError).code;
        }
        expect(outcomeB).toBe(outcomeA);
        checkInvariants(a, versions);
        expect(Buffer.from(b.snapshotNow())).toEqual(Buffer.from(a.snapshotNow()));
      }
      // Both outcomes were exercised, and the store is not trivially empty.
      expect(KINDS.reduce((n, k) => n + a.count(k), 0)).toBeGreaterThan(5);
      expect(refused).toBeGreaterThan(STEPS / 20);
      expect(refused).toBeLessThan(STEPS);
      const restored = new Store();
      restored.restoreNow(a.snapshotNow());
      expect(restored.indexProblems()).toEqual([]);
      expect(Buffer.from(restored.snapshotNow())).toEqual(Buffer.from(a.snapshotNow()));
    });
  }
});

describe('damaged commands', () => {
  it('a command with random bytes changed is applied or refused with a ShoalError, never anything else (or, its format raised, CannotApply)', () => {
    const rng = new SeededRng(7);
    const s = new Store();
    const good = Buffer.from(encodeCommand({ atMs: 5, ops: [nodeCreate('n1', 'h1', { labels: { a: 'b' } }), taskCreate('t1', 'x', { nodeId: 'n1', serviceId: 's1' })] }));
    const alphabet = Buffer.from('{}[]":,0123456789-.enulltrufas\\ \u00e9');
    for (let i = 1; i <= 2_000; i++) {
      const bytes = Buffer.from(good);
      for (let n = 1 + rng.int(4); n > 0; n--) bytes[rng.int(bytes.length)] = alphabet[rng.int(alphabet.length)] as number;
      try {
        s.apply(bytes, i);
      } catch (err) {
        // A format digit changed upward reads as a newer manager's command: not refused, unappliable.
        if (err instanceof CannotApply) {
          expect(JSON.parse(bytes.toString()) as { format: number }).toMatchObject({ format: expect.any(Number) as number });
          continue;
        }
        expect(err).toBeInstanceOf(ShoalError);
        expect((err as ShoalError).message).not.toContain('\n');
      }
      expect(s.indexProblems()).toEqual([]);
    }
    expect(s.appliedIndex).toBe(2_000);
  });
});
