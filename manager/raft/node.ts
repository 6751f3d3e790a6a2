// RaftNode: the driver, and the API the manager's store uses. The only loop that touches I/O:
// for each Ready it persists (WAL, snapshot files), then sends (transport), then applies
// committed entries to the state machine, then advances the core. Ticks come from the Clock.
//
//   propose(data)      resolves with the state machine's result once the entry is applied here;
//                      rejects when it cannot be taken, or when leadership changes first (the
//                      entry may then still be applied: the outcome is unknown)
//   read()             resolves once this server has applied everything committed when the
//                      read was asked (read-index): local state may then be read linearizably
//   addMember          adds a learner, waits until it has caught up, then makes it a voter
//   removeMember, transferLeadership, onLeaderChange, onFatal, status, stop

import type { ChannelCredentials, ChannelOptions } from '@grpc/grpc-js';
import type { Clock, Timer } from '../../shared/clock.js';
import { ShoalError, failedPrecondition, oneLine } from '../../shared/errors.js';
import { describeTightened } from '../../shared/fs-modes.js';
import type { Logger } from '../../shared/logger.js';
import type { Rng } from '../../shared/rng.js';
import { RaftDisk } from './disk.js';
import { encodeEnvelope, readEnvelope } from './envelope.js';
import { decodeConfChange, type ConfChange } from './membership.js';
import { RawNode, sendableBeforePersist, type Ready, type Status } from './rawnode.js';
import { proposalDropped, type Role } from './raft.js';
import { decodeSnapshotData, encodeSnapshotData } from './snapshot-data.js';
import { CannotApply } from './cannot-apply.js';
import { RaftTransport, emptyReceiveStats, transportHandlers, type ReceiveStats } from './transport.js';
import type { RaftTransportHandlers } from '../../proto/gen/shoal/raft/v1/RaftTransport.js';
import { NONE, type ConfState, type Entry, type NodeId, type Snapshot } from './types.js';

export interface StateMachine {
  /** Applies one committed command; what it returns resolves the proposer's promise. */
  apply(command: Uint8Array, index: number): unknown;
  /**
   * The whole state as of the last command applied, for a snapshot. A promise lets a large state
   * be encoded over several turns of the event loop: the state machine then keeps that view
   * while it applies the commands that follow, and Raft goes on meanwhile.
   */
  snapshot(): Uint8Array | Promise<Uint8Array>;
  /**
   * Replaces the whole state with a snapshot's. A promise lets a large state be decoded over
   * several turns of the event loop: Raft applies nothing until it settles (it goes on
   * receiving and answering meanwhile; what it must apply waits for the next Ready).
   */
  restore(data: Uint8Array): void | Promise<void>;
}

export interface RaftNodeOptions {
  readonly id: NodeId;
  readonly clusterId: number;
  readonly dataDir: string;
  /**
   * Members and their Raft addresses. Without `join`, the founding members: a fresh data dir
   * bootstraps the cluster with them. With `join`, the existing members to reach until the log
   * (or a snapshot) says who the members are; nothing is bootstrapped.
   */
  readonly initialMembers: ReadonlyMap<NodeId, string>;
  /** Join an existing cluster (the leader adds this server with addMember) instead of founding one. */
  readonly join?: boolean;
  readonly stateMachine: StateMachine;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger: Logger;
  readonly credentials: ChannelCredentials;
  /** gRPC channel options for the connections to peers (TransportOptions.channelOptions). */
  readonly channelOptions?: ChannelOptions;
  readonly tickMs?: number;
  readonly electionTicks?: number;
  readonly heartbeatTicks?: number;
  /** Take a snapshot after this many entries applied since the last one. */
  readonly snapshotEntries?: number;
  /** Entries kept in the log behind a snapshot, for followers slightly behind. */
  readonly keepEntries?: number;
  /** RAFT_NODE_DEFAULTS.stopSnapshotWaitMs. */
  readonly stopSnapshotWaitMs?: number;
  readonly proposalTimeoutMs?: number;
  readonly segmentBytesMax?: number;
  /** A snapshot upload from a peer larger than this is refused (TRANSPORT_DEFAULTS.snapshotBytesMax). */
  readonly snapshotBytesMax?: number;
  /** A snapshot upload with no chunk for this long is cut off (TRANSPORT_DEFAULTS.snapshotIdleTimeoutMs). */
  readonly snapshotIdleTimeoutMs?: number;
}

