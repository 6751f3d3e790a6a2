// The dispatcher's wiring (proto/dispatcher.proto) on the leader: agents open a session and send
// heartbeats; the leader keeps who is alive in memory (manager/dispatcher/heartbeat.ts, never
// through Raft) and writes a node `ready` when it comes and `down` once when it falls silent.
// A session that opens writes what the agent reports of its host (engine labels, CPUs, memory:
// the scheduler's input) on the node, when it changed.
// A follower names the leader (`manager.not_leader` + leaderAddr); when leadership moves, every
// session here ends and the agents open one with the next leader, which gives every node one
// full grace period first.

import type { ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import type { HeartbeatRequest__Output } from '../../proto/gen/shoal/dispatcher/v1/HeartbeatRequest.js';
import type { HeartbeatResponse } from '../../proto/gen/shoal/dispatcher/v1/HeartbeatResponse.js';
import type { SessionMessage } from '../../proto/gen/shoal/dispatcher/v1/SessionMessage.js';
import type { SessionRequest__Output } from '../../proto/gen/shoal/dispatcher/v1/SessionRequest.js';
import { alreadyExists, failedPrecondition, oneLine, ShoalError, toGrpcStatus, unavailable } from '../../shared/errors.js';
import { peerCertificateOf } from '../../shared/grpc-peer.js';
import { unaryHandler } from '../../shared/grpc.js';
import { systemRng } from '../../shared/rng.js';
import { peerIdentity } from '../ca/identity.js';
import { HeartbeatTicker } from '../dispatcher/heartbeat-ticker.js';
import { HeartbeatTracker, type DownEvent } from '../dispatcher/heartbeat.js';
import { encodeCommand, type StoreOp } from '../store/command.js';
import { LABELS_MAX, TEXT_CHARS_MAX } from '../store/validate.js';
import { TASK_STATES, type NodeDescription, type NodeStatus, type StoreObjectOf, type TaskState } from '../store/types.js';
import type { Manager } from './manager.js';
import { assignedTo, reportedStatus, taskMessage } from './assignments.js';
import { StatusBatcher, type StatusUpdate } from '../dispatcher/status-batcher.js';
import { heardStatus, sameDescription } from '../dispatcher/node-return.js';
import type { AssignmentsMessage } from '../../proto/gen/shoal/dispatcher/v1/AssignmentsMessage.js';
import type { AssignmentsRequest__Output } from '../../proto/gen/shoal/dispatcher/v1/AssignmentsRequest.js';
import type { TaskStatus as TaskStatusMessage } from '../../proto/gen/shoal/dispatcher/v1/TaskStatus.js';
import type { UpdateTaskStatusRequest__Output } from '../../proto/gen/shoal/dispatcher/v1/UpdateTaskStatusRequest.js';
import type { UpdateTaskStatusResponse } from '../../proto/gen/shoal/dispatcher/v1/UpdateTaskStatusResponse.js';
import type { NodeDescription__Output } from '../../proto/gen/shoal/dispatcher/v1/NodeDescription.js';

const NANO_CPUS_PER_CPU = 1_000_000_000;
/** Writes of one node's status tried when another write changed the node meanwhile. */
export const NODE_WRITE_ATTEMPTS_MAX = 5;
/** Writes of a node `down` tried in all when they fail (a propose refused, conflicts), this far apart. */
export const DOWN_WRITE_ATTEMPTS_MAX = 5;
export const DOWN_WRITE_RETRY_MS = 500;

/**
 * What the scheduler needs of an agent's NodeDescription, as the store holds it. Labels the
 * store would refuse (an empty or over-long key or value, past LABELS_MAX) are left out and
 * named to `dropped`, rather than failing the session.
 */
export function storeDescription(d: NodeDescription__Output | null, dropped: (keys: string[]) => void): NodeDescription {
  const fits = (v: string): boolean => v.length > 0 && v.length <= TEXT_CHARS_MAX;
  const entries = Object.entries(d?.labels ?? {});
  const kept = entries.filter(([k, v]) => fits(k) && fits(v)).slice(0, LABELS_MAX);
  if (kept.length < entries.length) dropped(entries.filter((e) => !kept.includes(e)).map(([k]) => k.slice(0, 64)));
  const memoryBytes = Number(d?.memoryBytes ?? 0);
  const version = d?.agentVersion ?? '';
  return {
    ...(fits(version) ? { agentVersion: version } : {}),
    engineLabels: Object.fromEntries(kept),
    capacity: { memoryBytes: Number.isSafeInteger(memoryBytes) && memoryBytes > 0 ? memoryBytes : 0, nanoCpus: (d?.cpus ?? 0) * NANO_CPUS_PER_CPU },
  };
}

type Stream = ServerWritableStream<SessionRequest__Output, SessionMessage>;
type AssignmentsStream = ServerWritableStream<AssignmentsRequest__Output, AssignmentsMessage>;

export class Dispatcher {
  private tracker: HeartbeatTracker | undefined;
  private ticker: HeartbeatTicker | undefined;
  /** Open session streams by session id. */
  private readonly streams = new Map<string, Stream>();
  /** Open assignment streams, each ended with its session or this leadership. */
  private readonly assignmentStreams = new Set<{ readonly sessionId: string; end(err?: unknown): void }>();
  private batcher: StatusBatcher<TaskStatusMessage> | undefined;
  /** Arrival order of status reports: of two for one task in a batch, the later wins. */
  private statusSeq = 0;
  private starting: Promise<void> | undefined;
  /** Nodes heard again that still hold replaced containers: written ready once those stopped. */
  private readonly returning = new Set<string>();
  /** The period the tracker was last given. */
  private periodMs: number | undefined;
  /** Nodes whose heard-again write is under way (heartbeats do not pile more on). */
  private readonly writingUp = new Set<string>();

  constructor(private readonly manager: Manager) {}

  /** Called on every leadership change (never throws into Raft: the work runs on its own). */
  leadershipChanged(leading: boolean): void {
    this.stopTracking();
    if (leading) this.starting = this.startTracking().finally(() => (this.starting = undefined));
  }

  private async startTracking(): Promise<void> {
    try {
      await this.manager.readable();
      if (!this.manager.raft.isLeader()) return;
      const store = this.manager.store;
      const period = store.list('cluster')[0]?.spec.heartbeatPeriodMs;
      this.periodMs = period;
      // Nodes with an agent: every worker, and a manager's node once an agent on its host has
      // reported (a manager without one sends no heartbeats and must not be declared down).
      const known = store.list('node').filter((n) => n.spec.role === 'worker' || n.status.description !== undefined).map((n) => ({ nodeId: n.id, state: n.status.state }));
      const clock = this.manager.clock;
      this.tracker = new HeartbeatTracker(clock.nowMs(), known, { rng: systemRng, logger: this.manager.logger.child({ module: 'dispatcher' }), ...(period !== undefined ? { settings: { periodMs: period } } : {}) });
      this.ticker = new HeartbeatTicker(clock, this.tracker, (downs) => void this.writeDown(downs));
      this.ticker.start();
      this.batcher = new StatusBatcher<TaskStatusMessage>((batch) => this.writeStatuses(batch), { clock, logger: this.manager.logger.child({ module: 'dispatcher' }) });
    } catch (err) {
      this.manager.logger.warn({ err: oneLine(err) }, 'dispatcher: could not start tracking nodes; tried again at the next leadership');
    }
  }

  private stopTracking(): void {
    this.returning.clear();
    this.ticker?.stop();
    this.ticker = undefined;
    this.tracker = undefined;
    const gone = unavailable('manager.not_leader', 'this manager does not lead any more: open a session with the leader');
    for (const s of this.streams.values()) s.emit('error', toGrpcStatus(gone));
    this.streams.clear();
    for (const a of this.assignmentStreams) a.end(gone);
    this.assignmentStreams.clear();
    this.batcher?.close();
    this.batcher = undefined;
  }

  /**
   * The node's status as `status` makes it from the node as it is now; read again and retried
   * when another write got there first (the orchestrator fences its decisions on the node's
   * version), at most NODE_WRITE_ATTEMPTS_MAX times.
   */
  private async writeNodeStatus(nodeId: string, status: (n: StoreObjectOf<'node'>) => NodeStatus | undefined): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const n = this.manager.store.get('node', nodeId);
      if (n === undefined) return;
      const next = status(n);
      if (next === undefined) return;
      try {
        await this.manager.raft.propose(encodeCommand({ atMs: this.manager.clock.wallMs(), ops: [{ op: 'update', kind: 'node', id: n.id, version: n.meta.version, status: next }] }));
        return;
      } catch (err) {
        if (!(err instanceof ShoalError && err.code === 'store.conflict') || attempt >= NODE_WRITE_ATTEMPTS_MAX) throw err;
      }
    }
  }

  /**
   * Each node the tracker declared down is written `down`; a write that fails is tried again
   * (DOWN_WRITE_ATTEMPTS_MAX in all, DOWN_WRITE_RETRY_MS apart) while the tracker still holds the
   * node down and this leadership lasts: a node left `ready` in the store would never be replaced.
   */
  private async writeDown(downs: readonly DownEvent[], attempt = 1): Promise<void> {
    const tracker = this.tracker;
    const failed: DownEvent[] = [];
    for (const d of downs) {
      if (attempt === 1) this.manager.logger.warn({ nodeId: d.nodeId, missed: d.missed }, 'node down: its heartbeats stopped');
      this.returning.delete(d.nodeId);
      await this.writeNodeStatus(d.nodeId, (n) => (n.status.state === 'down' ? undefined : { ...n.status, state: 'down', message: `no heartbeat for ${d.missed} periods`, downAtMs: this.manager.clock.wallMs() })).catch((err: unknown) => {
        this.manager.logger.warn({ nodeId: d.nodeId, err: oneLine(err), attempt }, 'dispatcher: writing a node down failed');
        failed.push(d);
      });
    }
    if (failed.length === 0 || attempt >= DOWN_WRITE_ATTEMPTS_MAX) return;
    this.manager.clock.setTimer(DOWN_WRITE_RETRY_MS, () => {
      if (this.tracker !== tracker || tracker === undefined) return; // another leadership: it declares its own
      const still = failed.filter((d) => tracker.stateOf(d.nodeId) === 'down');
      if (still.length > 0) void this.writeDown(still, attempt + 1);
    });
  }

  /**
   * A node heard again: `ready`, or `unknown` while it still holds replaced containers
   * (manager/dispatcher/node-return.ts); such a node is `returning`, looked at again after each
   * batch of its status reports. `description`: what the agent reported when its session opened.
   */
  private async writeUp(nodeId: string, description?: NodeDescription): Promise<void> {
    if (description === undefined && this.writingUp.has(nodeId)) return; // one at a time; the next heartbeat looks again
    this.writingUp.add(nodeId);
    await this.writeNodeStatus(nodeId, (n) => {
      const heard = heardStatus(n, this.manager.store.tasksOnNode(nodeId), description);
      if (heard.returning) this.returning.add(nodeId);
      else this.returning.delete(nodeId);
      return heard.status;
    })
      .catch((err: unknown) => this.manager.logger.warn({ nodeId, err: oneLine(err) }, 'dispatcher: writing a node ready failed'))
      .finally(() => this.writingUp.delete(nodeId));
  }

  /** The cluster's heartbeat period, as `shoal cluster update --heartbeat-period` last set it: from each node's next contact on. */
  private followPeriod(tracker: HeartbeatTracker): void {
    const period = this.manager.store.list('cluster')[0]?.spec.heartbeatPeriodMs;
    if (period === undefined || period === this.periodMs) return;
    this.periodMs = period;
    tracker.updateSettings({ periodMs: period });
  }

  private leaderGone(): never {
    throw unavailable('manager.not_leader', 'this manager does not lead any more: send task status to the leader');
  }

  private leaderOnly(): HeartbeatTracker {
    const s = this.manager.raft.status();
    if (s.role === 'leader' && this.tracker !== undefined) return this.tracker;
    const addr = s.lead === 0 || s.lead === s.id ? undefined : this.manager.members().get(s.lead);
    if (addr === undefined) throw unavailable('manager.no_leader', 'no leader to hold the session yet; try again');
    throw failedPrecondition('manager.not_leader', `this manager is not the leader; the leader is at ${addr}`, { fields: { leaderAddr: addr } });
  }

  /**
   * Assignments: the full set for the caller's node, then the changes as they commit, until the
   * session or this leadership ends. Bounded by the store's watch queue (a reader too far behind
   * is cut off and opens the stream again, getting a full set).
   */
  private async streamAssignments(call: AssignmentsStream): Promise<void> {
    const tracker = this.leaderOnly();
    const nodeId = peerIdentity(peerCertificateOf(call)).nodeId;
    const sessionId = call.request.sessionId;
    tracker.checkSession(nodeId, sessionId);
    const store = this.manager.store;
    const watcher = store.watch();
    let ended = false;
    const entry = {
      sessionId,
      end: (err?: unknown): void => {
        if (ended) return;
        ended = true;
        watcher.close();
        if (err === undefined) call.end();
        else call.emit('error', toGrpcStatus(err));
      },
    };
    this.assignmentStreams.add(entry);
    call.on('cancelled', () => {
      ended = true;
      watcher.close();
      this.assignmentStreams.delete(entry);
    });
    const send = async (m: AssignmentsMessage): Promise<void> => {
      if (!call.write(m)) await new Promise<void>((resolve) => call.once('drain', resolve));
    };
    try {
      const full = store.tasksOnNode(nodeId).filter((t) => assignedTo(t, nodeId));
      /** What this agent was told it runs: a task that leaves the set is a REMOVE. */
      const assigned = new Set(full.map((t) => t.id));
      await send({ full: true, version: store.appliedIndex, changes: full.map((t) => ({ action: 'UPDATE', task: taskMessage(t) })) });
      for await (const e of watcher) {
        if (ended) break;
        if (e.object.kind !== 'task') continue;
        const task = e.type === 'delete' ? undefined : (e.object as StoreObjectOf<'task'>);
        if (assignedTo(task, nodeId)) {
          assigned.add(e.object.id);
          await send({ full: false, version: e.version, changes: [{ action: 'UPDATE', task: taskMessage(task as StoreObjectOf<'task'>) }] });
        } else if (assigned.delete(e.object.id)) {
          await send({ full: false, version: e.version, changes: [{ action: 'REMOVE', task: { id: e.object.id } }] });
        }
      }
      entry.end();
    } catch (err) {
      entry.end(err);
    } finally {
      this.assignmentStreams.delete(entry);
    }
  }

  /** Status reports through Raft, a batch at a time: forward only, for tasks of the reporting node. */
  private async writeStatuses(batch: readonly StatusUpdate<TaskStatusMessage>[]): Promise<void> {
    const ops: StoreOp[] = [];
    for (const u of batch) {
      const t = this.manager.store.get('task', u.taskId);
      if (t === undefined || t.spec.nodeId !== u.nodeId) continue; // deleted or moved meanwhile
      const next = reportedStatus(t.status, u.status);
      if (next !== undefined) ops.push({ op: 'update', kind: 'task', id: t.id, version: t.meta.version, status: next });
    }
    if (ops.length > 0) await this.manager.raft.propose(encodeCommand({ atMs: this.manager.clock.wallMs(), ops }));
    // A returning node whose last replaced container just stopped is ready now.
    for (const nodeId of new Set(batch.map((u) => u.nodeId))) if (this.returning.has(nodeId)) void this.writeUp(nodeId);
  }

  handlers() {
    return {
      Assignments: (call: AssignmentsStream): void => {
        this.streamAssignments(call).catch((err: unknown) => call.emit('error', toGrpcStatus(err)));
      },
      UpdateTaskStatus: unaryHandler(async (req: UpdateTaskStatusRequest__Output, call: ServerUnaryCall<UpdateTaskStatusRequest__Output, UpdateTaskStatusResponse>): Promise<UpdateTaskStatusResponse> => {
        const tracker = this.leaderOnly();
        const nodeId = peerIdentity(peerCertificateOf(call)).nodeId;
        tracker.checkSession(nodeId, req.sessionId);
        const updates: StatusUpdate<TaskStatusMessage>[] = [];
        for (const u of req.updates) {
          const t = this.manager.store.get('task', u.taskId);
          if (t === undefined || t.spec.nodeId !== nodeId) {
            throw new ShoalError('permission_denied', 'dispatcher.not_assigned', `task ${u.taskId} is not assigned to node ${nodeId}`);
          }
          if (u.status === null) continue;
          // Of two reports for one task waiting together, the batcher keeps the higher seq: the
          // further state first (a late report never undoes a later one), then the later arrival.
          this.statusSeq = (this.statusSeq + 1) % 2 ** 32;
          const rank = Math.max(0, TASK_STATES.indexOf(u.status.state as TaskState));
          updates.push({ taskId: u.taskId, nodeId, sessionId: req.sessionId, seq: rank * 2 ** 32 + this.statusSeq, status: u.status });
        }
        (this.batcher ?? this.leaderGone()).offer(updates);
        return {};
      }),
      Session: (call: Stream): void => {
        this.openSession(call).catch((err: unknown) => call.emit('error', toGrpcStatus(err)));
      },
      Heartbeat: unaryHandler(async (req: HeartbeatRequest__Output, call: ServerUnaryCall<HeartbeatRequest__Output, HeartbeatResponse>): Promise<HeartbeatResponse> => {
        const tracker = this.leaderOnly();
        const nodeId = peerIdentity(peerCertificateOf(call)).nodeId;
        this.followPeriod(tracker);
        const answer = tracker.heartbeat(nodeId, req.sessionId, this.manager.clock.nowMs());
        // Written when it comes back, and again on a later heartbeat while the store does not say
        // ready (a write that failed; a returning node whose last reports came in another way).
        if (answer.up !== undefined || this.manager.store.get('node', nodeId)?.status.state !== 'ready') void this.writeUp(nodeId);
        return { periodMs: answer.periodMs };
      }),
    };
  }

  private async openSession(call: Stream): Promise<void> {
    const tracker = this.leaderOnly();
    const nodeId = peerIdentity(peerCertificateOf(call)).nodeId;
    const d = call.request.description;
    const hostname = d?.hostname ?? '';
    const existing = this.manager.store.get('node', nodeId);
    const description = storeDescription(d, (dropped) => this.manager.logger.warn({ nodeId, hostname, dropped }, 'agent session: engine labels the store cannot hold were left out'));
    if (existing === undefined) {
      const taken = this.manager.store.byNameOf('node', hostname);
      if (taken !== undefined) throw alreadyExists('manager.hostname_taken', `hostname ${hostname} is taken by node ${taken.id}: run the agent with another --hostname`);
      const op: StoreOp = { op: 'create', kind: 'node', id: nodeId, spec: { hostname, role: 'worker', availability: 'active', labels: {} }, status: { state: 'ready', ...(d?.advertiseAddress ? { addr: d.advertiseAddress } : {}), description } };
      await this.manager.raft.propose(encodeCommand({ atMs: this.manager.clock.wallMs(), ops: [op] }));
    }
    const reg = tracker.register(nodeId, this.manager.clock.nowMs());
    if (reg.replacedSessionId !== undefined) {
      this.streams.get(reg.replacedSessionId)?.end();
      this.streams.delete(reg.replacedSessionId);
      for (const a of this.assignmentStreams) if (a.sessionId === reg.replacedSessionId) a.end();
    }
    if (existing !== undefined && (existing.status.state !== 'ready' || !sameDescription(existing.status.description, description))) void this.writeUp(nodeId, description);
    this.streams.set(reg.sessionId, call);
    call.on('cancelled', () => this.streams.delete(reg.sessionId));
    const managers = [...this.manager.members()].map(([raftId, address]) => ({ raftId, address }));
    call.write({ sessionId: reg.sessionId, nodeId, managers, heartbeatPeriodMs: reg.periodMs });
    this.manager.logger.info({ nodeId, hostname, sessionId: reg.sessionId }, 'agent session opened');
  }

  async stop(): Promise<void> {
    this.stopTracking();
    await this.starting;
  }
}

