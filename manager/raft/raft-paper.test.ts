// Tests named after the claims of the Raft paper ("In Search of an Understandable Consensus
// Algorithm", extended version) and of the thesis for pre-vote, check-quorum, read-index and
// leadership transfer. Every test runs the real core over the in-memory cluster of sim/.

import { describe, expect, it } from 'vitest';
import { Cluster } from './sim/cluster.js';
import { MemoryStorage } from './storage.js';
import { Raft } from './raft.js';
import { SeededRng } from '../../shared/rng.js';
import { message, type Entry } from './types.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function entry(index: number, term: number): Entry {
  return { index, term, type: 'ENTRY_NORMAL', data: enc(`e${index}t${term}`) };
}

describe('§5.2 leader election', () => {
  it('a follower that hears from no leader for an election timeout starts an election', () => {
    const c = new Cluster(3, { preVote: false });
    const n1 = c.get(1).node.raft;
    expect(n1.role).toBe('follower');
    c.tick(1, 2 * n1.electionTicks);
    expect(n1.role).toBe('candidate');
    expect(n1.term).toBe(2); // bootstrap is term 1
    expect(n1.vote).toBe(1);
  });

  it('a candidate that receives votes from a majority becomes leader, and the others learn of it', () => {
    const c = new Cluster(5);
    c.elect(3);
    expect(c.get(3).node.raft.role).toBe('leader');
    for (const id of c.ids) expect(c.get(id).node.raft.lead).toBe(3);
  });

  it('a candidate that wins no majority does not become leader', () => {
    const c = new Cluster(5, { preVote: false });
    c.isolate(4);
    c.isolate(5);
    c.cut(1, 2);
    c.cut(1, 3);
    c.elect(1);
    expect(c.get(1).node.raft.role).toBe('candidate');
  });

  it('each server votes for at most one candidate in a term, first come first served', () => {
    const c = new Cluster(3, { preVote: false });
    const r3 = c.get(3).node.raft;
    // Candidates as up to date as server 3 (whose log holds the 3 bootstrap entries of term 1).
    r3.step(message({ type: 'MSG_VOTE', from: 1, to: 3, term: 2, index: 3, logTerm: 1 }));
    r3.step(message({ type: 'MSG_VOTE', from: 2, to: 3, term: 2, index: 3, logTerm: 1 }));
    const answers = r3.msgs.filter((m) => m.type === 'MSG_VOTE_RESP');
    expect(answers.map((m) => [m.to, m.reject])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(r3.vote).toBe(1);
  });

  it('election safety: at most one leader in any term, over many randomized elections', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const c = new Cluster(5, { seed, preVote: false });
      const leadersByTerm = new Map<number, Set<number>>();
      for (let t = 0; t < 200; t++) {
        c.tickAll();
        // deliver in a seeded, shuffled order with some losses
        c.collect();
        const rng = new SeededRng(seed * 7919 + t);
        const batch = c.queue.splice(0);
        for (const m of batch) if (rng.float() > 0.2) c.deliver(m);
        for (const n of c.nodes.values()) {
          if (n.node.raft.role !== 'leader') continue;
          const set = leadersByTerm.get(n.node.raft.term) ?? new Set();
          set.add(n.id);
          leadersByTerm.set(n.node.raft.term, set);
        }
      }
      for (const [term, set] of leadersByTerm) expect([...set], `seed ${seed} term ${term}`).toHaveLength(1);
      expect(leadersByTerm.size, `seed ${seed}: some leader was elected`).toBeGreaterThan(0);
    }
  });

  it('randomized election timeouts spread over [electionTicks, 2 × electionTicks)', () => {
    const seen = new Set<number>();
    for (let seed = 1; seed <= 200; seed++) {
      const storage = new MemoryStorage();
      storage.setConfState({ voters: [1, 2, 3], learners: [] });
      const r = new Raft({ id: 1, storage, rng: new SeededRng(seed), electionTicks: 10, preVote: false });
      let ticks = 0;
      while (r.role === 'follower' && ticks < 100) {
        r.tick();
        ticks++;
      }
      seen.add(ticks);
    }
    expect(Math.min(...seen)).toBe(10);
    expect(Math.max(...seen)).toBe(19);
    expect(seen.size).toBe(10);
  });

  it('a candidate steps down when it hears from a leader of its term or newer', () => {
    const c = new Cluster(3, { preVote: false });
    c.elect(1);
    const r2 = c.get(2).node.raft;
    r2.hup(false);
    expect(r2.role).toBe('candidate');
    r2.step(message({ type: 'MSG_APP', from: 1, to: 2, term: r2.term, index: 1, logTerm: 1, commit: 1 }));
    expect(r2.role).toBe('follower');
    expect(r2.lead).toBe(1);
  });
});

