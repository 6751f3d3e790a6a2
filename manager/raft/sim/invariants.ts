// Raft's safety properties (Figure 3 of the paper), checked against live servers after every
// simulated step. A violation is an InvariantViolation naming the property, the servers and the
// index, so that a failing seed says what broke.

import { createHash } from 'node:crypto';
import type { Entry, NodeId } from '../types.js';
import type { SimNode } from './node.js';

export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
}

interface CommittedEntry {
  readonly term: number;
  readonly data: string;
  readonly firstAppliedBy: NodeId;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export class SafetyChecker {
  /** Every entry any server applied, by index: applying means it was committed. */
  private readonly committed = new Map<number, CommittedEntry>();
  private readonly leaderOfTerm = new Map<number, NodeId>();
  /** Highest commit index seen per server incarnation, and per disk (persisted hard state). */
  private readonly commitSeen = new Map<SimNode, number>();
  private readonly persistedCommitSeen = new Map<NodeId, number>();
  /** The last index each server incarnation applied, to check order. */
  private readonly lastApplied = new Map<SimNode, number>();

  /** A digest of the state machine's snapshot at each applied index, and the first server seen there. */
  private readonly stateAt = new Map<number, { readonly digest: string; readonly node: NodeId }>();

  /**
   * Hook for SimNode.onApplied. Replica equality: servers that applied the same index hold the
   * same state (the state machine's snapshot, byte for byte: the store's is canonical).
   */
  onApplied = (node: SimNode): void => {
    const digest = createHash('sha256').update(node.sm.snapshot()).digest('hex');
    const seen = this.stateAt.get(node.appliedIndex);
    if (seen === undefined) this.stateAt.set(node.appliedIndex, { digest, node: node.id });
    else if (seen.digest !== digest) throw new InvariantViolation(`replica equality: nodes ${seen.node} and ${node.id} applied up to index ${node.appliedIndex} but hold different ${node.sm.name === 'store' ? 'stores' : 'states'}`);
  };

  /** For each client write that took effect (session:seq), the index of the entry it took effect at. */
  private readonly effectiveAt = new Map<string, number>();

  /**
   * Hook for SimNode.onEffect. Exactly-once: a client's write takes effect at one index of the
   * log only, however many copies of it were appended (retries, duplicated messages). A server
   * replaying its log after a restart applies it at the same index again, which is fine.
   */
  onEffect = (node: SimNode, stamp: string, index: number): void => {
    const at = this.effectiveAt.get(stamp);
    if (at === undefined) this.effectiveAt.set(stamp, index);
    else if (at !== index) throw new InvariantViolation(`exactly-once: node ${node.id} applied client write ${stamp} at ${index}, which already took effect at ${at}`);
  };

  /** Hook for SimNode.onApply. State machine safety: all servers apply the same entry at an index. */
  onApply = (node: SimNode, e: Entry): void => {
    const prev = this.lastApplied.get(node);
    if (prev !== undefined && e.index <= prev) {
      throw new InvariantViolation(`state machine safety: node ${node.id} applied ${e.index} again after ${prev}`);
    }
    if (prev !== undefined && e.index !== prev + 1) {
      // A jump is fine only over a snapshot the server restored.
      if (!node.restoredSnapshots.includes(e.index - 1)) {
        throw new InvariantViolation(`state machine safety: node ${node.id} applied ${e.index} after ${prev} (a gap)`);
      }
    }
    this.lastApplied.set(node, e.index);
    const seen = this.committed.get(e.index);
    const data = hex(e.data);
    if (seen === undefined) {
      this.committed.set(e.index, { term: e.term, data, firstAppliedBy: node.id });
    } else if (seen.term !== e.term || seen.data !== data) {
      throw new InvariantViolation(
        `state machine safety: index ${e.index} applied as term ${seen.term} by node ${seen.firstAppliedBy} but as term ${e.term} by node ${node.id}`,
      );
    }
  };

  /** Forget per-incarnation state of a server that crashed. */
  forget(node: SimNode): void {
    this.commitSeen.delete(node);
    this.lastApplied.delete(node);
  }

  check(nodes: readonly SimNode[], checkLogMatching: boolean): void {
    for (const n of nodes) {
      const r = n.node.raft;
      // Election safety: at most one leader per term.
      if (r.role === 'leader') {
        const other = this.leaderOfTerm.get(r.term);
        if (other !== undefined && other !== n.id) throw new InvariantViolation(`election safety: nodes ${other} and ${n.id} both lead term ${r.term}`);
        this.leaderOfTerm.set(r.term, n.id);
        this.checkLeaderCompleteness(n);
      }
      // Monotonic commit, per incarnation and on disk.
      const commit = r.log.committed;
      const before = this.commitSeen.get(n) ?? 0;
      if (commit < before) throw new InvariantViolation(`monotonic commit: node ${n.id} commit went from ${before} to ${commit}`);
      this.commitSeen.set(n, commit);
      const persisted = n.disk.storage.initialState().hardState.commit;
      const persistedBefore = this.persistedCommitSeen.get(n.id) ?? 0;
      if (persisted < persistedBefore) {
        throw new InvariantViolation(`monotonic commit: node ${n.id} persisted commit went from ${persistedBefore} to ${persisted}`);
      }
      this.persistedCommitSeen.set(n.id, persisted);
    }
    if (checkLogMatching) this.checkLogMatching(nodes);
  }

  /** Leader completeness: a leader of term T holds every entry committed in an earlier term. */
  private checkLeaderCompleteness(leader: SimNode): void {
    const log = leader.node.raft.log;
    const firstHeld = log.firstIndex();
    for (const [index, c] of this.committed) {
      if (c.term >= leader.node.raft.term || index < firstHeld) continue;
      const t = log.tryTerm(index);
      if (t !== c.term) {
        throw new InvariantViolation(
          `leader completeness: node ${leader.id} leads term ${leader.node.raft.term} but holds ${String(t)} at index ${index}, committed as term ${c.term}`,
        );
      }
    }
  }

  /** Log matching: if two logs hold an entry with the same index and term, all before it match. */
  private checkLogMatching(nodes: readonly SimNode[]): void {
    for (let a = 0; a < nodes.length; a++) {
      for (let b = a + 1; b < nodes.length; b++) {
        const la = (nodes[a] as SimNode).node.raft.log;
        const lb = (nodes[b] as SimNode).node.raft.log;
        const lo = Math.max(la.firstIndex(), lb.firstIndex());
        const hi = Math.min(la.lastIndex(), lb.lastIndex());
        let matched = false;
        for (let i = hi; i >= lo; i--) {
          const same = la.tryTerm(i) === lb.tryTerm(i);
          if (matched && !same) {
            throw new InvariantViolation(`log matching: nodes ${(nodes[a] as SimNode).id} and ${(nodes[b] as SimNode).id} agree above index ${i} but not at it`);
          }
          if (same) matched = true;
        }
      }
    }
  }

  get committedCount(): number {
    return this.committed.size;
  }

  get termsWithLeader(): number {
    return this.leaderOfTerm.size;
  }
}
