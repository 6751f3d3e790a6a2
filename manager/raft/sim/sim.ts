// The deterministic simulator: the real Raft core on N servers in one process, over a network
// and disks that misbehave as a seeded Rng decides. One step is one tick of every server's
// clock. Faults: message delay (reordering), loss, duplication, symmetric and asymmetric
// partitions, crashes (some in the middle of a write, tearing its tail) and restarts, log
// compaction, and membership changes made while all that goes on. After every step the
// SafetyChecker verifies Raft's safety properties; once the faults stop, liveness is required:
// a leader within a bounded number of ticks, and a new proposal committed on every voter.
//
// Clients write through sessions (sessions.ts), as the manager store and raft-kv clients do: a
// write whose answer does not come within a timeout, or whose server died, is sent again with
// the same session and sequence number to some server, and the network may duplicate a forwarded
// proposal. SafetyChecker's exactly-once check (a write takes effect at one log index only) and
// the linearizability check of the client history then hold only if each write took effect once.
//
// The same seed replays the same run exactly.

import { ShoalError } from '../../../shared/errors.js';
import { SeededRng, shuffled } from '../../../shared/rng.js';
import { decodeConfChange } from '../membership.js';
import type { Entry, Message, NodeId } from '../types.js';
import { checkLinearizable, type KvOperation } from '../linearizability.js';
import { InvariantViolation, SafetyChecker } from './invariants.js';
import { SessionClient } from '../sessions.js';
import { SimNode, type Disk } from './node.js';
import { SIM_CLIENTS, type SimStateMachineName } from './state-machines.js';

export interface SimOptions {
  readonly seed: number;
  /** Voters at the start: 3 or 5. */
  readonly voters: number;
  /** Ticks of faults before they heal. */
  readonly faultTicks: number;
  /** Ticks allowed after healing for a leader and a commit on every voter. */
  readonly livenessTicks: number;
  readonly lossRate: number;
  readonly duplicateRate: number;
  /** A message is delivered after 0 to this many ticks (which also reorders). */
  readonly maxDelayTicks: number;
  /** Per tick: chance that a server crashes; crashed servers restart after 1–50 ticks. */
  readonly crashRate: number;
  /** Per tick: chance that a new partition starts (and one in four that partitions heal). */
  readonly partitionRate: number;
  /** Per tick: chance that the leader is asked for a membership change. */
  readonly confChangeRate: number;
  /** Per tick: chance that a server snapshots and compacts its log. */
  readonly compactRate: number;
  /** Per tick: chance of a client proposal. */
  readonly proposeRate: number;
  /** Per tick: chance of a client's linearizable read (read-index). */
  readonly readRate: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  /**
   * Test only: serve reads from the local state at once, without read-index — the bug
   * read-index exists to prevent. The linearizability check must catch it.
   */
  readonly staleReads?: boolean;
  /** The servers' state machine: the real cluster store (the default) or the simulator's key-value map. */
  readonly stateMachine?: SimStateMachineName;
  /** Test only, with the key-value map: servers apply every copy of a write (no client sessions); the check must catch it. */
  readonly noSessions?: boolean;
  /**
   * Test only, with the store: server 2 stamps objects with its own clock in apply (a
   * non-deterministic state machine); the replica-equality check must catch it.
   */
  readonly localClockOnServer2?: boolean;
  /** Told of each notable event (elections, crashes, membership), for `--trace`. */
  readonly trace?: (tick: number, event: string) => void;
}

export const DEFAULT_SIM: Omit<SimOptions, 'seed'> = {
  voters: 3,
  faultTicks: 600,
  livenessTicks: 600,
  lossRate: 0.05,
  duplicateRate: 0.02,
  maxDelayTicks: 3,
  crashRate: 0.01,
  partitionRate: 0.01,
  confChangeRate: 0.005,
  compactRate: 0.01,
  proposeRate: 0.3,
  readRate: 0.2,
  electionTicks: 10,
  heartbeatTicks: 1,
};