describe('§5.3 log replication', () => {
  it('the leader appends a proposal, replicates it, commits it once a majority has it, and all apply it', () => {
    const c = new Cluster(3);
    c.elect(1);
    c.propose(1, 'x=1');
    for (const id of c.ids) {
      expect(c.appliedData(id)).toEqual(['x=1']);
      expect(c.get(id).kv.get('x')).toBe('1');
    }
  });

  it('an entry is committed with a majority even when a minority is down', () => {
    const c = new Cluster(5);
    c.elect(1);
    c.isolate(4);
    c.isolate(5);
    c.propose(1, 'a=1');
    expect(c.appliedData(1)).toEqual(['a=1']);
    expect(c.appliedData(2)).toEqual(['a=1']);
    expect(c.appliedData(4)).toEqual([]);
  });

  it('nothing is committed without a majority', () => {
    const c = new Cluster(5);
    c.elect(1);
    const committedBefore = c.get(1).node.raft.log.committed;
    c.isolate(3);
    c.isolate(4);
    c.isolate(5);
    c.propose(1, 'a=1');
    expect(c.appliedData(1)).toEqual([]);
    expect(c.get(1).node.raft.log.committed).toBe(committedBefore);
    expect(c.get(1).node.raft.log.lastIndex()).toBe(committedBefore + 1);
  });

  it('followers forward proposals to the leader', () => {
    const c = new Cluster(3);
    c.elect(1);
    c.propose(3, 'from=3');
    for (const id of c.ids) expect(c.appliedData(id)).toEqual(['from=3']);
  });

  it('a follower with a divergent tail has it overwritten by the leader (Figure 7)', () => {
    const c = new Cluster(3, { preVote: false });
    // After the 3 bootstrap entries (term 1), follower 3 holds entries of a term whose leader
    // committed none of them: 4@2, 5@2, 6@2. Servers 1 and 2 hold 4@3.
    const s3 = c.get(3).disk.storage;
    s3.append([entry(4, 2), entry(5, 2), entry(6, 2)]);
    s3.setHardState({ term: 2, vote: 0, commit: 3 });
    for (const id of [1, 2]) {
      c.get(id).disk.storage.append([entry(4, 3)]);
      c.get(id).disk.storage.setHardState({ term: 3, vote: 0, commit: 3 });
    }
    for (const id of c.ids) c.restart(id);
    c.settle();
    c.elect(1);
    c.propose(1, 'after');
    const terms = (id: number) => {
      const log = c.get(id).node.raft.log;
      return Array.from({ length: log.lastIndex() }, (_, i) => log.term(i + 1));
    };
    expect(terms(3)).toEqual(terms(1));
    expect(terms(3).slice(0, 4)).toEqual([1, 1, 1, 3]);
    expect(c.appliedData(3)).toEqual(c.appliedData(1));
  });

  it('a lagging follower catches up after a partition heals (log matching)', () => {
    const c = new Cluster(3);
    c.elect(1);
    c.isolate(3);
    for (let i = 0; i < 20; i++) c.propose(1, `k${i}=${i}`);
    expect(c.appliedData(3)).toEqual([]);
    c.heal();
    c.tick(1, 1); // a heartbeat reveals the gap
    c.settle();
    expect(c.appliedData(3)).toEqual(c.appliedData(1));
    expect(c.appliedData(3)).toHaveLength(20);
  });

  it('bounds appends in flight to one follower (flow control)', () => {
    const c = new Cluster(3, { maxInflightMsgs: 4, maxMsgBytes: 1 });
    c.elect(1);
    // Proposals pile up while no answers come back from 2 and 3.
    c.filters.push((m) => !(m.type === 'MSG_APP_RESP'));
    for (let i = 0; i < 20; i++) c.get(1).node.propose(enc(`p${i}`));
    c.collect();
    const appsTo2 = c.queue.filter((m) => m.type === 'MSG_APP' && m.to === 2);
    expect(appsTo2.length).toBeLessThanOrEqual(4);
    c.heal();
    c.settle();
    for (let i = 0; i < 4; i++) { c.tick(1); c.settle(); }
    expect(c.appliedData(2)).toHaveLength(20);
  });
});

