// Task status updates from agents, batched into Raft writes (DESIGN.md, "Status updates"). An
// update waits in a bounded queue keyed by task: a later update for the same task replaces the
// one waiting (the newest by the agent's sequence), so a task that went preparing → starting →
// running within one batch costs one write. A batch goes out when it is full or when its oldest
// update has waited `delayMs`, one write at a time; a failed write's updates go back to the head
// of the queue, under the newer ones that came meanwhile, for the next batch (at most
// `attemptsMax` writes each). A full queue refuses the whole request: the agent sends it again.

import type { Clock, Timer } from '../../shared/clock.js';
import { assert, ShoalError, invalidArgument, unavailable } from '../../shared/errors.js';
import { RateLimitedLog } from '../../shared/log-limit.js';
import { silentLogger, type Logger } from '../../shared/logger.js';

export interface StatusUpdate<S> {
  readonly taskId: string;
  readonly nodeId: string;
  /** The agent's session: sequences compare only within one (a restarted agent counts afresh). */
  readonly sessionId: string;
  /** Grows with each update the agent sends in its session: of two for one task, the higher wins. */
  readonly seq: number;
  readonly status: S;
}

/**
 * Writes one batch through Raft. Resolves once committed; rejects when nothing of it was (the
 * batch is then retried). It answers for the batch as a whole: a task deleted meanwhile or an
 * update that would move a task backwards is the writer's to skip, not a reason to reject.
 */
export type StatusWriter<S> = (batch: readonly StatusUpdate<S>[]) => Promise<void>;

export interface StatusBatchLimits {
  /** Updates per write (and per request offered). */
  readonly batchMax: number;
  /** How long the oldest waiting update may wait for its batch to fill. */
  readonly delayMs: number;
  /** Updates waiting to be written; a request that would go beyond is refused. */
  readonly queueMax: number;
  /** Writes an update takes part in before it is dropped. */
  readonly attemptsMax: number;
}

export const STATUS_BATCH_DEFAULTS: StatusBatchLimits = {
  batchMax: 1_000,
  delayMs: 100,
  queueMax: 10_000,
  attemptsMax: 5,
};

export interface StatusBatchStats {
  readonly waiting: number;
  readonly inFlight: number;
  readonly offered: number;
  /** Waiting updates replaced by a newer one for the same task. */
  readonly replaced: number;
  /** Updates that came older than the one waiting or being written for their task. */
  readonly stale: number;
  readonly refusedQueueFull: number;
  readonly writes: number;
  readonly writeFailures: number;
  readonly written: number;
  readonly largestBatch: number;
  readonly droppedAfterAttempts: number;
  readonly droppedAtClose: number;
}

interface Waiting<S> {
  readonly update: StatusUpdate<S>;
  /** When the first update for this task entered the queue (a replacement keeps it). */
  readonly sinceMs: number;
  /** Writes this task's update has failed in. */
  readonly failures: number;
}

/** Whether `a` should replace `b`, `a` having come after it. */
function supersedes<S>(a: StatusUpdate<S>, b: StatusUpdate<S>): boolean {
  return a.sessionId !== b.sessionId || a.seq > b.seq;
}

export class StatusBatcher<S> {
  private readonly limits: StatusBatchLimits;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly limitLog: RateLimitedLog;
  /** Keyed by task, in the order batches take them: retried updates first, then by arrival. */
  private waiting = new Map<string, Waiting<S>>();
  private inFlight: Map<string, Waiting<S>> | undefined;
  /** After a failed write, the next waits until then: no hot loop against a Raft that refuses. */
  private notBeforeMs = -Infinity;
  private timer: Timer | undefined;
  private timerDueMs = Infinity;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private counts = { offered: 0, replaced: 0, stale: 0, refusedQueueFull: 0, writes: 0, writeFailures: 0, written: 0, largestBatch: 0, droppedAfterAttempts: 0, droppedAtClose: 0 };

  constructor(
    private readonly write: StatusWriter<S>,
    options: { readonly clock: Clock; readonly limits?: Partial<StatusBatchLimits>; readonly logger?: Logger },
  ) {
    this.limits = { ...STATUS_BATCH_DEFAULTS, ...options.limits };
    for (const [name, value] of Object.entries(this.limits)) {
      assert(Number.isInteger(value) && value >= (name === 'delayMs' ? 0 : 1), `status batcher: ${name} must be a whole number ≥ 1 (delayMs ≥ 0), got ${value}`);
    }
    this.clock = options.clock;
    this.logger = options.logger ?? silentLogger();
    this.limitLog = new RateLimitedLog(this.logger, this.clock);
  }

  /**
   * Queues one request's updates, all or none. Throws `dispatcher.status_request_too_large`
   * (invalid_argument) for more than batchMax updates, `dispatcher.status_queue_full`
   * (resource_exhausted, field retryAfterMs) when they would take the queue past queueMax, and
   * `dispatcher.status_closed` (unavailable) after close.
   */
  offer(updates: readonly StatusUpdate<S>[]): void {
    if (this.closed) throw unavailable('dispatcher.status_closed', 'task status updates: this manager no longer leads; send them to the leader');
    const { batchMax, queueMax, delayMs } = this.limits;
    if (updates.length > batchMax) {
      throw invalidArgument('dispatcher.status_request_too_large', `task status updates: ${updates.length} in one request, at most ${batchMax} (batchMax)`, { fields: { batchMax } });
    }
    const newTasks = new Set<string>();
    for (const u of updates) if (!this.waiting.has(u.taskId)) newTasks.add(u.taskId);
    if (this.waiting.size + newTasks.size > queueMax) {
      this.counts.refusedQueueFull += updates.length;
      this.limitLog.note('warn', 'status_queue_full', { limit: 'queueMax', value: queueMax, refused: updates.length }, 'dispatcher: task status updates refused: the queue is full');
      throw new ShoalError('resource_exhausted', 'dispatcher.status_queue_full', `task status updates: ${this.waiting.size} are waiting to be written (queueMax ${queueMax}); send them again in ${delayMs} ms`, { fields: { queueMax, retryAfterMs: delayMs } });
    }
    const nowMs = this.clock.nowMs();
    for (const u of updates) this.enqueue(u, nowMs);
    this.counts.offered += updates.length;
    this.schedule();
  }

