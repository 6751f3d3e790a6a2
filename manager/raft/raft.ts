// The Raft state machine of one server: pure, deterministic. It reads its stable log through
// LogStorage, takes time as tick() calls, randomness from an injected Rng, and puts everything
// it wants done (messages to send, entries to persist, entries to apply) into fields that
// RawNode hands out as a Ready. It never touches a clock, a disk or a socket.
//
// Roles and moves:
//   follower ──(election timeout, pre-vote on)──▶ pre-candidate ──(pre-votes of a majority)──▶ candidate
//   follower ──(election timeout, pre-vote off; or MSG_TIMEOUT_NOW)──▶ candidate
//   candidate ──(votes of a majority)──▶ leader
//   any ──(a message of a higher term, or a leader of this term)──▶ follower
//   leader ──(check-quorum: no majority heard for an election timeout)──▶ follower

import { ShoalError, assert } from '../../shared/errors.js';
import { intBetween, type Rng } from '../../shared/rng.js';
import { RaftLog } from './log.js';
import { Membership, decodeConfChange, type ConfChange } from './membership.js';
import { Progress } from './progress.js';
import { committedIndex, quorumActive, voteResult } from './quorum.js';
import { ReadOnly, type ReadState } from './read-only.js';
import type { LogStorage } from './storage.js';
import {
  CAMPAIGN_TRANSFER,
  EMPTY,
  NONE,
  bytesEqual,
  entryBytes,
  isEmptySnapshot,
  message,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type MessageType,
  type NodeId,
  type Snapshot,
} from './types.js';

export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

export interface RaftConfig {
  readonly id: NodeId;
  readonly storage: LogStorage;
  readonly rng: Rng;
  /** Ticks without a leader before a follower campaigns; randomized in [n, 2n). */
  readonly electionTicks?: number;
  /** Ticks between a leader's heartbeats; must be less than electionTicks. */
  readonly heartbeatTicks?: number;
  /** The index the state machine has applied already (on restart). */
  readonly applied?: number;
  /** Bytes of entries in one append message, at most (one entry always goes). */
  readonly maxMsgBytes?: number;
  /** Appends in flight to one follower in replicate state, at most. */
  readonly maxInflightMsgs?: number;
  /** Bytes of committed entries handed out to apply in one Ready, at most. */
  readonly maxApplyBytes?: number;
  /** Bytes of proposed entries not yet committed, at most; more proposals are dropped. */
  readonly maxUncommittedBytes?: number;
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
}

export const RAFT_DEFAULTS = {
  electionTicks: 10,
  heartbeatTicks: 1,
  maxMsgBytes: 1024 * 1024,
  maxInflightMsgs: 256,
  maxApplyBytes: 64 * 1024 * 1024,
  maxUncommittedBytes: 64 * 1024 * 1024,
  preVote: true,
  checkQuorum: true,
} as const;

/** A proposal the core could not take: there is no leader, a transfer is under way, or too much is pending. */
export function proposalDropped(reason: string): ShoalError {
  return new ShoalError('unavailable', 'raft.proposal_dropped', `proposal dropped: ${reason}`, { fields: { reason } });
}

export class Raft {
  readonly id: NodeId;
  term = 0;
  vote: NodeId = NONE;
  lead: NodeId = NONE;
  role: Role = 'follower';
  readonly log: RaftLog;
  membership: Membership;
  readonly prs = new Map<NodeId, Progress>();
  private readonly votes = new Map<NodeId, boolean>();

  /** Outbox: handed to the driver by the next Ready. */
  msgs: Message[] = [];
  readStates: ReadState[] = [];

  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  leadTransferee: NodeId = NONE;
  /** Index of the last conf change proposed; none newer may be proposed until it is applied. */
  private pendingConfIndex = 0;
  private uncommittedBytes = 0;
  private readOnly = new ReadOnly();
  /** Read requests that arrived before the leader committed an entry of its term. */
  private pendingReads: Message[] = [];

  private readonly rng: Rng;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  private readonly maxMsgBytes: number;
  private readonly maxInflight: number;
  private readonly maxUncommittedBytes: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;