/** Options for a seed: the seed also picks the cluster size and how harsh the faults are. */
export function optionsForSeed(seed: number, overrides: Partial<SimOptions> = {}): SimOptions {
  const r = new SeededRng(seed ^ 0x5eed);
  return {
    ...DEFAULT_SIM,
    seed,
    voters: r.float() < 0.5 ? 3 : 5,
    lossRate: [0, 0.02, 0.1, 0.3][r.int(4)] as number,
    duplicateRate: [0, 0.02, 0.1][r.int(3)] as number,
    maxDelayTicks: [0, 2, 5][r.int(3)] as number,
    crashRate: [0, 0.005, 0.02][r.int(3)] as number,
    partitionRate: [0, 0.01, 0.03][r.int(3)] as number,
    confChangeRate: [0, 0.005, 0.02][r.int(3)] as number,
    ...overrides,
  };
}

export interface SimResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly failure?: string;
  readonly failedAtTick?: number;
  readonly stats: {
    readonly ticks: number;
    readonly messagesSent: number;
    readonly messagesDropped: number;
    readonly crashes: number;
    readonly partitions: number;
    readonly confChanges: number;
    readonly committedEntries: number;
    readonly termsWithLeader: number;
    readonly finalVoters: readonly NodeId[];
    /** Client operations checked for linearizability. */
    readonly clientOperations: number;
  };
}

interface PendingPut {
  /** The server the client waits on: the one it last sent the write to. */
  node: SimNode;
  readonly key: string;
  readonly data: string;
  readonly session: number;
  readonly seq: number;
  readonly calledAt: number;
  sentAt: number;
}

interface InFlight {
  readonly deliverAt: number;
  readonly seq: number;
  readonly m: Message;
}

const ID_POOL_MAX = 12;

export function runSimulation(options: SimOptions): SimResult {
  const sim = new Simulation(options);
  try {
    sim.run();
    return sim.result(undefined);
  } catch (err) {
    if (err instanceof InvariantViolation || err instanceof LivenessFailure) return sim.result(err.message);
    // An assertion inside the core is a bug the simulation found: report it the same way.
    return sim.result(`${(err as Error).name}: ${(err as Error).message}`);
  }
}

class LivenessFailure extends Error {
  override readonly name = 'LivenessFailure';
}

class Simulation {
  private readonly o: SimOptions;
  private readonly rng: SeededRng;
  private readonly checker = new SafetyChecker();
  private readonly live = new Map<NodeId, SimNode>();
  private readonly down = new Map<NodeId, { disk: Disk; restartAt: number }>();
  /** Servers removed from the cluster: never restarted, never re-added. */
  private readonly removed = new Set<NodeId>();
  private nextId: number;
  private inflight: InFlight[] = [];
  private seq = 0;
  private blocked = new Set<string>();
  private tickNow = 0;
  private proposals = 0;
  private readonly stats = { messagesSent: 0, messagesDropped: 0, crashes: 0, partitions: 0, confChanges: 0 };
  private faulty = true;
  private readonly announced = new Set<string>();
  // Client history, for the linearizability check. Time is an event counter: every call and
  // every return takes the next number, so "returned before called" is exact.
  private readonly clientRng: SeededRng;
  private events = 0;
  private readonly history: KvOperation[] = [];
  /** Writes waiting for their answer, by value (each value is written once). */
  private readonly pendingPuts = new Map<string, PendingPut>();
  /** The clients' sessions 1..SIM_CLIENTS (opened on every server from the start). */
  private readonly sessions = Array.from({ length: SIM_CLIENTS }, (_, i) => new SessionClient(i + 1));
  /** Picks the servers that retries go to (its own stream, so the fault schedule is the seed's). */
  private readonly retryRng: SeededRng;
  private readonly pendingReads = new Map<string, { node: SimNode; key: string; calledAt: number }>();
  private reads = 0;

  constructor(options: SimOptions) {
    this.o = options;
    this.rng = new SeededRng(options.seed);
    this.clientRng = new SeededRng(options.seed ^ 0xc11e47);
    this.retryRng = new SeededRng(options.seed ^ 0x2e7a1);
    const voters = Array.from({ length: options.voters }, (_, i) => i + 1);
    for (const id of voters) this.start(id, voters);
    this.nextId = voters.length + 1;
  }

