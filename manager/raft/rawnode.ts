// RawNode: the core's whole surface for a driver. The driver's loop is
//   tick() on a timer; step() for each message received; propose()/readIndex() for clients;
//   when hasReady(): rd = ready(); persist rd.hardState + rd.entries + rd.snapshot (fsync if
//   rd.mustSync); then send rd.messages; then apply rd.committedEntries; then advance(rd).
// Nothing is durable unless the driver wrote it before sending the messages that depend on it.

import { ShoalError, assert } from '../../shared/errors.js';
import { encodeConfChange, type ConfChange } from './membership.js';
import { Raft, proposalDropped, type RaftConfig, type Role } from './raft.js';
import type { ReadState } from './read-only.js';
import { EMPTY, NONE, message, type ConfState, type Entry, type HardState, type Message, type NodeId, type Snapshot } from './types.js';

export interface SoftState {
  readonly lead: NodeId;
  readonly role: Role;
}

export interface Ready {
  /** Set when leader or role changed since the last Ready. */
  readonly softState?: SoftState;
  /** Set when term, vote or commit changed: persist it. */
  readonly hardState?: HardState;
  /** New entries to persist, in order (may replace a persisted tail from their first index). */
  readonly entries: readonly Entry[];
  /** A snapshot received from the leader: persist it and restore the state machine from it. */
  readonly snapshot?: Snapshot;
  /** Entries committed and durable: apply them in order. */
  readonly committedEntries: readonly Entry[];
  /** Send after persisting. */
  readonly messages: readonly Message[];
  /** Linearizable reads that may be served once `index` is applied. */
  readonly readStates: readonly ReadState[];
  /** Whether the write must be fsync'd (term, vote or entries changed). */
  readonly mustSync: boolean;
}

export interface Status {
  readonly id: NodeId;
  readonly term: number;
  readonly vote: NodeId;
  readonly lead: NodeId;
  readonly role: Role;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly confState: ConfState;
  /** Leader only: each member's matched index and state. */
  readonly progress: ReadonlyMap<NodeId, { match: number; next: number; state: string }>;
}

export class RawNode {
  readonly raft: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;

  constructor(config: RaftConfig) {
    this.raft = new Raft(config);
    this.prevSoft = { lead: this.raft.lead, role: this.raft.role };
    this.prevHard = this.raft.hardState();
  }

  /**
   * Starts a brand-new cluster: writes the first membership into the log as committed conf
   * change entries 1..n of term 1, so that every server that later replays the log (a new
   * member catching up from index 1) learns the same membership. Refused on a server whose
   * storage already holds anything.
   */
  bootstrap(voters: readonly { id: NodeId; context: string }[]): void {
    const r = this.raft;
    if (r.log.lastIndex() !== 0 || r.term !== 0) {
      throw new ShoalError('failed_precondition', 'raft.already_bootstrapped', 'cannot bootstrap: this server already has a log');
    }
    if (voters.length === 0) throw new ShoalError('invalid_argument', 'raft.no_voters', 'cannot bootstrap a cluster without voters');
    r.becomeFollower(1, NONE);
    const entries: Entry[] = voters.map((v, i) => ({
      term: 1,
      index: i + 1,
      type: 'ENTRY_CONF_CHANGE',
      data: encodeConfChange({ type: 'CONF_ADD_VOTER', nodeId: v.id, context: v.context }),
    }));
    r.log.append(entries);
    r.log.committed = entries.length;
    // In force at once, so the server can campaign; applying the entries again later is a no-op.
    for (const v of voters) r.applyConfChange({ type: 'CONF_ADD_VOTER', nodeId: v.id, context: v.context });
  }

  tick(): void {
    this.raft.tick();
  }

  /** Starts an election now (tests; a first server of a new cluster). */
  campaign(): void {
    this.raft.hup(false);
  }

  /** A message from a peer. Local-only message types are refused. */
  step(m: Message): void {
    assert(m.type !== 'MSG_PROP' || m.from !== NONE, 'raft: proposals from peers must name their sender');
    try {
      this.raft.step(m);
    } catch (err) {
      // A proposal forwarded by a follower that cannot be taken here is dropped; the follower's
      // client finds out by its deadline, as with a lost message.
      if (m.type === 'MSG_PROP' && m.from !== this.raft.id && err instanceof ShoalError && err.code === 'raft.proposal_dropped') return;
      throw err;
    }
  }

  /** Proposes data to append; throws a proposal_dropped ShoalError when it cannot be taken. */
  propose(data: Uint8Array): void {
    this.proposeMany([data]);
  }

  /** Several commands as one proposal: one append to the log, one message to each follower. */
  proposeMany(datas: readonly Uint8Array[]): void {
    this.raft.step(message({ type: 'MSG_PROP', to: NONE, from: this.raft.id, entries: datas.map((data) => ({ term: 0, index: 0, type: 'ENTRY_NORMAL' as const, data })) }));
  }

