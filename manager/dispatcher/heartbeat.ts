// Which nodes are alive, as the leader sees them (DESIGN.md). Pure: time comes in as `nowMs`
// arguments and randomness as an Rng; nothing here is written through Raft. The leader turns the
// `down` and `up` events into store writes; heartbeats themselves stay in this memory.
//
// A node's entry moves:
//   waiting (known at leadership start, no session yet) --register--> up
//   waiting --no register within the grace--> down      (event: down)
//   up --heartbeat or register--> up                    (deadline moved)
//   up --missedMax periods of silence--> down           (event: down, once)
//   down --heartbeat on its session, or register--> up  (event: up, once)
//   any --remove--> gone
//
// Time is counted on a "tracker clock" that stops while the leader's own event loop stalls: each
// tick knows when it was due, and a tick that comes S ms late moves every deadline by S (one
// number, `stalledMs`, subtracted from the clock), so a node is never declared down because the
// manager, not the node, was slow.

import { assert, ShoalError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import type { Rng } from '../../shared/rng.js';
import type { NodeState } from '../store/types.js';

/** What the cluster object decides (ClusterSpec); applied from each node's next heartbeat on. */
export interface HeartbeatSettings {
  /** The cluster's heartbeat period: no node is ever told to wait longer than this. */
  readonly periodMs: number;
  /** A node silent for more than this many periods is down. */
  readonly missedMax: number;
  /** Each answer is drawn in [periodMs × (1 − jitterFraction), periodMs], whole ms. */
  readonly jitterFraction: number;
}

export const HEARTBEAT_DEFAULTS = {
  periodMs: 1_000,
  missedMax: 3,
  jitterFraction: 0.2,
  /** The tracker's own timer: how often deadlines are checked (and the tick a stall is measured against). */
  tickIntervalMs: 100,
  /** Nodes tracked at once (sessions, waiting and down nodes); a register beyond is refused. */
  nodesMax: 10_000,
  /** A late tick from this much on is logged as a stall (every late ms is credited, logged or not). */
  stallLogMinMs: 50,
  /** Lines about the same limit at most this often. */
  limitLogIntervalMs: 10_000,
} as const;

export type TrackedState = 'waiting' | 'up' | 'down';

/** A node as the store knows it when this manager starts leading. */
export interface KnownNode {
  readonly nodeId: string;
  readonly state: NodeState;
}

export interface DownEvent {
  readonly kind: 'down';
  readonly nodeId: string;
  /** The leader's clock at the last heartbeat or registration; absent when this leader never heard it. */
  readonly lastHeartbeatAtMs?: number;
  /** Whole periods of silence, not counting the leader's own stalls; more than missedMax. */
  readonly missed: number;
}

export interface UpEvent {
  readonly kind: 'up';
  readonly nodeId: string;
  readonly sessionId: string;
}

export type LivenessEvent = DownEvent | UpEvent;

export interface Registration {
  readonly sessionId: string;
  /** Send the next heartbeat within this. */
  readonly periodMs: number;
  /** The node's previous session, now invalid: the wiring closes its stream. */
  readonly replacedSessionId?: string;
  /** Present when the node was down: the leader writes it back. */
  readonly up?: UpEvent;
}

export interface HeartbeatAnswer {
  readonly periodMs: number;
  readonly up?: UpEvent;
}

export interface HeartbeatTrackerOptions {
  readonly rng: Rng;
  readonly settings?: Partial<HeartbeatSettings>;
  readonly tickIntervalMs?: number;
  readonly nodesMax?: number;
  /** How long nodes known at leadership start have to register; missedMax × periodMs when absent. */
  readonly leaderGraceMs?: number;
  readonly stallLogMinMs?: number;
  readonly logger?: Logger;
}

export interface HeartbeatStats {
  readonly waiting: number;
  readonly up: number;
  readonly down: number;
  readonly downDeclared: number;
  readonly upDeclared: number;
  readonly ticks: number;
  /** Ticks that looked at every node (the others knew no deadline could have passed). */
  readonly scans: number;
  /** All lateness of ticks, credited to every deadline. */
  readonly stalledMs: number;
  readonly longestStallMs: number;
  /** Ticks late by stallLogMinMs or more. */
  readonly stalls: number;
  readonly refusedNodesMax: number;
  /** Nodes of the store left untracked at leadership start because of nodesMax. */
  readonly untrackedAtStart: number;
}

interface NodeEntry {
  state: TrackedState;
  sessionId: string | undefined;
  lastHeartbeatAtMs: number | undefined;
  /** On the tracker clock: the last contact (or the leadership start), and when silence becomes down. */
  lastContactMs: number;
  deadlineMs: number;
  /** The period in force at the last contact, against which `missed` is counted. */
  periodMs: number;
}

function checkSettings(s: HeartbeatSettings): HeartbeatSettings {
  assert(Number.isInteger(s.periodMs) && s.periodMs >= 1, `heartbeat: periodMs must be a whole number ≥ 1, got ${s.periodMs}`);
  assert(Number.isInteger(s.missedMax) && s.missedMax >= 1, `heartbeat: missedMax must be a whole number ≥ 1, got ${s.missedMax}`);
  assert(s.jitterFraction >= 0 && s.jitterFraction <= 0.5, `heartbeat: jitterFraction must be in [0, 0.5], got ${s.jitterFraction}`);
  return s;
}

export class HeartbeatTracker {
  private readonly entries = new Map<string, NodeEntry>();
  private settings: HeartbeatSettings;
  private readonly rng: Rng;
  private readonly logger: Logger;
  private readonly tickIntervalMs: number;
  private readonly nodesMax: number;
  private readonly stallLogMinMs: number;
  /** Lateness credited so far: the tracker clock is `nowMs − stalledMs`. */
  private stalledMs = 0;
  private tickDueAtMs: number;
  /** No live deadline is below this (tracker clock): a tick before it need not look. */
  private earliestDeadlineMs = Infinity;
  private sessionsIssued = 0;
  private limitLoggedAtMs = -Infinity;
  private limitHeldBack = 0;
  private counts = { downDeclared: 0, upDeclared: 0, ticks: 0, scans: 0, longestStallMs: 0, stalls: 0, refusedNodesMax: 0, untrackedAtStart: 0 };

  /** Made when this manager starts leading: every node the store knows gets one full grace. */
  constructor(startMs: number, knownNodes: Iterable<KnownNode>, options: HeartbeatTrackerOptions) {
    this.settings = checkSettings({ ...HEARTBEAT_DEFAULTS, ...options.settings });
    this.rng = options.rng;
    this.logger = options.logger ?? silentLogger();
    this.tickIntervalMs = options.tickIntervalMs ?? HEARTBEAT_DEFAULTS.tickIntervalMs;
    this.nodesMax = options.nodesMax ?? HEARTBEAT_DEFAULTS.nodesMax;
    this.stallLogMinMs = options.stallLogMinMs ?? HEARTBEAT_DEFAULTS.stallLogMinMs;
    assert(Number.isInteger(this.tickIntervalMs) && this.tickIntervalMs >= 1, `heartbeat: tickIntervalMs must be a whole number ≥ 1, got ${this.tickIntervalMs}`);
    assert(Number.isInteger(this.nodesMax) && this.nodesMax >= 1, `heartbeat: nodesMax must be a whole number ≥ 1, got ${this.nodesMax}`);
    this.tickDueAtMs = startMs + this.tickIntervalMs;
    const graceMs = options.leaderGraceMs ?? this.settings.periodMs * this.settings.missedMax;
    assert(graceMs >= 0, `heartbeat: leaderGraceMs must be ≥ 0, got ${graceMs}`);
    this.admitKnown(startMs, knownNodes, graceMs);
  }

  /** When the tracker's timer should fire next (HeartbeatTicker arms it for this). */
  get nextTickAtMs(): number {
    return this.tickDueAtMs;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Opens a session for a node (a first contact, a reconnection, an agent restarted): the
   * previous one, if any, is invalid from now on. Counts as a heartbeat.
   * Throws `dispatcher.nodes_max` (resource_exhausted) for a node not tracked yet when nodesMax
   * nodes are: nothing changes, the agent registers again later.
   */
  register(nodeId: string, nowMs: number): Registration {
    let entry = this.entries.get(nodeId);
    if (entry === undefined) {
      if (this.entries.size >= this.nodesMax) throw this.refuseNodesMax(nodeId, nowMs);
      entry = { state: 'up', sessionId: undefined, lastHeartbeatAtMs: undefined, lastContactMs: 0, deadlineMs: 0, periodMs: 0 };
      this.entries.set(nodeId, entry);
    }
    const replaced = entry.sessionId;
    const sessionId = this.newSessionId();
    entry.sessionId = sessionId;
    const up = this.contact(nodeId, entry, nowMs);
    return { sessionId, periodMs: this.drawPeriodMs(), ...(replaced !== undefined ? { replacedSessionId: replaced } : {}), ...(up ? { up } : {}) };
  }

  /**
   * A heartbeat on a session: moves the node's deadline and answers with the period to use
   * next. A down node is up again (the answer carries the event).
   * Throws `dispatcher.session_unknown` (not_found) when the session is not this node's current
   * one on this tracker (replaced, or opened with another leader): the agent registers again.
   */
  heartbeat(nodeId: string, sessionId: string, nowMs: number): HeartbeatAnswer {
    const entry = this.entryWithSession(nodeId, sessionId);
    const up = this.contact(nodeId, entry, nowMs);
    return { periodMs: this.drawPeriodMs(), ...(up ? { up } : {}) };
  }

  /** Throws as `heartbeat` does unless `sessionId` is the node's current session (for status updates, streams). */
  checkSession(nodeId: string, sessionId: string): void {
    this.entryWithSession(nodeId, sessionId);
  }

  /**
   * The tracker's timer: measures how late it comes against when it was due, credits that to
   * every deadline, then declares down (once) every node silent past its deadline.
   */
  tick(nowMs: number): DownEvent[] {
    this.counts.ticks++;
    this.creditLateness(nowMs - this.tickDueAtMs, nowMs);
    this.tickDueAtMs = nowMs + this.tickIntervalMs;
    const trackerNowMs = nowMs - this.stalledMs;
    if (trackerNowMs <= this.earliestDeadlineMs) return [];
    this.counts.scans++;
    const downs: DownEvent[] = [];
    let earliest = Infinity;
    for (const [nodeId, entry] of this.entries) {
      if (entry.state === 'down') continue;
      if (trackerNowMs > entry.deadlineMs) {
        entry.state = 'down';
        const missed = Math.floor((trackerNowMs - entry.lastContactMs) / entry.periodMs);
        downs.push({ kind: 'down', nodeId, missed, ...(entry.lastHeartbeatAtMs !== undefined ? { lastHeartbeatAtMs: entry.lastHeartbeatAtMs } : {}) });
      } else if (entry.deadlineMs < earliest) {
        earliest = entry.deadlineMs;
      }
    }
    this.earliestDeadlineMs = earliest;
    if (downs.length > 0) {
      this.counts.downDeclared += downs.length;
      this.logger.info({ nodes: downs.length, first: downs.slice(0, 5).map((d) => d.nodeId) }, 'dispatcher: nodes missed their heartbeats and are down');
    }
    return downs;
  }

  /** Forgets a node (removed from the store, or left on purpose): its session ends, no event. */
  remove(nodeId: string): boolean {
    return this.entries.delete(nodeId);
  }

  /** The cluster object changed: from each node's next contact on, these apply. */
  updateSettings(settings: Partial<HeartbeatSettings>): void {
    this.settings = checkSettings({ ...this.settings, ...settings });
  }

  stateOf(nodeId: string): TrackedState | undefined {
    return this.entries.get(nodeId)?.state;
  }

  sessionOf(nodeId: string): string | undefined {
    return this.entries.get(nodeId)?.sessionId;
  }

  stats(): HeartbeatStats {
    const byState = { waiting: 0, up: 0, down: 0 };
    for (const e of this.entries.values()) byState[e.state]++;
    return { ...byState, ...this.counts, stalledMs: this.stalledMs };
  }

  private admitKnown(startMs: number, knownNodes: Iterable<KnownNode>, graceMs: number): void {
    for (const { nodeId, state } of knownNodes) {
      if (state === 'disconnected' || this.entries.has(nodeId)) continue; // left on purpose: not expected back
      if (this.entries.size >= this.nodesMax) {
        this.counts.untrackedAtStart++;
        continue;
      }
      const down = state === 'down'; // already written down: no second event, up when it comes back
      this.entries.set(nodeId, {
        state: down ? 'down' : 'waiting', sessionId: undefined, lastHeartbeatAtMs: undefined,
        lastContactMs: startMs, deadlineMs: startMs + graceMs, periodMs: this.settings.periodMs,
      });
      if (!down) this.earliestDeadlineMs = Math.min(this.earliestDeadlineMs, startMs + graceMs);
    }
    if (this.counts.untrackedAtStart > 0) {
      this.logger.warn({ limit: 'nodesMax', value: this.nodesMax, untracked: this.counts.untrackedAtStart }, 'dispatcher: the store holds more nodes than nodesMax; those beyond are not tracked and cannot register');
    }
  }

  /** A heartbeat or registration: the node is up, with a deadline missedMax periods away. */
  private contact(nodeId: string, entry: NodeEntry, nowMs: number): UpEvent | undefined {
    const wasDown = entry.state === 'down';
    const trackerNowMs = nowMs - this.stalledMs;
    entry.state = 'up';
    entry.lastHeartbeatAtMs = nowMs;
    entry.lastContactMs = trackerNowMs;
    entry.periodMs = this.settings.periodMs;
    // No answer is longer than periodMs (the jitter only shortens), so missedMax whole periods
    // cover missedMax heartbeats whatever was drawn: no further allowance is needed.
    entry.deadlineMs = trackerNowMs + this.settings.periodMs * this.settings.missedMax;
    this.earliestDeadlineMs = Math.min(this.earliestDeadlineMs, entry.deadlineMs);
    if (!wasDown) return undefined;
    this.counts.upDeclared++;
    this.logger.info({ nodeId }, 'dispatcher: a down node is heard again');
    return { kind: 'up', nodeId, sessionId: entry.sessionId as string };
  }

  private creditLateness(lateMs: number, nowMs: number): void {
    if (lateMs <= 0) return;
    this.stalledMs += lateMs;
    this.counts.longestStallMs = Math.max(this.counts.longestStallMs, lateMs);
    if (lateMs < this.stallLogMinMs) return;
    this.counts.stalls++;
    this.logger.warn({ lateMs, stalledMs: this.stalledMs, atMs: nowMs }, 'dispatcher: the event loop stalled; every heartbeat deadline moved by the stall');
  }

  private entryWithSession(nodeId: string, sessionId: string): NodeEntry {
    const entry = this.entries.get(nodeId);
    if (entry === undefined || entry.sessionId !== sessionId) {
      throw new ShoalError('not_found', 'dispatcher.session_unknown', `node ${nodeId}: session ${sessionId} is not open on this manager (replaced, or opened with another leader): register again`, { fields: { nodeId } });
    }
    return entry;
  }

  private drawPeriodMs(): number {
    const { periodMs, jitterFraction } = this.settings;
    return Math.max(1, Math.floor(periodMs * (1 - jitterFraction * this.rng.float())));
  }

  /** 64 random bits, and a counter so that two sessions of one tracker never share an id. */
  private newSessionId(): string {
    const hex = (n: number): string => n.toString(16).padStart(8, '0');
    return `${hex(this.rng.int(2 ** 32))}${hex(this.rng.int(2 ** 32))}-${(++this.sessionsIssued).toString(36)}`;
  }

  private refuseNodesMax(nodeId: string, nowMs: number): ShoalError {
    this.counts.refusedNodesMax++;
    if (nowMs - this.limitLoggedAtMs >= HEARTBEAT_DEFAULTS.limitLogIntervalMs) {
      this.logger.warn({ limit: 'nodesMax', value: this.nodesMax, nodeId, heldBackSinceLast: this.limitHeldBack }, 'dispatcher: a node was refused a session: nodesMax nodes are tracked');
      this.limitLoggedAtMs = nowMs;
      this.limitHeldBack = 0;
    } else {
      this.limitHeldBack++;
    }
    return new ShoalError('resource_exhausted', 'dispatcher.nodes_max', `node ${nodeId}: this manager tracks ${this.nodesMax} nodes already (nodesMax); register again later`, { fields: { nodeId, nodesMax: this.nodesMax } });
  }
}