  private start(id: NodeId, peers: readonly NodeId[], disk?: Disk): SimNode {
    const node = new SimNode({
      id,
      peers,
      seed: this.rng.nextUint32(),
      electionTicks: this.o.electionTicks,
      heartbeatTicks: this.o.heartbeatTicks,
      ...(disk ? { disk } : {}),
      stateMachine: this.o.stateMachine ?? 'store',
      ...(this.o.noSessions === true ? { noSessions: true } : {}),
      ...(this.o.localClockOnServer2 === true && id === 2 ? { localClock: 7_000 } : {}),
    });
    node.onEffect = this.checker.onEffect;
    node.onApplied = this.checker.onApplied;
    node.onApply = (n, e) => {
      this.checker.onApply(n, e);
      this.completePut(n, e);
      this.observeConfChange(e);
      if (e.type === 'ENTRY_CONF_CHANGE') {
        const cc = decodeConfChange(e.data);
        this.trace(`node ${n.id} applies ${cc.type} ${cc.nodeId} at ${e.index}@${e.term}`);
      }
    };
    this.live.set(id, node);
    return node;
  }

  /** A write is answered when the server its client waits on applies it (the first copy there). */
  private completePut(n: SimNode, e: Entry): void {
    if (e.type !== 'ENTRY_NORMAL' || e.data.length === 0) return;
    const text = new TextDecoder().decode(e.data);
    const value = n.sm.decodePut(e.data)?.value;
    if (value === undefined) return;
    const p = this.pendingPuts.get(value);
    if (p === undefined || p.node !== n || text !== p.data) return;
    this.pendingPuts.delete(value);
    this.sessions[p.session - 1]?.answered(p.seq);
    this.history.push({ kind: 'put', client: p.session, key: p.key, value, calledAt: p.calledAt, returnedAt: ++this.events });
  }

  /**
   * A client whose write is not answered within a timeout (lost with a stale leader, its
   * forwarding dropped) or whose server is gone sends it again, same session and sequence
   * number, to some live server.
   */
  private retryPuts(): void {
    const retryTicks = 2 * this.o.electionTicks;
    for (const p of this.pendingPuts.values()) {
      if (this.live.get(p.node.id) === p.node && this.tickNow - p.sentAt < retryTicks) continue;
      const servers = [...this.live.values()];
      if (servers.length === 0) return;
      const node = servers[this.retryRng.int(servers.length)] as SimNode;
      p.sentAt = this.tickNow;
      try {
        node.node.propose(new TextEncoder().encode(p.data));
        p.node = node;
      } catch (err) {
        if (!(err instanceof ShoalError && err.code === 'raft.proposal_dropped')) throw err;
      }
    }
  }

  /** Reads whose read state arrived and whose index is applied return the local value. */
  private completeReads(): void {
    for (const [ctx, r] of this.pendingReads) {
      const rs = r.node.readStates.find((x) => new TextDecoder().decode(x.context) === ctx);
      if (rs === undefined || r.node.appliedIndex < rs.index) continue;
      this.pendingReads.delete(ctx);
      this.history.push({ kind: 'get', client: r.node.id, key: r.key, value: r.node.sm.get(r.key), calledAt: r.calledAt, returnedAt: ++this.events });
    }
  }

  /** A server died: its clients' reads are lost; their writes are sent again (retryPuts). */
  private abandonClients(node: SimNode): void {
    for (const [ctx, r] of this.pendingReads) if (r.node === node) this.pendingReads.delete(ctx);
  }

  private readSomewhere(): void {
    const node = this.pick([...this.live.values()]);
    if (node === undefined) return;
    const ctx = `read-${this.reads++}`;
    const key = `k${this.clientRng.int(20)}`;
    if (this.o.staleReads === true) {
      const calledAt = ++this.events;
      this.history.push({ kind: 'get', client: node.id, key, value: node.sm.get(key), calledAt, returnedAt: ++this.events });
      return;
    }
    try {
      node.node.readIndex(new TextEncoder().encode(ctx));
      this.pendingReads.set(ctx, { node, key, calledAt: ++this.events });
    } catch (err) {
      if (!(err instanceof ShoalError && err.code === 'raft.proposal_dropped')) throw err;
    }
  }