describe('§5.4 safety', () => {
  it('§5.4.1: a candidate whose log is behind is not elected', () => {
    const c = new Cluster(3, { preVote: false });
    c.elect(1);
    c.isolate(3);
    c.propose(1, 'a=1');
    c.heal();
    const r3 = c.get(3).node.raft;
    r3.hup(false);
    c.settle();
    expect(r3.role).not.toBe('leader');
    expect(c.leaders().map((n) => n.id)).not.toContain(3);
  });

  it('§5.4.2: an entry of an earlier term on a majority stays uncommitted until an entry of the current term is', () => {
    const storage = new MemoryStorage();
    storage.setConfState({ voters: [1, 2, 3], learners: [] });
    storage.append([entry(1, 1), entry(2, 1)]);
    storage.setHardState({ term: 1, vote: 0, commit: 0 });
    const r = new Raft({ id: 1, storage, rng: new SeededRng(1), preVote: false });
    r.hup(false);
    r.step(message({ type: 'MSG_VOTE_RESP', from: 2, to: 1, term: 2 }));
    expect(r.role).toBe('leader');
    // The driver makes the leader's empty entry (3@2) durable, as it would after a Ready.
    storage.append(r.log.unstable.entries);
    r.log.stableTo(3, 2);
    r.onPersisted(3, 2);
    // Follower 2 acknowledges index 2 (of term 1) only: no commit.
    r.step(message({ type: 'MSG_APP_RESP', from: 2, to: 1, term: 2, index: 2 }));
    expect(r.log.committed).toBe(0);
    // It acknowledges index 3 (the leader's entry of term 2): both commit.
    r.step(message({ type: 'MSG_APP_RESP', from: 2, to: 1, term: 2, index: 3 }));
    expect(r.log.committed).toBe(3);
  });

  it('leader completeness: every committed entry is in the logs of later leaders', () => {
    const c = new Cluster(5);
    c.elect(1);
    for (let i = 0; i < 5; i++) c.propose(1, `v${i}=${i}`);
    const committed = c.get(1).node.raft.log.committed;
    c.isolate(1);
    c.runUntil(() => c.leaders().some((n) => n.id !== 1));
    const [leader] = c.leaders().filter((n) => n.id !== 1);
    expect(leader).toBeDefined();
    for (let i = 1; i <= committed; i++) expect(leader?.node.raft.log.term(i)).toBe(c.get(1).node.raft.log.term(i));
  });
});

describe('leader writes in parallel with replication (thesis §10.2.1)', () => {
  it('the leader does not count its own entry toward a majority before it is durable', () => {
    const storage = new MemoryStorage();
    storage.setConfState({ voters: [1, 2, 3], learners: [] });
    const r = new Raft({ id: 1, storage, rng: new SeededRng(1), preVote: false });
    r.hup(false);
    r.step(message({ type: 'MSG_VOTE_RESP', from: 2, to: 1, term: 1 }));
    expect(r.role).toBe('leader');
    // Only follower 2 has the leader's entry 1@1 durable; the leader's own copy is not yet.
    r.step(message({ type: 'MSG_APP_RESP', from: 2, to: 1, term: 1, index: 1 }));
    expect(r.log.committed).toBe(0);
    storage.append(r.log.unstable.entries);
    r.log.stableTo(1, 1);
    r.onPersisted(1, 1);
    expect(r.log.committed).toBe(1);
  });
});