export const RAFT_NODE_DEFAULTS = {
  tickMs: 100,
  /**
   * 5 ticks of 100 ms: a follower campaigns 0.5–1 s after the last heartbeat, so a dead leader
   * is replaced within about a second on a LAN. Pre-vote and check-quorum keep a slow server
   * (a long GC pause) from deposing a healthy leader; raise it for slow or distant links.
   */
  electionTicks: 5,
  heartbeatTicks: 1,
  /** As etcd's --snapshot-count (100,000) and its catch-up entries kept after one (5,000). */
  snapshotEntries: 100_000,
  keepEntries: 5_000,
  /**
   * How long stop() waits for a snapshot being taken. One still unfinished is abandoned: its file
   * counts only once the WAL marks it, so a restart ignores it and replays the log instead.
   */
  stopSnapshotWaitMs: 10_000,
  proposalTimeoutMs: 10_000,
  /** Proposals waiting to be applied, at most. */
  pendingProposalsMax: 100_000,
  /** A learner is caught up when this close to the leader's commit index. */
  catchUpSlackEntries: 100,
} as const;

export function leadershipLost(): ShoalError {
  return new ShoalError('unavailable', 'raft.leadership_lost', 'leadership changed before the entry was applied; it may or may not be applied');
}

interface Waiter<T> {
  resolve(v: T): void;
  reject(e: unknown): void;
  timer: Timer;
}

/**
 * A proposal's waiter has a deadline instead of a timer of its own: proposals are kept in the
 * order they were made, all with the same timeout, so the tick expires them from the front.
 */
interface ProposalWaiter {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  readonly deadlineMs: number;
  /** The term the core was in when it was made: a change of term fails only older ones. */
  readonly term: number;
}

export type LeaderListener = (lead: NodeId, term: number, role: Role) => void;

export class RaftNode {
  readonly id: NodeId;
  private readonly o: RaftNodeOptions;
  private readonly transport: RaftTransport;
  private disk!: RaftDisk;
  private raw!: RawNode;
  private readonly peers = new Map<NodeId, string>();
  /** When a message from each peer last arrived (this server's clock): who is reachable from here. */
  private readonly heardAt = new Map<NodeId, number>();
  private readonly removedListeners: (() => void)[] = [];
  private confState: ConfState = { voters: [], learners: [] };
  private appliedIndex = 0;
  /** Proposals taken since the loop last ran, handed to the core together. */
  private readonly batch: { seq: number; data: Uint8Array }[] = [];
  private lastSnapshotIndex = 0;
  /** A snapshot of this server's own being encoded and written (one at a time), and when written. */
  private snapshotting: Promise<void> | undefined;
  private snapshotWritten: Snapshot | undefined;
  private tickTimer: Timer | undefined;
  /** The Ready loop's run in progress, if any (one at a time). */
  private processing: Promise<void> | undefined;
  private turnEndQueued = false;
  private again = false;
  private stopped = false;
  private fatal: Error | undefined;
  private seq: number;
  /** In the order proposed, so in deadline order. */
  private readonly proposals = new Map<number, ProposalWaiter>();
  private readonly reads = new Map<string, Waiter<number> & { index?: number; term: number }>();
  private readonly confWaiters: { cc: ConfChange; waiter: Waiter<ConfState> }[] = [];
  private readonly leaderListeners: LeaderListener[] = [];
  private readonly fatalListeners: ((err: Error) => void)[] = [];
  private lastLead: NodeId = NONE;
  private lastTerm = 0;
  private readonly received: ReceiveStats = emptyReceiveStats();