  /** Whether a proposal has somewhere to go now: this server leads, or knows who does. */
  get leaderKnown(): boolean {
    return this.raft.role === 'leader' || (this.raft.role === 'follower' && this.raft.lead !== NONE);
  }

  proposeConfChange(cc: ConfChange): void {
    this.raft.step(
      message({ type: 'MSG_PROP', to: NONE, from: this.raft.id, entries: [{ term: 0, index: 0, type: 'ENTRY_CONF_CHANGE', data: encodeConfChange(cc) }] }),
    );
  }

  /** Applies a committed conf change entry's change; call it when applying that entry. */
  applyConfChange(cc: ConfChange): ConfState {
    return this.raft.applyConfChange(cc);
  }

  /** Asks for a linearizable read; its ReadState comes in a later Ready with the same context. */
  readIndex(context: Uint8Array): void {
    if (this.raft.role !== 'leader' && this.raft.lead === NONE) throw proposalDropped('no leader known to confirm the read');
    this.raft.step(message({ type: 'MSG_READ_INDEX', to: NONE, from: this.raft.id, context }));
  }

  transferLeadership(to: NodeId): void {
    this.raft.step(message({ type: 'MSG_TRANSFER_LEADER', to: NONE, from: to, context: EMPTY }));
  }

  reportUnreachable(id: NodeId): void {
    this.raft.reportUnreachable(id);
  }

  reportSnapshot(id: NodeId, ok: boolean): void {
    this.raft.reportSnapshot(id, ok);
  }

  hasReady(): boolean {
    const r = this.raft;
    if (r.lead !== this.prevSoft.lead || r.role !== this.prevSoft.role) return true;
    if (!hardStateEqual(r.hardState(), this.prevHard)) return true;
    if (r.log.unstable.snapshot !== undefined) return true;
    if (r.msgs.length > 0 || r.readStates.length > 0 || r.log.unstable.entries.length > 0) return true;
    return r.log.hasNextCommittedEntries();
  }

  ready(): Ready {
    const r = this.raft;
    const soft: SoftState = { lead: r.lead, role: r.role };
    const hard = r.hardState();
    const entries = r.log.unstable.entries.slice();
    const committedEntries = r.log.nextCommittedEntries();
    r.reduceUncommitted(committedEntries);
    const hardChanged = !hardStateEqual(hard, this.prevHard);
    const rd: Ready = {
      ...(soft.lead !== this.prevSoft.lead || soft.role !== this.prevSoft.role ? { softState: soft } : {}),
      ...(hardChanged ? { hardState: hard } : {}),
      entries,
      ...(r.log.unstable.snapshot !== undefined ? { snapshot: r.log.unstable.snapshot } : {}),
      committedEntries,
      messages: r.msgs,
      readStates: r.readStates,
      mustSync: entries.length > 0 || hard.term !== this.prevHard.term || hard.vote !== this.prevHard.vote,
    };
    r.msgs = [];
    r.readStates = [];
    this.prevSoft = soft;
    this.prevHard = hard;
    return rd;
  }

  /** The driver persisted, sent and applied everything in `rd`. */
  advance(rd: Ready): void {
    const log = this.raft.log;
    if (rd.snapshot !== undefined) {
      log.stableSnapTo(rd.snapshot.meta.index);
      log.appliedTo(rd.snapshot.meta.index);
    }
    const last = rd.entries[rd.entries.length - 1];
    if (last !== undefined) {
      log.stableTo(last.index, last.term);
      this.raft.onPersisted(last.index, last.term);
    }
    const applied = rd.committedEntries[rd.committedEntries.length - 1];
    if (applied !== undefined) log.appliedTo(applied.index);
  }

  status(): Status {
    const r = this.raft;
    const progress = new Map<NodeId, { match: number; next: number; state: string }>();
    if (r.role === 'leader') for (const [id, pr] of r.prs) progress.set(id, { match: pr.match, next: pr.next, state: pr.state });
    return {
      id: r.id,
      term: r.term,
      vote: r.vote,
      lead: r.lead,
      role: r.role,
      commit: r.log.committed,
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      confState: r.membership.confState(),
      progress,
    };
  }
}

/**
 * Messages a driver may send before persisting the Ready that holds them: the leader's appends,
 * heartbeats, snapshots and transfer orders. They promise nothing about the leader's disk (its
 * term was durable before it asked for votes, and the commit index they carry counts only
 * entries already durable on the leader). Every other message — votes, acknowledgements —
 * must wait until the Ready is persisted.
 */
export function sendableBeforePersist(m: Message): boolean {
  return m.type === 'MSG_APP' || m.type === 'MSG_HEARTBEAT' || m.type === 'MSG_SNAP' || m.type === 'MSG_TIMEOUT_NOW';
}

function hardStateEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}