describe('pre-vote and check-quorum (thesis §9.6, §6.2)', () => {
  it('a partitioned server does not raise its term, so it does not disrupt the cluster when it returns', () => {
    const c = new Cluster(3);
    c.elect(1);
    const term = c.get(1).node.raft.term;
    c.isolate(3);
    c.tick(3, 100);
    c.settle();
    expect(c.get(3).node.raft.term).toBe(term);
    c.heal();
    c.tickAll(1);
    c.settle();
    expect(c.get(1).node.raft.role).toBe('leader');
    expect(c.get(1).node.raft.term).toBe(term);
  });

  it('a leader cut off from the majority steps down within two election timeouts', () => {
    const c = new Cluster(3);
    c.elect(1);
    c.isolate(1);
    const electionTicks = c.get(1).node.raft.electionTicks;
    c.tick(1, electionTicks - 1);
    expect(c.get(1).node.raft.role).toBe('leader');
    c.tick(1, electionTicks + 1);
    expect(c.get(1).node.raft.role).toBe('follower');
  });

  it('a follower that hears from its leader ignores a vote request of a higher term (leader lease)', () => {
    const c = new Cluster(3);
    c.elect(1);
    const r2 = c.get(2).node.raft;
    const term = r2.term;
    r2.step(message({ type: 'MSG_VOTE', from: 3, to: 2, term: term + 5, index: 100, logTerm: term + 4 }));
    expect(r2.term).toBe(term);
    expect(r2.msgs.filter((m) => m.type === 'MSG_VOTE_RESP')).toHaveLength(0);
  });
});

describe('§6 membership changes', () => {
  it('a learner catches up without counting toward a majority; promoted, it counts; a removed server leaves the quorum', () => {
    const c = new Cluster(3);
    c.elect(1);
    c.propose(1, 'before=1');
    // Server 4 starts empty, knowing nobody; the leader adds it as a learner.
    c.nodes.set(4, c.makeNode(4, []));
    c.get(1).node.proposeConfChange({ type: 'CONF_ADD_LEARNER', nodeId: 4, context: '' });
    c.settle();
    c.tick(1);
    c.settle();
    expect(c.get(1).confState).toEqual({ voters: [1, 2, 3], learners: [4] });
    expect(c.appliedData(4)).toEqual(['before=1']);
    expect(c.get(4).node.raft.promotable()).toBe(false);
    // Not counted: with the two other voters cut off, the leader and the learner commit nothing.
    c.isolate(2);
    c.isolate(3);
    c.propose(1, 'learner=1');
    expect(c.appliedData(1)).not.toContain('learner=1');
    c.heal();
    c.tick(1);
    c.settle();
    expect(c.appliedData(1)).toContain('learner=1');

    c.get(1).node.proposeConfChange({ type: 'CONF_ADD_VOTER', nodeId: 4, context: '' });
    c.settle();
    expect(c.get(1).confState.voters).toEqual([1, 2, 3, 4]);
    // With 4 voters, 3 are a majority: losing two servers stops commits.
    c.isolate(3);
    c.isolate(4);
    c.propose(1, 'stuck=1');
    expect(c.appliedData(1)).not.toContain('stuck=1');
    c.heal();
    c.tick(1);
    c.settle();
    expect(c.appliedData(4)).toContain('stuck=1');

    c.get(1).node.proposeConfChange({ type: 'CONF_REMOVE', nodeId: 3, context: '' });
    c.settle();
    expect(c.get(1).confState.voters).toEqual([1, 2, 4]);
    c.isolate(3);
    c.propose(1, 'after=1');
    expect(c.appliedData(2)).toContain('after=1');
  });

  it('refuses a second membership change while one is not applied yet', () => {
    const c = new Cluster(3);
    c.elect(1);
    c.isolate(2);
    c.isolate(3);
    c.get(1).node.proposeConfChange({ type: 'CONF_ADD_LEARNER', nodeId: 4, context: '' });
    expect(() => c.get(1).node.proposeConfChange({ type: 'CONF_ADD_LEARNER', nodeId: 5, context: '' })).toThrow(/one at a time/);
  });

  it('a removed leader steps down and the others elect one among themselves', () => {
    const c = new Cluster(3);
    c.elect(1);
    c.get(1).node.proposeConfChange({ type: 'CONF_REMOVE', nodeId: 1, context: '' });
    c.settle();
    expect(c.get(1).node.raft.role).toBe('follower');
    expect(c.get(2).confState.voters).toEqual([2, 3]);
    c.isolate(1);
    c.runUntil(() => c.leaders().length === 1);
    expect(c.leaders()[0]?.id).not.toBe(1);
  });
});