  constructor(config: RaftConfig) {
    assert(config.id !== NONE, 'raft: id must not be 0');
    this.id = config.id;
    this.rng = config.rng;
    this.electionTicks = config.electionTicks ?? RAFT_DEFAULTS.electionTicks;
    this.heartbeatTicks = config.heartbeatTicks ?? RAFT_DEFAULTS.heartbeatTicks;
    assert(this.heartbeatTicks > 0 && this.electionTicks > this.heartbeatTicks, 'raft: need 0 < heartbeatTicks < electionTicks');
    this.maxMsgBytes = config.maxMsgBytes ?? RAFT_DEFAULTS.maxMsgBytes;
    this.maxInflight = config.maxInflightMsgs ?? RAFT_DEFAULTS.maxInflightMsgs;
    this.maxUncommittedBytes = config.maxUncommittedBytes ?? RAFT_DEFAULTS.maxUncommittedBytes;
    this.preVote = config.preVote ?? RAFT_DEFAULTS.preVote;
    this.checkQuorum = config.checkQuorum ?? RAFT_DEFAULTS.checkQuorum;
    this.log = new RaftLog(config.storage, config.maxApplyBytes ?? RAFT_DEFAULTS.maxApplyBytes);

    const { hardState, confState } = config.storage.initialState();
    this.membership = new Membership(confState);
    this.resetProgress();
    if (hardState.term !== 0 || hardState.vote !== NONE || hardState.commit !== 0) this.loadHardState(hardState);
    if (config.applied !== undefined && config.applied > 0) this.log.appliedTo(config.applied);
    this.becomeFollower(this.term, NONE);
  }

  // ---- state shown to the driver ----

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  private loadHardState(hs: HardState): void {
    assert(
      hs.commit >= this.log.committed && hs.commit <= this.log.lastIndex(),
      `hard state commit ${hs.commit} outside [${this.log.committed}, ${this.log.lastIndex()}]: the log is corrupt or truncated`,
    );
    this.log.committed = hs.commit;
    this.term = hs.term;
    this.vote = hs.vote;
  }

  /** May this server become leader? Only a voter that is not behind a pending snapshot. */
  promotable(): boolean {
    return this.membership.isVoter(this.id) && this.log.unstable.snapshot === undefined;
  }

