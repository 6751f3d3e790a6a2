import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../../shared/rng.js';
import { Cluster } from './cluster.js';
import { InvariantViolation, SafetyChecker } from './invariants.js';
import { SimNode } from './node.js';
import { REGRESSIONS } from './regressions.js';
import { optionsForSeed, runSimulation } from './sim.js';

describe('raft simulation', () => {
  for (const r of REGRESSIONS) {
    it(`regression: ${r.name} (seed ${r.seed})`, () => {
      const result = runSimulation(optionsForSeed(r.seed));
      expect(result.failure, `npm run sim -- --seed ${r.seed} --trace`).toBeUndefined();
      expect(result.stats.committedEntries).toBeGreaterThan(0);
    });
  }

  it('holds every safety property and stays live on 100 fixed seeds', () => {
    const failures: string[] = [];
    let committed = 0;
    for (let seed = 1000; seed < 1100; seed++) {
      const r = runSimulation(optionsForSeed(seed));
      committed += r.stats.committedEntries;
      if (!r.ok) failures.push(`seed ${seed}: ${r.failure}`);
    }
    expect(failures).toEqual([]);
    expect(committed).toBeGreaterThan(5000);
  });

  it('checks client histories for linearizability, and catches reads served without read-index', () => {
    const honest = runSimulation(optionsForSeed(77));
    expect(honest.ok).toBe(true);
    expect(honest.stats.clientOperations).toBeGreaterThan(50);
    // Served from local state, reads go stale under partitions: some seed must show it.
    const caught = Array.from({ length: 40 }, (_, i) => runSimulation(optionsForSeed(500 + i, { staleReads: true }))).filter((r) => !r.ok);
    expect(caught.length).toBeGreaterThan(0);
    expect(caught[0]?.failure).toMatch(/^linearizability: /);
  });

  it('applies each client write once despite retries and duplicated proposals, and catches a state machine without sessions', () => {
    // The same seeds, servers with and without client sessions: retries and duplicated
    // forwarded proposals put copies of writes in the log; only sessions keep them from taking
    // effect twice.
    const seeds = Array.from({ length: 20 }, (_, i) => 1 + i);
    const withSessions = seeds.map((seed) => runSimulation(optionsForSeed(seed)));
    expect(withSessions.filter((r) => !r.ok).map((r) => `seed ${r.seed}: ${r.failure}`)).toEqual([]);
    const without = seeds.map((seed) => runSimulation(optionsForSeed(seed, { noSessions: true, stateMachine: 'kv' }))).filter((r) => !r.ok);
    expect(without.length).toBeGreaterThan(0);
    expect(without[0]?.failure).toMatch(/^exactly-once: node \d+ applied client write \d+:\d+ at \d+, which already took effect at \d+$/);
  });

  it('runs the real store, whose replicas hold the same bytes at every index they applied, and catches an apply that reads a clock', () => {
    const honest = Array.from({ length: 10 }, (_, i) => runSimulation(optionsForSeed(200 + i)));
    expect(honest.filter((r) => !r.ok).map((r) => `seed ${r.seed}: ${r.failure}`)).toEqual([]);
    expect(honest.reduce((n, r) => n + r.stats.clientOperations, 0)).toBeGreaterThan(500);
    const caught = Array.from({ length: 10 }, (_, i) => runSimulation(optionsForSeed(200 + i, { localClockOnServer2: true }))).filter((r) => !r.ok);
    expect(caught.length).toBeGreaterThan(0);
    expect(caught[0]?.failure).toMatch(/^replica equality: nodes \d+ and \d+ applied up to index \d+ but hold different stores$/);
  });

  it('keeps a commit-only hard state off the disk as the WAL does, and a snapshot writes it, so the server restarts', () => {
    const c = new Cluster(3);
    c.elect(1);
    for (let i = 0; i < 5; i++) c.propose(1, `k${i}=v`);
    const follower = c.get(2);
    const inMemory = follower.node.raft.log.committed;
    // The commit the follower learned after its last write is held back (a crash loses it)...
    expect(follower.disk.storage.initialState().hardState.commit).toBeLessThan(inMemory);
    // ...until a snapshot of what it applied, which must carry it: a snapshot past the commit
    // index on disk is a server that cannot restart (the chaos test's commit 1501, snapshot 1502).
    const snap = follower.snapshotAndCompact(0);
    expect(snap?.meta.index).toBe(inMemory);
    expect(follower.disk.storage.initialState().hardState.commit).toBe(inMemory);
    const restarted = c.restart(2);
    expect(restarted.node.raft.log.committed).toBe(inMemory);
    expect(restarted.kv.get('k4')).toBe('v');
  });

  it('replays a seed exactly', () => {
    const a = runSimulation(optionsForSeed(2024));
    const b = runSimulation(optionsForSeed(2024));
    expect(a).toEqual(b);
    expect(a.stats.messagesSent).toBeGreaterThan(1000);
    expect(a.stats.crashes + a.stats.partitions).toBeGreaterThan(0);
  });
});

describe('safety checker', () => {
  function node(id: number): SimNode {
    return new SimNode({ id, peers: [1, 2, 3], seed: new SeededRng(id).nextUint32() });
  }
  const entry = (index: number, term: number, data: string) => ({ index, term, type: 'ENTRY_NORMAL' as const, data: new TextEncoder().encode(data) });

  it('catches two servers applying different entries at one index', () => {
    const checker = new SafetyChecker();
    checker.onApply(node(1), entry(1, 1, 'a'));
    expect(() => checker.onApply(node(2), entry(1, 2, 'b'))).toThrow(InvariantViolation);
  });

  it('catches a server applying out of order', () => {
    const checker = new SafetyChecker();
    const n = node(1);
    checker.onApply(n, entry(1, 1, 'a'));
    expect(() => checker.onApply(n, entry(3, 1, 'c'))).toThrow(/a gap/);
    expect(() => checker.onApply(n, entry(1, 1, 'a'))).toThrow(/again/);
  });

  it('catches two leaders in one term', () => {
    const checker = new SafetyChecker();
    const [a, b] = [node(1), node(2)];
    for (const n of [a, b]) {
      n.handleReady();
      n.node.raft.term = 5;
      n.node.raft.role = 'leader';
    }
    expect(() => checker.check([a, b], false)).toThrow(/election safety: nodes 1 and 2 both lead term 5/);
  });
});