  private checkHistory(): void {
    for (const [value, p] of this.pendingPuts) this.history.push({ kind: 'put', client: p.session, key: p.key, value, calledAt: p.calledAt, returnedAt: Infinity });
    this.pendingPuts.clear();
    const r = checkLinearizable(this.history);
    if (!r.ok && this.o.trace !== undefined) {
      for (const key of [...r.failedKeys, ...r.undecidedKeys]) {
        for (const op of this.history.filter((o) => o.key === key).sort((a, b) => a.calledAt - b.calledAt)) {
          this.trace(`history ${key}: ${op.kind} ${String(op.value)} by node ${op.client}, called ${op.calledAt}, returned ${op.returnedAt}`);
        }
      }
    }
    if (!r.ok) {
      throw new InvariantViolation(`linearizability: the client history of keys ${[...r.failedKeys, ...r.undecidedKeys].join(', ')} is not linearizable${r.undecidedKeys.length > 0 ? ' (or undecided)' : ''}`);
    }
  }

  private trace(event: string): void {
    this.o.trace?.(this.tickNow, event);
  }

  private observeConfChange(e: Entry): void {
    if (e.type !== 'ENTRY_CONF_CHANGE') return;
    const cc = decodeConfChange(e.data);
    if (cc.type === 'CONF_REMOVE') this.removed.add(cc.nodeId);
  }

  run(): void {
    for (; this.tickNow < this.o.faultTicks; this.tickNow++) this.step();
    this.heal();
    this.requireLiveness();
    this.checkHistory();
  }

  private step(): void {
    // Removed servers are shut down once their removal is applied somewhere.
    for (const id of this.removed) {
      const n = this.live.get(id);
      if (n !== undefined) {
        this.abandonClients(n);
        this.checker.forget(n);
        this.live.delete(id);
      }
      this.down.delete(id);
    }
    if (this.faulty) this.injectFaults();
    for (const id of shuffled(this.rng, [...this.live.keys()])) this.live.get(id)?.node.tick();
    this.deliverDue();
    this.pump();
    this.completeReads();
    this.retryPuts();
    this.checker.check([...this.live.values()], this.tickNow % 10 === 0);
  }

  private injectFaults(): void {
    const o = this.o;
    // Restarts due.
    for (const [id, d] of [...this.down]) {
      if (d.restartAt <= this.tickNow) {
        this.down.delete(id);
        this.start(id, [], d.disk);
        this.trace(`node ${id} restarts`);
      }
    }
    if (this.rng.float() < o.crashRate && this.live.size > 0) this.crashOne();
    if (this.rng.float() < o.partitionRate) this.partition();
    if (this.rng.float() < o.partitionRate / 4) this.blocked.clear();
    if (this.rng.float() < o.compactRate) {
      const n = this.pick([...this.live.values()]);
      n?.snapshotAndCompact(this.rng.int(10));
    }
    if (this.rng.float() < o.confChangeRate) this.changeMembership();
    if (this.rng.float() < o.proposeRate) this.proposeSomewhere(`k${this.rng.int(20)}`, `v${this.proposals++}`);
    if (this.clientRng.float() < o.readRate) this.readSomewhere();
  }