  constructor(options: RaftNodeOptions) {
    this.id = options.id;
    this.o = options;
    this.seq = options.rng.int(2 ** 31);
    this.transport = new RaftTransport({
      clusterId: options.clusterId,
      self: options.id,
      credentials: options.credentials,
      ...(options.channelOptions !== undefined ? { channelOptions: options.channelOptions } : {}),
      clock: options.clock,
      rng: options.rng,
      logger: options.logger,
      events: {
        unreachable: (peer) => {
          this.raw?.reportUnreachable(peer);
        },
        snapshotStatus: (peer, ok) => {
          this.raw?.reportSnapshot(peer, ok);
          this.schedule();
        },
      },
    });
  }

  /** The handlers of the RaftTransport service, for the caller's gRPC server. */
  transportHandlers(): RaftTransportHandlers {
    return transportHandlers(
      {
        clusterId: this.o.clusterId,
        self: this.id,
        // Members by the membership in force, or by an address this server was given or learned
        // (a joining server knows the existing members before its log says who they are).
        isKnown: (id) => this.peers.has(id) || this.raw?.raft.membership.isMember(id) === true,
        onMessage: (m) => {
          if (this.raw === undefined || this.stopped) return;
          this.heardAt.set(m.from, this.o.clock.nowMs());
          this.raw.step(m);
          this.schedule();
        },
      },
      {
        logger: this.o.logger,
        clock: this.o.clock,
        stats: this.received,
        ...(this.o.snapshotBytesMax !== undefined ? { snapshotBytesMax: this.o.snapshotBytesMax } : {}),
        ...(this.o.snapshotIdleTimeoutMs !== undefined ? { snapshotIdleTimeoutMs: this.o.snapshotIdleTimeoutMs } : {}),
      },
    );
  }

  /** Opens the data dir, restores the state machine, and starts ticking. */
  async start(): Promise<void> {
    this.disk = await RaftDisk.open(this.o.dataDir, this.o.segmentBytesMax === undefined ? {} : { segmentBytesMax: this.o.segmentBytesMax });
    const storage = this.disk.storage;
    const snap = storage.snapshot();
    if (snap.meta.index > 0) await this.restoreSnapshot(snap);
    this.raw = new RawNode({
      id: this.id,
      storage,
      rng: this.o.rng,
      applied: snap.meta.index,
      electionTicks: this.o.electionTicks ?? RAFT_NODE_DEFAULTS.electionTicks,
      heartbeatTicks: this.o.heartbeatTicks ?? RAFT_NODE_DEFAULTS.heartbeatTicks,
    });
    if (this.disk.opened.fresh && this.o.initialMembers.size > 0 && this.o.join !== true) {
      this.raw.bootstrap([...this.o.initialMembers].map(([id, address]) => ({ id, context: address })));
    }
    // Known addresses, so that a joining server can answer the leader before its log says who
    // the members are (the log and snapshots override them).
    for (const [id, address] of this.o.initialMembers) {
      if (id === this.id || this.peers.has(id)) continue;
      this.peers.set(id, address);
      this.transport.setPeer(id, address);
    }
    const o = this.disk.opened;
    this.o.logger.info({ snapshotIndex: o.snapshotIndex, entries: o.entries, tornBytes: o.tornBytes, fresh: o.fresh }, 'raft data opened');
    if (o.tightened.length > 0) this.o.logger.warn({ dataDir: this.o.dataDir, tightened: describeTightened(o.tightened) }, 'raft data dir: removed other users\' access an older version left');
    const tickMs = this.o.tickMs ?? RAFT_NODE_DEFAULTS.tickMs;
    const tick = (): void => {
      if (this.stopped) return;
      this.expireProposals();
      this.raw.tick();
      this.schedule();
      this.tickTimer = this.o.clock.setTimer(tickMs, tick);
    };
    this.tickTimer = this.o.clock.setTimer(tickMs, tick);
    this.schedule();
  }

  // ---- the loop ----