describe('§7 log compaction', () => {
  it('a follower behind the compacted log is sent a snapshot and then the rest', () => {
    const c = new Cluster(3);
    c.elect(1);
    c.isolate(3);
    for (let i = 0; i < 30; i++) c.propose(1, `k${i}=${i}`);
    c.get(1).snapshotAndCompact(5);
    expect(c.get(1).disk.storage.firstIndex()).toBeGreaterThan(2);
    c.heal();
    c.tick(1);
    c.settle();
    c.tick(1);
    c.settle();
    expect(c.get(3).restoredSnapshots.length).toBe(1);
    expect(c.get(3).kv).toEqual(c.get(1).kv);
    c.propose(1, 'after=1');
    expect(c.get(3).kv.get('after')).toBe('1');
  });

  it('a restarted server recovers its state from its snapshot and log', () => {
    const c = new Cluster(3);
    c.elect(1);
    for (let i = 0; i < 10; i++) c.propose(1, `k${i}=${i}`);
    c.get(2).snapshotAndCompact(2);
    for (let i = 10; i < 15; i++) c.propose(1, `k${i}=${i}`);
    const before = new Map(c.get(2).kv);
    const restarted = c.restart(2);
    // Its last commit index was held back from disk (as the WAL does): the leader's next
    // heartbeat tells it again.
    c.tickAll();
    c.settle();
    expect(restarted.restoredSnapshots).toEqual([]);
    expect(restarted.appliedIndex).toBe(c.get(1).appliedIndex);
    expect(restarted.kv).toEqual(before);
  });
});

describe('leadership transfer (thesis §3.10)', () => {
  it('hands leadership to an up-to-date follower at once', () => {
    const c = new Cluster(3);
    c.elect(1);
    c.propose(1, 'a=1');
    c.get(1).node.transferLeadership(2);
    c.settle();
    expect(c.get(2).node.raft.role).toBe('leader');
    expect(c.get(1).node.raft.role).toBe('follower');
  });

  it('catches a lagging target up first, and refuses proposals meanwhile', () => {
    const c = new Cluster(3);
    c.elect(1);
    c.isolate(3);
    c.propose(1, 'a=1');
    c.heal();
    c.get(1).node.transferLeadership(3);
    expect(() => c.get(1).node.propose(enc('b=2'))).toThrow(/transferred/);
    c.settle();
    expect(c.get(3).node.raft.role).toBe('leader');
    expect(c.appliedData(3)).toEqual(['a=1']);
  });
});

describe('read-index (thesis §6.4)', () => {
  it('a linearizable read on the leader waits for a heartbeat round and returns the commit index', () => {
    const c = new Cluster(3);
    c.elect(1);
    c.propose(1, 'a=1');
    const committed = c.get(1).node.raft.log.committed;
    c.get(1).node.readIndex(enc('r1'));
    expect(c.get(1).readStates).toHaveLength(0);
    c.settle();
    expect(c.get(1).readStates).toEqual([{ index: committed, context: enc('r1') }]);
  });

  it('a read on a follower is confirmed through the leader', () => {
    const c = new Cluster(3);
    c.elect(1);
    c.propose(1, 'a=1');
    c.get(2).node.readIndex(enc('r2'));
    c.settle();
    expect(c.get(2).readStates).toEqual([{ index: c.get(1).node.raft.log.committed, context: enc('r2') }]);
  });

  it('a leader cut off from the majority never confirms a read', () => {
    const c = new Cluster(3);
    c.elect(1);
    c.isolate(1);
    c.get(1).node.readIndex(enc('r3'));
    // Through three election timeouts, heartbeats going out and no answer coming back: the read
    // is never confirmed, while the leader still leads and after check-quorum deposes it.
    const r1 = c.get(1).node.raft;
    for (let t = 0; t < 3 * r1.electionTicks; t++) {
      c.tick(1);
      c.settle();
      expect(c.get(1).readStates, `tick ${t}`).toHaveLength(0);
    }
    expect(r1.role).not.toBe('leader');
  });
});