  private pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[this.rng.int(items.length)];
  }

  private crashOne(): void {
    const node = this.pick([...this.live.values()]);
    if (node === undefined) return;
    // Half the crashes happen in the middle of a write: part of the entries reach the disk.
    if (this.rng.float() < 0.5 && node.node.hasReady()) node.handleReady(this.rng.int(4));
    this.abandonClients(node);
    this.checker.forget(node);
    this.live.delete(node.id);
    this.down.set(node.id, { disk: node.disk, restartAt: this.tickNow + 1 + this.rng.int(50) });
    this.trace(`node ${node.id} crashes (term ${node.node.raft.term}, ${node.node.raft.role})`);
    this.stats.crashes++;
  }

  private partition(): void {
    const ids = [...this.live.keys(), ...this.down.keys()];
    const side = new Set(ids.filter(() => this.rng.float() < 0.5));
    const asymmetric = this.rng.float() < 0.3;
    for (const a of side) {
      for (const b of ids) {
        if (side.has(b)) continue;
        this.blocked.add(`${a}>${b}`);
        if (!asymmetric) this.blocked.add(`${b}>${a}`);
      }
    }
    this.stats.partitions++;
  }

  private leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const n of this.live.values()) {
      if (n.node.raft.role === 'leader' && (best === undefined || n.node.raft.term > best.node.raft.term)) best = n;
    }
    return best;
  }

  private changeMembership(): void {
    const leader = this.leader();
    if (leader === undefined) return;
    const cs = leader.confState;
    try {
      if (cs.learners.length > 0) {
        leader.node.proposeConfChange({ type: 'CONF_ADD_VOTER', nodeId: cs.learners[0] as NodeId, context: '' });
      } else if (cs.voters.length < 5 && this.nextId <= ID_POOL_MAX) {
        const id = this.nextId++;
        this.start(id, []);
        leader.node.proposeConfChange({ type: 'CONF_ADD_LEARNER', nodeId: id, context: '' });
      } else if (cs.voters.length > 3) {
        const victim = this.pick(cs.voters);
        if (victim !== undefined) leader.node.proposeConfChange({ type: 'CONF_REMOVE', nodeId: victim, context: '' });
      } else {
        return;
      }
      this.stats.confChanges++;
      this.trace(`leader ${leader.id} (term ${leader.node.raft.term}) proposes a membership change; it sees ${JSON.stringify(cs)}`);
    } catch (err) {
      if (!(err instanceof ShoalError && err.code === 'raft.proposal_dropped')) throw err;
    }
  }

  /** A client's new write, on the session the write's number picks, to some live server. */
  private proposeSomewhere(key: string, value: string): void {
    const node = this.pick([...this.live.values()]);
    if (node === undefined) return;
    const client = this.sessions[this.proposals % SIM_CLIENTS] as SessionClient;
    const stamp = client.stamp();
    const { session, seq } = stamp;
    const bytes = node.sm.encodePut({ stamp, key, value });
    const data = new TextDecoder().decode(bytes);
    try {
      node.node.propose(bytes);
      this.pendingPuts.set(value, { node, key, data, session, seq, calledAt: ++this.events, sentAt: this.tickNow });
    } catch (err) {
      if (!(err instanceof ShoalError && err.code === 'raft.proposal_dropped')) throw err;
      client.answered(seq); // refused at once: the client knows it was never appended
    }
  }

  private announceLeader(n: SimNode): void {
    const r = n.node.raft;
    if (r.role !== 'leader' || this.announced.has(`${r.term}:${n.id}`)) return;
    this.announced.add(`${r.term}:${n.id}`);
    this.trace(`node ${n.id} leads term ${r.term} (last ${r.log.lastIndex()}, commit ${r.log.committed}, voters ${r.membership.votersList().join(',')})`);
    // Checked at once, not only at the end of the step: a leader may rise and fall within one.
    this.checker.check([n], false);
  }

  /** Ready cycles until no server has output this tick; messages go into flight. */
  private pump(): void {
    for (let round = 0; round < 10; round++) {
      let any = false;
      for (const node of this.live.values()) {
        const out = node.handleReady();
        this.announceLeader(node);
        if (out.length > 0) any = true;
        for (const m of out) this.send(m);
      }
      if (!any) break;
      this.deliverDue();
    }
  }

  /**
   * The transport streams snapshots and knows whether one arrived (shared/grpc's SendSnapshot
   * answers): it reports the outcome to the sender, as the real driver does.
   */
  private reportSnapshot(m: Message, ok: boolean): void {
    if (m.type === 'MSG_SNAP') this.live.get(m.from)?.node.reportSnapshot(m.to, ok);
  }

  private send(m: Message): void {
    this.stats.messagesSent++;
    if (this.faulty && this.rng.float() < this.o.lossRate) {
      this.stats.messagesDropped++;
      this.reportSnapshot(m, false);
      return;
    }
    // A duplicated forwarded proposal is appended twice (Raft is at-least-once for proposals);
    // the servers' client sessions apply it once.
    const duplicate = this.faulty && this.rng.float() < this.o.duplicateRate;
    const copies = duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = this.faulty ? this.rng.int(this.o.maxDelayTicks + 1) : 0;
      this.inflight.push({ deliverAt: this.tickNow + delay, seq: this.seq++, m });
    }
  }

  private deliverDue(): void {
    const due = this.inflight.filter((f) => f.deliverAt <= this.tickNow).sort((a, b) => a.deliverAt - b.deliverAt || a.seq - b.seq);
    if (due.length === 0) return;
    this.inflight = this.inflight.filter((f) => f.deliverAt > this.tickNow);
    for (const { m } of due) {
      const target = this.live.get(m.to);
      if (this.blocked.has(`${m.from}>${m.to}`) || target === undefined) {
        this.stats.messagesDropped++;
        this.reportSnapshot(m, false);
        continue;
      }
      target.node.step(m);
      this.reportSnapshot(m, true);
    }
  }

  /** Faults stop: partitions heal, crashed servers restart, the network becomes reliable. */
  private heal(): void {
    this.faulty = false;
    this.blocked.clear();
    for (const [id, d] of [...this.down]) {
      this.down.delete(id);
      if (!this.removed.has(id)) this.start(id, [], d.disk);
    }
  }

  private currentVoters(): NodeId[] {
    // The membership of the server that has applied the most.
    let best: SimNode | undefined;
    for (const n of this.live.values()) if (best === undefined || n.appliedIndex > best.appliedIndex) best = n;
    return best === undefined ? [] : [...best.confState.voters];
  }

  private requireLiveness(): void {
    const deadline = this.tickNow + this.o.livenessTicks;
    const electionBound = this.tickNow + Math.floor(this.o.livenessTicks / 2);
    while (this.leader() === undefined) {
      if (this.tickNow >= electionBound) throw new LivenessFailure(`liveness: no leader ${electionBound - this.o.faultTicks} ticks after the faults healed`);
      this.step();
      this.tickNow++;
    }
    // Like a client: propose to the leader, and again after a timeout, since an uncommitted
    // entry may be lost when leadership changes (a stale leader may still take it).
    const marker = this.live.values().next().value?.sm.encodePut({ key: 'liveness', value: String(this.o.seed) }) ?? new Uint8Array(0);
    const retryTicks = 2 * this.o.electionTicks;
    let proposed = false;
    let lastProposalAt = -Infinity;
    for (;;) {
      const leader = this.leader();
      if (leader !== undefined && this.tickNow - lastProposalAt >= retryTicks) {
        try {
          leader.node.propose(marker);
          proposed = true;
          lastProposalAt = this.tickNow;
        } catch (err) {
          if (!(err instanceof ShoalError && err.code === 'raft.proposal_dropped')) throw err;
        }
      }
      const voters = this.currentVoters();
      const done = proposed && voters.length > 0 && voters.every((id) => this.live.get(id)?.sm.get('liveness') === String(this.o.seed));
      if (done) return;
      if (this.tickNow >= deadline) {
        const missing = voters.filter((id) => this.live.get(id)?.sm.get('liveness') !== String(this.o.seed));
        throw new LivenessFailure(`liveness: a proposal made after healing was not applied on voters ${missing.join(', ')} within ${this.o.livenessTicks} ticks`);
      }
      this.step();
      this.tickNow++;
    }
  }

  result(failure: string | undefined): SimResult {
    return {
      seed: this.o.seed,
      ok: failure === undefined,
      ...(failure !== undefined ? { failure, failedAtTick: this.tickNow } : {}),
      stats: {
        ticks: this.tickNow,
        ...this.stats,
        committedEntries: this.checker.committedCount,
        termsWithLeader: this.checker.termsWithLeader,
        finalVoters: this.currentVoters(),
        clientOperations: this.history.length,
      },
    };
  }
}