  /**
   * Runs the loop once the event loop has taken all the I/O of this turn (setImmediate runs
   * after the poll phase). Proposals come from request handlers, and the requests that one read
   * of a socket brings are handled one after another in the same turn: running the loop at the
   * first would send it alone and make the rest wait for its disk write. Measured at 64
   * clients: +15–20 % writes/s and p50 11 → 9 ms (DESIGN.md).
   */
  private scheduleAtTurnEnd(): void {
    if (this.turnEndQueued) return;
    this.turnEndQueued = true;
    setImmediate(() => {
      this.turnEndQueued = false;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.stopped || this.fatal !== undefined) return;
    if (this.processing !== undefined) {
      this.again = true;
      return;
    }
    this.processing = this.process().finally(() => {
      this.processing = undefined;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    });
  }

  private async process(): Promise<void> {
    try {
      await this.recordSnapshot();
      while (!this.stopped && (this.flushProposals(), this.raw.hasReady())) {
        const rd = this.raw.ready();
        // The leader's replication goes out while its own copy is written; everything that
        // promises something about this server's disk waits until the write is durable.
        this.transport.send(rd.messages.filter(sendableBeforePersist));
        await this.disk.persist(rd);
        this.transport.send(rd.messages.filter((m) => !sendableBeforePersist(m)));
        // Only a snapshot makes this wait: the common path applies in the same turn, before
        // the proposers' continuations run.
        if (rd.snapshot !== undefined) await this.restoreFromLeader(rd.snapshot);
        this.apply(rd);
        this.raw.advance(rd);
        this.noticeLeadership(rd);
        this.releaseReads();
        this.maybeSnapshot();
      }
    } catch (err) {
      void this.failStorage(err); // not awaited: stop() waits for this run to end
    }
  }

  /** The disk failed us: this server can promise nothing any more. */
  private async failStorage(err: unknown): Promise<void> {
    if (this.fatal !== undefined) return;
    this.fatal = err instanceof Error ? err : new Error(String(err));
    this.o.logger.fatal({ err: oneLine(err) }, 'raft storage failed; stopping this server');
    try {
      await this.stop();
    } catch (closeErr) {
      this.o.logger.error({ err: oneLine(closeErr) }, 'raft stop after the storage failure failed too');
    }
    for (const l of this.fatalListeners) l(this.fatal);
  }

  private async restoreFromLeader(snap: Snapshot): Promise<void> {
    await this.restoreSnapshot(snap);
    this.o.logger.info({ index: snap.meta.index }, 'restored from a snapshot sent by the leader');
  }

  private apply(rd: Ready): void {
    for (const e of rd.committedEntries) {
      if (e.type === 'ENTRY_CONF_CHANGE') this.applyConfChange(e);
      else if (e.data.length > 0) this.applyCommand(e);
      this.appliedIndex = e.index;
    }
    for (const rs of rd.readStates) {
      const r = this.reads.get(Buffer.from(rs.context).toString('hex'));
      if (r !== undefined) r.index = rs.index;
    }
  }

  /**
   * A command the state machine refuses (it throws) is refused the same way on every server, so
   * its error goes to the proposer and the loop goes on: a committed command must never be able
   * to stop the servers that apply it — unless this server cannot apply it while others can
   * (`CannotApply`: a newer version wrote it), which stops this server.
   */
  private applyCommand(e: Entry): void {
    const envelope = readEnvelope(e.data);
    let result: unknown;
    let error: unknown;
    try {
      result = this.o.stateMachine.apply(envelope?.command ?? e.data, e.index);
    } catch (err) {
      // Not a refusal: this server cannot apply what others may have (a newer version wrote
      // it). It stops rather than become a replica unlike the others (cannot-apply.ts).
      if (err instanceof CannotApply) throw err;
      error = err;
    }
    if (envelope === undefined) {
      if (error !== undefined) this.o.logger.warn({ index: e.index, err: oneLine(error) }, 'committed entry without an envelope refused by the state machine');
      return;
    }
    const { proposer, seq } = envelope;
    if (proposer !== this.id) return;
    const w = this.proposals.get(seq);
    if (w === undefined) return;
    this.proposals.delete(seq);
    if (error !== undefined) w.reject(error);
    else w.resolve(result);
  }

  private applyConfChange(e: Entry): void {
    const cc = decodeConfChange(e.data);
    this.confState = this.raw.applyConfChange(cc);
    if (cc.type === 'CONF_REMOVE') {
      this.peers.delete(cc.nodeId);
      this.transport.removePeer(cc.nodeId);
      if (cc.nodeId === this.id) {
        this.o.logger.warn('this server was removed from the cluster');
        for (const l of this.removedListeners) l();
      }
    } else {
      if (cc.context !== '') this.peers.set(cc.nodeId, cc.context);
      if (cc.nodeId !== this.id && cc.context !== '') this.transport.setPeer(cc.nodeId, cc.context);
    }
    for (let i = this.confWaiters.length - 1; i >= 0; i--) {
      const w = this.confWaiters[i] as { cc: ConfChange; waiter: Waiter<ConfState> };
      if (w.cc.type === cc.type && w.cc.nodeId === cc.nodeId) {
        this.confWaiters.splice(i, 1);
        w.waiter.timer.cancel();
        w.waiter.resolve(this.confState);
      }
    }
  }

  private noticeLeadership(rd: Ready): void {
    const s = this.raw.status();
    if (s.term !== this.lastTerm || (rd.softState !== undefined && rd.softState.lead !== this.lastLead)) {
      const termChanged = s.term !== this.lastTerm;
      const steppedDown = this.lastLead === this.id && s.lead !== this.id;
      this.lastTerm = s.term;
      this.lastLead = s.lead;
      // Only what was made in an earlier term: a proposal or read made after the core moved to
      // this term (before this loop noticed it) is not in doubt.
      if (termChanged) this.failAll(leadershipLost(), s.term);
      // A leader that steps down in its own term (check-quorum: it lost touch with a majority)
      // cannot confirm the reads it was asked for: they fail now rather than at their timeout.
      else if (steppedDown) this.failReads(leadershipLost());
      for (const l of this.leaderListeners) l(s.lead, s.term, s.role);
    }
  }

  /** Fails the waiting proposals and reads made before `term` (all of them by default). */
  private failAll(err: ShoalError, term = Infinity): void {
    for (const [seq, w] of this.proposals) {
      if (w.term >= term) continue;
      w.reject(err);
      this.proposals.delete(seq);
    }
    for (const [k, r] of this.reads) {
      if (r.term >= term) continue;
      r.timer.cancel();
      r.reject(err);
      this.reads.delete(k);
    }
  }

  private failReads(err: ShoalError): void {
    for (const [k, r] of this.reads) {
      r.timer.cancel();
      r.reject(err);
      this.reads.delete(k);
    }
  }

  private releaseReads(): void {
    for (const [k, r] of this.reads) {
      if (r.index !== undefined && r.index <= this.appliedIndex) {
        this.reads.delete(k);
        r.timer.cancel();
        r.resolve(r.index);
      }
    }
  }

  /**
   * Every `snapshotEntries` applied entries: the state machine's state is encoded and its file
   * written off the loop (Readies go on being persisted and applied meanwhile); once written,
   * `recordSnapshot` puts its marker in the WAL and compacts, between two Readies.
   */
  private maybeSnapshot(): void {
    const every = this.o.snapshotEntries ?? RAFT_NODE_DEFAULTS.snapshotEntries;
    if (this.snapshotting !== undefined || this.appliedIndex - this.lastSnapshotIndex < every) return;
    const meta = { index: this.appliedIndex, term: this.disk.storage.term(this.appliedIndex), confState: this.confState };
    const peers = new Map(this.peers);
    const state = this.o.stateMachine.snapshot();
    this.snapshotting = (async () => {
      const data = await state;
      if (this.stopped) return; // abandoned by stop()
      const snap: Snapshot = { meta, data: encodeSnapshotData(peers, data) };
      await this.disk.writeSnapshotFile(snap);
      this.snapshotWritten = snap;
      this.schedule();
    })().catch((err: unknown) => {
      void this.failStorage(err); // not awaited: stop() waits for this promise
    });
  }

  private async recordSnapshot(): Promise<void> {
    const snap = this.snapshotWritten;
    if (snap === undefined) return;
    this.snapshotWritten = undefined;
    if (await this.disk.recordSnapshot(snap, this.o.keepEntries ?? RAFT_NODE_DEFAULTS.keepEntries)) this.lastSnapshotIndex = snap.meta.index;
    this.snapshotting = undefined;
  }

  private async restoreSnapshot(snap: Snapshot): Promise<void> {
    const { peers, state } = decodeSnapshotData(snap.data);
    await this.o.stateMachine.restore(state);
    this.peers.clear();
    this.transport.close();
    for (const [id, addr] of peers) {
      this.peers.set(id, addr);
      if (id !== this.id) this.transport.setPeer(id, addr);
    }
    this.confState = snap.meta.confState;
    this.appliedIndex = snap.meta.index;
    this.lastSnapshotIndex = snap.meta.index;
  }

  // ---- API ----

  private checkRunning(): void {
    if (this.fatal !== undefined) throw new ShoalError('unavailable', 'raft.stopped', `raft stopped: ${oneLine(this.fatal)}`);
    if (this.stopped || this.raw === undefined) throw new ShoalError('unavailable', 'raft.stopped', 'raft is not running');
  }

  private waiter<T>(what: string, timeoutMs: number, onTimeout: () => void): { promise: Promise<T>; waiter: Waiter<T> } {
    let waiter!: Waiter<T>;
    const promise = new Promise<T>((resolve, reject) => {
      const timer = this.o.clock.setTimer(timeoutMs, () => {
        onTimeout();
        reject(new ShoalError('deadline_exceeded', 'raft.timeout', `${what} did not complete within ${timeoutMs} ms`));
      });
      waiter = { resolve, reject, timer };
    });
    return { promise, waiter };
  }

  /** Resolves with the state machine's result once applied here; refusals reject too, never throw. */
  propose(command: Uint8Array): Promise<unknown> {
    try {
      return this.proposeOrThrow(command);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private proposeOrThrow(command: Uint8Array): Promise<unknown> {
    this.checkRunning();
    if (this.proposals.size >= RAFT_NODE_DEFAULTS.pendingProposalsMax) {
      throw new ShoalError('resource_exhausted', 'raft.too_many_proposals', `more than ${RAFT_NODE_DEFAULTS.pendingProposalsMax} proposals pending`);
    }
    const seq = (this.seq = (this.seq + 1) >>> 0);
    // From Node's shared pool rather than a backing store of its own: an entry stays in the log
    // until compaction, and every backing store is more work for each major GC.
    const data = encodeEnvelope(this.id, seq, command);
    // Refused at once when there is no leader to take it; otherwise it waits for the end of
    // this turn of the event loop, and the loop then hands every proposal taken in the turn to
    // the core as one: one log append and one message per follower for the lot.
    if (!this.raw.leaderKnown) throw proposalDropped('no leader known');
    const deadlineMs = this.o.clock.nowMs() + this.proposalTimeoutMs();
    const term = this.raw.raft.term;
    const promise = new Promise<unknown>((resolve, reject) => this.proposals.set(seq, { resolve, reject, deadlineMs, term }));
    this.batch.push({ seq, data });
    this.scheduleAtTurnEnd();
    return promise;
  }

  private proposalTimeoutMs(): number {
    return this.o.proposalTimeoutMs ?? RAFT_NODE_DEFAULTS.proposalTimeoutMs;
  }

  /** Rejects the proposals whose deadline has passed (the oldest first; see ProposalWaiter). */
  private expireProposals(): void {
    const now = this.o.clock.nowMs();
    for (const [seq, w] of this.proposals) {
      if (w.deadlineMs > now) break;
      this.proposals.delete(seq);
      w.reject(new ShoalError('deadline_exceeded', 'raft.timeout', `proposal did not complete within ${this.proposalTimeoutMs()} ms`));
    }
  }

  /** Hands the waiting proposals to the core together; if it refuses them, each proposer is told why. */
  private flushProposals(): void {
    if (this.batch.length === 0) return;
    const batch = this.batch.splice(0);
    try {
      this.raw.proposeMany(batch.map((p) => p.data));
    } catch (err) {
      for (const p of batch) {
        const w = this.proposals.get(p.seq);
        if (w === undefined) continue;
        this.proposals.delete(p.seq);
        w.reject(err);
      }
    }
  }

  read(): Promise<number> {
    try {
      return this.readOrThrow();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private readOrThrow(): Promise<number> {
    this.checkRunning();
    const ctx = new Uint8Array(16);
    for (let i = 0; i < ctx.length; i++) ctx[i] = this.o.rng.int(256);
    const key = Buffer.from(ctx).toString('hex');
    this.raw.readIndex(ctx); // may throw synchronously: no leader
    const { promise, waiter } = this.waiter<number>('linearizable read', this.proposalTimeoutMs(), () => this.reads.delete(key));
    this.reads.set(key, { ...waiter, term: this.raw.raft.term });
    this.schedule();
    return promise;
  }

  private proposeConf(cc: ConfChange): Promise<ConfState> {
    this.checkRunning();
    if (this.raw.status().role !== 'leader') {
      throw failedPrecondition('raft.not_leader', `membership changes go to the leader (node ${this.raw.status().lead || 'unknown'})`, { fields: { leader: this.raw.status().lead } });
    }
    this.raw.proposeConfChange(cc); // may throw synchronously: one change at a time
    const { promise, waiter } = this.waiter<ConfState>('membership change', this.proposalTimeoutMs(), () => {
      const i = this.confWaiters.findIndex((w) => w.waiter === waiter);
      if (i >= 0) this.confWaiters.splice(i, 1);
    });
    this.confWaiters.push({ cc, waiter });
    this.schedule();
    return promise;
  }

  /** Adds a server: as a learner first, a voter once it has caught up. Call on the leader. */
  async addMember(id: NodeId, address: string, catchUpTimeoutMs = 60_000): Promise<ConfState> {
    const cs = this.raw.status().confState;
    if (cs.voters.includes(id)) throw failedPrecondition('raft.member_exists', `node ${id} is already a voter`);
    if (!cs.learners.includes(id)) await this.proposeConf({ type: 'CONF_ADD_LEARNER', nodeId: id, context: address });
    const deadline = this.o.clock.nowMs() + catchUpTimeoutMs;
    for (;;) {
      const s = this.raw.status();
      const match = s.progress.get(id)?.match ?? 0;
      if (s.role === 'leader' && match + RAFT_NODE_DEFAULTS.catchUpSlackEntries >= s.commit) break;
      if (this.o.clock.nowMs() > deadline) throw new ShoalError('deadline_exceeded', 'raft.learner_behind', `node ${id} did not catch up within ${catchUpTimeoutMs} ms (at ${match} of ${s.commit})`);
      await this.o.clock.sleep(this.o.tickMs ?? RAFT_NODE_DEFAULTS.tickMs);
    }
    return this.proposeConf({ type: 'CONF_ADD_VOTER', nodeId: id, context: address });
  }

  /**
   * Adds a server as a learner (it is sent the log but does not vote), for a caller that
   * promotes it later (`promoteCaughtUp`). Call on the leader; a server already in is left as it is.
   */
  async addLearner(id: NodeId, address: string): Promise<ConfState> {
    const cs = this.raw.status().confState;
    if (cs.voters.includes(id) || cs.learners.includes(id)) return cs;
    return this.proposeConf({ type: 'CONF_ADD_LEARNER', nodeId: id, context: address });
  }

  /**
   * Promotes to voter the first learner that answers and has caught up with the log (within
   * `catchUpSlackEntries` of the commit index); resolves with its id, or undefined when none has.
   * Call on the leader; one membership change at a time.
   */
  async promoteCaughtUp(): Promise<NodeId | undefined> {
    const s = this.raw.status();
    if (s.role !== 'leader') return undefined;
    for (const id of s.confState.learners) {
      // Answering (replicate state, some entries matched), not only near a small commit index:
      // a voter that never came up would count against the quorum.
      const p = s.progress.get(id);
      const address = this.peers.get(id);
      if (address === undefined || p === undefined || p.state !== 'replicate' || p.match === 0 || p.match + RAFT_NODE_DEFAULTS.catchUpSlackEntries < s.commit) continue;
      await this.proposeConf({ type: 'CONF_ADD_VOTER', nodeId: id, context: address });
      return id;
    }
    return undefined;
  }

  removeMember(id: NodeId): Promise<ConfState> {
    return this.proposeConf({ type: 'CONF_REMOVE', nodeId: id, context: '' });
  }

  /** Hands leadership to `id`; resolves when it leads. */
  async transferLeadership(id: NodeId): Promise<void> {
    this.checkRunning();
    this.raw.transferLeadership(id);
    this.schedule();
    const tickMs = this.o.tickMs ?? RAFT_NODE_DEFAULTS.tickMs;
    const electionTicks = this.o.electionTicks ?? RAFT_NODE_DEFAULTS.electionTicks;
    for (let i = 0; i < 2 * electionTicks; i++) {
      if (this.raw.status().lead === id) return;
      await this.o.clock.sleep(tickMs);
    }
    throw new ShoalError('deadline_exceeded', 'raft.transfer_failed', `leadership did not move to node ${id}`);
  }

  /**
   * When a message from `id` last arrived, by this server's clock (undefined: never since start).
   * A leader hears from every live member at each heartbeat; a follower from the leader only.
   */
  lastHeardMs(id: NodeId): number | undefined {
    return this.heardAt.get(id);
  }

  /** Told when this server applies its own removal from the group (once; it should stop). */
  onRemoved(listener: () => void): void {
    this.removedListeners.push(listener);
  }

  onLeaderChange(listener: LeaderListener): void {
    this.leaderListeners.push(listener);
  }

  /** Called once, after the server stopped itself because its storage failed (a full disk, an I/O error). */
  onFatal(listener: (err: Error) => void): void {
    this.fatalListeners.push(listener);
  }

  /**
   * The core's status, and: applied index, members' addresses, WAL writes, the last snapshot
   * recorded, and what the transport received (messages taken and dropped, snapshots taken from
   * a leader and refused).
   */
  status(): Status & {
    readonly applied: number;
    readonly peers: ReadonlyMap<NodeId, string>;
    readonly walWrites: number;
    readonly snapshotIndex: number;
    readonly received: Readonly<ReceiveStats>;
  } {
    this.checkRunning();
    return {
      ...this.raw.status(),
      applied: this.appliedIndex,
      peers: new Map(this.peers),
      walWrites: this.disk.walWrites(),
      snapshotIndex: this.disk.storage.snapshot().meta.index,
      received: { ...this.received },
    };
  }

  isLeader(): boolean {
    return this.raw !== undefined && this.raw.status().role === 'leader';
  }

  /** For stop(): a snapshot in progress finishes, unless the state machine never hands it over. */
  private async awaitSnapshotting(): Promise<void> {
    const snapshotting = this.snapshotting;
    if (snapshotting === undefined) return;
    const waitMs = this.o.stopSnapshotWaitMs ?? RAFT_NODE_DEFAULTS.stopSnapshotWaitMs;
    let timer: Timer | undefined;
    const finished = await Promise.race([
      snapshotting.then(() => true),
      new Promise<boolean>((resolve) => (timer = this.o.clock.setTimer(waitMs, () => resolve(false)))),
    ]);
    timer?.cancel();
    if (!finished) this.o.logger.warn({ waitMs }, 'raft stop: the state machine did not finish its snapshot; abandoned (a restart replays the log instead)');
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.tickTimer?.cancel();
    this.transport.close();
    const stoppedError = (): ShoalError => new ShoalError('unavailable', 'raft.stopped', this.fatal === undefined ? 'raft stopped' : `raft stopped: ${oneLine(this.fatal)}`);
    this.failAll(stoppedError());
    for (const w of this.confWaiters.splice(0)) {
      w.waiter.timer.cancel();
      w.waiter.reject(stoppedError());
    }
    // Let an in-progress persist finish before closing the WAL.
    await this.processing;
    await this.awaitSnapshotting();
    await this.disk?.close(this.fatal === undefined);
  }
}