  // ---- role changes ----

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = intBetween(this.rng, this.electionTicks, 2 * this.electionTicks - 1);
    this.leadTransferee = NONE;
    this.votes.clear();
    this.resetProgress();
    this.pendingConfIndex = 0;
    this.uncommittedBytes = 0;
    this.readOnly = new ReadOnly();
    this.pendingReads = [];
  }

  private resetProgress(): void {
    this.prs.clear();
    const last = this.log.lastIndex();
    for (const id of this.membership.members()) {
      const pr = new Progress(last + 1, this.maxInflight, !this.membership.isVoter(id));
      // The leader counts its own entries toward commit only once they are durable.
      if (id === this.id) pr.match = this.lastStableIndex();
      this.prs.set(id, pr);
    }
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.reset(term);
    this.lead = lead;
    this.role = 'follower';
  }

  private becomePreCandidate(): void {
    assert(this.role !== 'leader', 'raft: leader cannot become pre-candidate');
    // Pre-vote changes neither term nor vote: a partitioned server cannot disrupt the cluster.
    this.votes.clear();
    this.lead = NONE;
    this.role = 'pre-candidate';
  }

  private becomeCandidate(): void {
    assert(this.role !== 'leader', 'raft: leader cannot become candidate');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  private becomeLeader(): void {
    assert(this.role === 'candidate', 'raft: only a candidate becomes leader');
    this.reset(this.term);
    this.lead = this.id;
    this.role = 'leader';
    const self = this.prs.get(this.id);
    self?.becomeReplicate();
    // Conf changes in the log but not applied yet: wait for them before allowing another.
    this.pendingConfIndex = this.log.lastIndex();
    // An entry of the new term: committing it commits everything before it (§5.4.2).
    this.appendEntries([{ term: 0, index: 0, type: 'ENTRY_NORMAL', data: EMPTY }]);
  }

  // ---- time ----

  tick(): void {
    if (this.role === 'leader') this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(false);
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTicks) {
      this.electionElapsed = 0;
      if (this.checkQuorum) {
        const active = quorumActive(this.membership.votersList(), (id) => id === this.id || this.prs.get(id)?.recentActive === true);
        for (const [id, pr] of this.prs) if (id !== this.id) pr.recentActive = false;
        if (!active) {
          this.becomeFollower(this.term, NONE);
          return;
        }
      }
      // A transfer that did not finish within an election timeout is abandoned.
      this.leadTransferee = NONE;
    }
    if (this.role !== 'leader') return;
    if (this.heartbeatElapsed >= this.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.broadcastHeartbeat(this.readOnly.lastPendingContext());
    }
  }

  /** Starts an election now (as on an election timeout). `transfer` skips pre-vote and leases. */
  hup(transfer: boolean): void {
    if (this.role === 'leader' || !this.promotable()) return;
    // A conf change committed but not applied might change who votes: wait for it.
    const pending = this.log.slice(this.log.applied + 1, this.log.committed + 1, Number.MAX_SAFE_INTEGER);
    if (pending !== 'compacted' && pending.some((e) => e.type === 'ENTRY_CONF_CHANGE')) return;
    if (this.preVote && !transfer) this.campaign('pre-vote');
    else this.campaign(transfer ? 'transfer' : 'election');
  }

  private campaign(kind: 'pre-vote' | 'election' | 'transfer'): void {
    let voteType: MessageType;
    let term: number;
    if (kind === 'pre-vote') {
      this.becomePreCandidate();
      voteType = 'MSG_PRE_VOTE';
      term = this.term + 1; // the term it would campaign in; not taken yet
    } else {
      this.becomeCandidate();
      voteType = 'MSG_VOTE';
      term = this.term;
    }
    this.votes.set(this.id, true);
    if (this.tallyAndAct() !== 'pending') return;
    for (const id of this.membership.votersList()) {
      if (id === this.id) continue;
      this.send(
        message({
          type: voteType,
          to: id,
          from: this.id,
          term,
          index: this.log.lastIndex(),
          logTerm: this.log.lastTerm(),
          context: kind === 'transfer' ? CAMPAIGN_TRANSFER : EMPTY,
        }),
      );
    }
  }

  /** Counts votes; wins or loses the (pre-)election when it is decided. */
  private tallyAndAct(): 'won' | 'lost' | 'pending' {
    const result = voteResult(this.membership.votersList(), this.votes);
    if (result === 'won') {
      if (this.role === 'pre-candidate') this.campaign('election');
      else this.becomeLeader();
      if (this.role === 'leader') this.broadcastAppend();
    } else if (result === 'lost') {
      this.becomeFollower(this.term, NONE);
    }
    return result;
  }

  // ---- messages in ----

  step(m: Message): void {
    if (m.term > this.term) {
      if (m.type === 'MSG_VOTE' || m.type === 'MSG_PRE_VOTE') {
        const force = bytesEqual(m.context, CAMPAIGN_TRANSFER);
        const inLease = this.checkQuorum && this.lead !== NONE && this.electionElapsed < this.electionTicks;
        // A server that heard from a leader within the election timeout ignores campaigns: a
        // rejoining server with a higher term cannot depose a healthy leader.
        if (!force && inLease) return;
      }
      if (m.type === 'MSG_PRE_VOTE') {
        // Never change term on a pre-vote.
      } else if (m.type === 'MSG_PRE_VOTE_RESP' && !m.reject) {
        // A granted pre-vote carries the future term; the campaign itself will take it.
      } else if (m.type === 'MSG_APP' || m.type === 'MSG_HEARTBEAT' || m.type === 'MSG_SNAP') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, NONE);
      }
    } else if (m.term !== 0 && m.term < this.term) {
      if ((this.checkQuorum || this.preVote) && (m.type === 'MSG_HEARTBEAT' || m.type === 'MSG_APP')) {
        // A leader of an older term, maybe cut off and back: tell it our term so it steps down.
        this.send(message({ type: 'MSG_APP_RESP', to: m.from, from: this.id, term: this.term }));
      } else if (m.type === 'MSG_PRE_VOTE') {
        this.send(message({ type: 'MSG_PRE_VOTE_RESP', to: m.from, from: this.id, term: this.term, reject: true }));
      }
      return;
    }

    if (m.type === 'MSG_VOTE' || m.type === 'MSG_PRE_VOTE') {
      this.handleVoteRequest(m);
      return;
    }
    switch (this.role) {
      case 'leader':
        this.stepLeader(m);
        break;
      case 'candidate':
      case 'pre-candidate':
        this.stepCandidate(m);
        break;
      case 'follower':
        this.stepFollower(m);
        break;
    }
  }

  private handleVoteRequest(m: Message): void {
    const canVote =
      this.vote === m.from ||
      (this.vote === NONE && this.lead === NONE) ||
      (m.type === 'MSG_PRE_VOTE' && m.term > this.term);
    const respType: MessageType = m.type === 'MSG_VOTE' ? 'MSG_VOTE_RESP' : 'MSG_PRE_VOTE_RESP';
    if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
      // A granted pre-vote answers with the requested term, so the candidate counts it.
      this.send(message({ type: respType, to: m.from, from: this.id, term: m.term }));
      if (m.type === 'MSG_VOTE') {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send(message({ type: respType, to: m.from, from: this.id, term: this.term, reject: true }));
    }
  }

  private stepLeader(m: Message): void {
    switch (m.type) {
      case 'MSG_PROP':
        this.leaderPropose(m.entries);
        return;
      case 'MSG_READ_INDEX':
        this.leaderReadIndex(m);
        return;
      case 'MSG_TRANSFER_LEADER':
        this.leaderTransfer(m.from);
        return;
      default:
        break;
    }
    const pr = this.prs.get(m.from);
    if (pr === undefined) return;
    switch (m.type) {
      case 'MSG_APP_RESP':
        this.handleAppendResponse(m, pr);
        break;
      case 'MSG_HEARTBEAT_RESP':
        this.handleHeartbeatResponse(m, pr);
        break;
      default:
        break;
    }
  }

  private handleAppendResponse(m: Message, pr: Progress): void {
    pr.recentActive = true;
    if (m.reject) {
      // The follower's log does not match at m.index; m.rejectHint/m.logTerm say where it may.
      let hint = m.rejectHint;
      if (m.logTerm > 0) hint = this.log.findConflictByTerm(m.rejectHint, m.logTerm).index;
      if (pr.maybeDecrTo(m.index, hint)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.sendAppend(m.from);
      }
      return;
    }
    const wasPaused = pr.isPaused();
    if (!pr.maybeUpdate(m.index)) return;
    if (pr.state === 'probe') pr.becomeReplicate();
    else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) {
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === 'replicate') pr.inflights.freeLE(m.index);

    if (this.maybeCommit()) this.broadcastAppend();
    else if (wasPaused) this.sendAppend(m.from);
    // Keep the window full while there is more to send.
    while (pr.state === 'replicate' && this.sendAppend(m.from, false)) {
      /* sendAppend made progress */
    }
    if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) this.sendTimeoutNow(m.from);
  }

  private handleHeartbeatResponse(m: Message, pr: Progress): void {
    pr.recentActive = true;
    pr.probeSent = false;
    if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
    if (pr.match < this.log.lastIndex()) this.sendAppend(m.from);
    if (m.context.length === 0) return;
    const acks = this.readOnly.ack(m.from, m.context);
    if (acks === undefined) return;
    acks.add(this.id);
    if (voteResult(this.membership.votersList(), new Map([...acks].map((id) => [id, true]))) !== 'won') return;
    for (const done of this.readOnly.advance(m.context)) this.answerRead(done.request, done.index);
  }

  private answerRead(request: Message, index: number): void {
    if (request.from === NONE || request.from === this.id) this.readStates.push({ index, context: request.context });
    else this.send(message({ type: 'MSG_READ_INDEX_RESP', to: request.from, from: this.id, term: this.term, index, context: request.context }));
  }

  private leaderPropose(entries: readonly Entry[]): void {
    assert(entries.length > 0, 'raft: empty proposal');
    if (!this.prs.has(this.id)) throw proposalDropped('this server was removed from the cluster');
    if (this.leadTransferee !== NONE) throw proposalDropped(`leadership is being transferred to ${this.leadTransferee}`);
    const bytes = entries.reduce((n, e) => n + entryBytes(e), 0);
    if (this.uncommittedBytes > 0 && this.uncommittedBytes + bytes > this.maxUncommittedBytes) {
      throw proposalDropped(`too much uncommitted (${this.uncommittedBytes} bytes pending, limit ${this.maxUncommittedBytes})`);
    }
    const accepted = entries.map((e) => {
      if (e.type !== 'ENTRY_CONF_CHANGE') return e;
      if (this.pendingConfIndex > this.log.applied) {
        throw proposalDropped('a membership change is already in progress; one at a time');
      }
      this.pendingConfIndex = this.log.lastIndex() + 1;
      return e;
    });
    this.uncommittedBytes += bytes;
    this.appendEntries(accepted);
    this.broadcastAppend();
  }

  private leaderReadIndex(m: Message): void {
    if (this.membership.voters.size <= 1) {
      this.answerRead(m, this.log.committed);
      return;
    }
    // Until an entry of this term is committed, the leader's commit index may be behind.
    if (this.log.term(this.log.committed) !== this.term) {
      this.pendingReads.push(m);
      return;
    }
    this.readOnly.add(this.log.committed, m);
    this.broadcastHeartbeat(m.context);
  }

  private leaderTransfer(target: NodeId): void {
    const pr = this.prs.get(target);
    if (pr === undefined || pr.isLearner || target === this.id) return;
    if (this.leadTransferee === target) return;
    this.leadTransferee = target;
    this.electionElapsed = 0;
    if (pr.match === this.log.lastIndex()) this.sendTimeoutNow(target);
    else this.sendAppend(target);
  }

  private sendTimeoutNow(to: NodeId): void {
    this.send(message({ type: 'MSG_TIMEOUT_NOW', to, from: this.id, term: this.term }));
  }

  private stepCandidate(m: Message): void {
    const myResp: MessageType = this.role === 'pre-candidate' ? 'MSG_PRE_VOTE_RESP' : 'MSG_VOTE_RESP';
    switch (m.type) {
      case 'MSG_PROP':
        throw proposalDropped('no leader (election under way)');
      case 'MSG_APP':
      case 'MSG_HEARTBEAT':
      case 'MSG_SNAP':
        // A leader of this term exists: the election is lost.
        this.becomeFollower(m.term, m.from);
        this.handleFromLeader(m);
        break;
      case myResp:
        this.votes.set(m.from, !m.reject);
        this.tallyAndAct();
        break;
      default:
        break;
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'MSG_PROP':
        if (this.lead === NONE) throw proposalDropped('no leader known');
        this.send({ ...m, to: this.lead, from: this.id, term: 0 });
        break;
      case 'MSG_APP':
      case 'MSG_HEARTBEAT':
      case 'MSG_SNAP':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleFromLeader(m);
        break;
      case 'MSG_TRANSFER_LEADER':
        if (this.lead !== NONE) this.send({ ...m, to: this.lead, term: 0 });
        break;
      case 'MSG_TIMEOUT_NOW':
        this.hup(true);
        break;
      case 'MSG_READ_INDEX':
        if (this.lead !== NONE) this.send({ ...m, to: this.lead, from: this.id, term: 0 });
        break;
      case 'MSG_READ_INDEX_RESP':
        this.readStates.push({ index: m.index, context: m.context });
        break;
      default:
        break;
    }
  }

  // ---- follower handlers ----

  private handleFromLeader(m: Message): void {
    if (m.type === 'MSG_APP') this.handleAppend(m);
    else if (m.type === 'MSG_HEARTBEAT') this.handleHeartbeat(m);
    else this.handleSnapshot(m);
  }

  private handleAppend(m: Message): void {
    if (m.index < this.log.committed) {
      this.send(message({ type: 'MSG_APP_RESP', to: m.from, from: this.id, term: this.term, index: this.log.committed }));
      return;
    }
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew !== undefined) {
      this.send(message({ type: 'MSG_APP_RESP', to: m.from, from: this.id, term: this.term, index: lastNew }));
      return;
    }
    // Reject, with a hint: the last index whose term is ≤ the leader's term at m.index.
    const hint = this.log.findConflictByTerm(Math.min(m.index, this.log.lastIndex()), m.logTerm);
    this.send(
      message({ type: 'MSG_APP_RESP', to: m.from, from: this.id, term: this.term, index: m.index, reject: true, rejectHint: hint.index, logTerm: hint.term }),
    );
  }

  private handleHeartbeat(m: Message): void {
    this.log.commitTo(Math.min(m.commit, this.log.lastIndex()));
    this.send(message({ type: 'MSG_HEARTBEAT_RESP', to: m.from, from: this.id, term: this.term, context: m.context }));
  }

  private handleSnapshot(m: Message): void {
    const snap = m.snapshot;
    if (snap !== undefined && this.restore(snap)) {
      this.send(message({ type: 'MSG_APP_RESP', to: m.from, from: this.id, term: this.term, index: this.log.lastIndex() }));
    } else {
      this.send(message({ type: 'MSG_APP_RESP', to: m.from, from: this.id, term: this.term, index: this.log.committed }));
    }
  }

  /** Takes a leader's snapshot if it is news; false when our log already covers it. */
  private restore(snap: Snapshot): boolean {
    if (snap.meta.index <= this.log.committed) return false;
    if (this.log.matchTerm(snap.meta.index, snap.meta.term)) {
      // We hold that entry already: just move the commit index.
      this.log.commitTo(snap.meta.index);
      return false;
    }
    this.log.restore(snap);
    this.membership = new Membership(snap.meta.confState);
    this.resetProgress();
    return true;
  }

  // ---- leader helpers ----

  private appendEntries(entries: readonly Entry[]): void {
    let index = this.log.lastIndex();
    const stamped = entries.map((e) => ({ ...e, term: this.term, index: ++index }));
    this.log.append(stamped);
    // Not counted toward commit yet: see onPersisted. (A single voter commits once it is durable.)
  }

  /** The last index known durable: the stable log, never past a tail being replaced. */
  private lastStableIndex(): number {
    return Math.min(this.log.lastIndex(), this.log.unstable.offset - 1);
  }

  /**
   * The driver made entries up to (index, term) durable. The leader's own progress moves only
   * here, so the leader may send appends while it writes its own copy (thesis §10.2.1) and
   * still never counts an entry toward a majority before it is on its disk.
   */
  onPersisted(index: number, term: number): void {
    if (this.role !== 'leader' || this.log.term(index) !== term) return;
    if (this.prs.get(this.id)?.maybeUpdate(Math.min(index, this.lastStableIndex())) === true && this.maybeCommit()) this.broadcastAppend();
  }

  /** Advances the commit index to what a majority holds, if it is of this term. */
  private maybeCommit(): boolean {
    const mci = committedIndex(this.membership.votersList(), (id) => this.prs.get(id)?.match ?? 0);
    const committed = this.log.maybeCommit(Math.min(mci, this.log.lastIndex()), this.term);
    if (committed && this.log.term(this.log.committed) === this.term) this.releasePendingReads();
    return committed;
  }

  private releasePendingReads(): void {
    const reads = this.pendingReads;
    this.pendingReads = [];
    for (const r of reads) this.leaderReadIndex(r);
  }

  private broadcastAppend(): void {
    for (const id of this.prs.keys()) if (id !== this.id) this.sendAppend(id);
  }

  private broadcastHeartbeat(context: Uint8Array | undefined): void {
    for (const [id, pr] of this.prs) {
      if (id === this.id) continue;
      this.send(
        message({
          type: 'MSG_HEARTBEAT',
          to: id,
          from: this.id,
          term: this.term,
          // Never commit past what the follower is known to hold.
          commit: Math.min(pr.match, this.log.committed),
          context: context ?? EMPTY,
        }),
      );
    }
  }

  /**
   * Sends the follower what it lacks: entries after pr.next − 1, or a snapshot when those are
   * compacted. With `sendIfEmpty` false, sends nothing when there are no new entries. Returns
   * whether a message went out.
   */
  private sendAppend(to: NodeId, sendIfEmpty = true): boolean {
    const pr = this.prs.get(to);
    if (pr === undefined || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.tryTerm(prevIndex);
    const entries = this.log.entries(pr.next, this.maxMsgBytes);
    if (typeof prevTerm !== 'number' || entries === 'compacted') {
      return this.sendSnapshot(to, pr);
    }
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.send(message({ type: 'MSG_APP', to, from: this.id, term: this.term, index: prevIndex, logTerm: prevTerm, entries, commit: this.log.committed }));
    pr.sentEntries(entries.length, entries.length > 0 ? (entries[entries.length - 1] as Entry).index : prevIndex);
    return true;
  }

  private sendSnapshot(to: NodeId, pr: Progress): boolean {
    if (!pr.recentActive) return false; // do not ship a snapshot to a server that is not answering
    const snapshot = this.log.snapshot();
    if (isEmptySnapshot(snapshot)) return false; // the application has not made one yet
    pr.becomeSnapshot(snapshot.meta.index);
    this.send(message({ type: 'MSG_SNAP', to, from: this.id, term: this.term, snapshot }));
    return true;
  }

  private send(m: Message): void {
    this.msgs.push(m);
  }

  // ---- called by RawNode ----

  /** The transport could not reach `id`: stop streaming to it optimistically. */
  reportUnreachable(id: NodeId): void {
    const pr = this.prs.get(id);
    if (this.role === 'leader' && pr?.state === 'replicate') pr.becomeProbe();
  }

  /** The snapshot sent to `id` was applied there, or failed. */
  reportSnapshot(id: NodeId, ok: boolean): void {
    const pr = this.prs.get(id);
    if (this.role !== 'leader' || pr?.state !== 'snapshot') return;
    if (!ok) pr.pendingSnapshot = 0;
    pr.becomeProbe();
    // Wait for the follower's next answer before probing again.
    pr.probeSent = true;
  }

  /** Committed entries were handed out to apply: their bytes no longer count as pending. */
  reduceUncommitted(entries: readonly Entry[]): void {
    if (this.role !== 'leader') return;
    const bytes = entries.reduce((n, e) => n + entryBytes(e), 0);
    this.uncommittedBytes = Math.max(0, this.uncommittedBytes - bytes);
  }

  /** Applies a committed membership change; returns the membership now in force. */
  applyConfChange(cc: ConfChange): ConfState {
    this.membership.apply(cc);
    const last = this.log.lastIndex();
    for (const id of this.membership.members()) {
      const pr = this.prs.get(id);
      if (pr === undefined) {
        const fresh = new Progress(last + 1, this.maxInflight, !this.membership.isVoter(id));
        fresh.recentActive = true; // a new member gets one election timeout to answer
        this.prs.set(id, fresh);
      } else {
        pr.isLearner = !this.membership.isVoter(id);
      }
    }
    for (const id of [...this.prs.keys()]) if (!this.membership.isMember(id)) this.prs.delete(id);
    if (this.role === 'leader') {
      if (!this.membership.isVoter(this.id)) {
        // Removed or demoted: let the others elect a leader among themselves.
        this.becomeFollower(this.term, NONE);
      } else {
        if (this.leadTransferee !== NONE && !this.membership.isVoter(this.leadTransferee)) this.leadTransferee = NONE;
        if (this.maybeCommit()) this.broadcastAppend();
        else for (const id of this.prs.keys()) if (id !== this.id) this.sendAppend(id, false);
      }
    }
    return this.membership.confState();
  }

  decodeConfChangeEntry(e: Entry): ConfChange {
    return decodeConfChange(e.data);
  }
}