  /**
   * Stops (leadership lost): the waiting updates are dropped (the agents send them again to the
   * next leader) and later offers refused; a write in flight runs its course. Returns how many
   * were dropped.
   */
  close(): number {
    if (this.closed) return 0;
    this.closed = true;
    this.cancelTimer();
    const dropped = this.waiting.size;
    this.waiting.clear();
    this.counts.droppedAtClose += dropped;
    if (dropped > 0) this.logger.info({ dropped }, 'dispatcher: task status updates dropped at close');
    return dropped;
  }

  /** Resolves once no write is in flight. */
  idle(): Promise<void> {
    if (this.inFlight === undefined) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stats(): StatusBatchStats {
    return { waiting: this.waiting.size, inFlight: this.inFlight?.size ?? 0, ...this.counts };
  }

  private enqueue(update: StatusUpdate<S>, nowMs: number): void {
    const writing = this.inFlight?.get(update.taskId);
    if (writing !== undefined && !supersedes(update, writing.update)) {
      this.counts.stale++;
      return;
    }
    const current = this.waiting.get(update.taskId);
    if (current === undefined) {
      this.waiting.set(update.taskId, { update, sinceMs: nowMs, failures: 0 });
    } else if (supersedes(update, current.update)) {
      this.waiting.set(update.taskId, { update, sinceMs: current.sinceMs, failures: 0 }); // keeps its place
      this.counts.replaced++;
    } else {
      this.counts.stale++;
    }
  }

  /** Writes now if a batch is due, or sets the one timer for when it will be. */
  private schedule(): void {
    if (this.closed || this.inFlight !== undefined || this.waiting.size === 0) {
      this.cancelTimer();
      return;
    }
    const nowMs = this.clock.nowMs();
    const oldest = this.waiting.values().next().value as Waiting<S>;
    const full = this.waiting.size >= this.limits.batchMax;
    const dueMs = Math.max(this.notBeforeMs, full ? nowMs : oldest.sinceMs + this.limits.delayMs);
    if (dueMs <= nowMs) {
      this.cancelTimer();
      this.flush();
      return;
    }
    if (this.timer !== undefined && this.timerDueMs === dueMs) return;
    this.cancelTimer();
    this.timerDueMs = dueMs;
    this.timer = this.clock.setTimer(dueMs - nowMs, () => {
      this.timer = undefined;
      this.timerDueMs = Infinity;
      this.schedule();
    });
  }

  private flush(): void {
    const batch = new Map<string, Waiting<S>>();
    for (const [taskId, w] of this.waiting) {
      if (batch.size >= this.limits.batchMax) break;
      batch.set(taskId, w);
    }
    for (const taskId of batch.keys()) this.waiting.delete(taskId);
    this.inFlight = batch;
    this.counts.writes++;
    this.counts.largestBatch = Math.max(this.counts.largestBatch, batch.size);
    const updates = [...batch.values()].map((w) => w.update);
    let written: Promise<void>;
    try {
      written = this.write(updates);
    } catch (err) {
      written = Promise.reject(err);
    }
    void written.then(
      () => this.settled(undefined),
      (err: unknown) => this.settled(err ?? new Error('write failed')),
    );
  }

  private settled(err: unknown): void {
    const batch = this.inFlight as Map<string, Waiting<S>>;
    this.inFlight = undefined;
    if (err === undefined) {
      this.counts.written += batch.size;
    } else {
      this.counts.writeFailures++;
      this.limitLog.note('warn', 'status_write_failed', { updates: batch.size, err: err instanceof Error ? err.message : String(err) }, 'dispatcher: a batch of task status updates was not written; retrying it with the next');
      if (!this.closed) this.requeue(batch);
    }
    for (const resolve of this.idleWaiters.splice(0)) resolve();
    this.schedule();
  }

  /** Puts a failed batch back at the head of the queue, under the newer updates that came meanwhile. */
  private requeue(batch: Map<string, Waiting<S>>): void {
    const retried = new Map<string, Waiting<S>>();
    let dropped = 0;
    for (const [taskId, w] of batch) {
      const newer = this.waiting.get(taskId);
      if (newer !== undefined && supersedes(newer.update, w.update)) continue;
      if (w.failures + 1 >= this.limits.attemptsMax) {
        dropped++;
        continue;
      }
      this.waiting.delete(taskId);
      retried.set(taskId, { ...w, failures: w.failures + 1 });
    }
    this.waiting = new Map([...retried, ...this.waiting]);
    this.notBeforeMs = this.clock.nowMs() + this.limits.delayMs;
    if (dropped > 0) {
      this.counts.droppedAfterAttempts += dropped;
      this.limitLog.note('warn', 'status_attempts_max', { limit: 'attemptsMax', value: this.limits.attemptsMax, dropped }, 'dispatcher: task status updates dropped after attemptsMax failed writes');
    }
  }

  private cancelTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.timerDueMs = Infinity;
  }
}
