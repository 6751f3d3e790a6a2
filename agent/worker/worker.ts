// The agent's worker (after swarmkit's agent/worker.go): runs what the managers assign to this
// node and reports it. The session (session.ts) tells it each time a session opens and ends; it
// opens Dispatcher.Assignments with that session and reconciles the tasks it is given against
// the containers it made (labelled com.shoal.task.id), through the supervisor:
//   desired running, not run yet: accepted → preparing (pull when the store lacks the image) →
//     starting (create + start) → running; its exit: complete (0) or failed (code, signal, OOM),
//     or, when its --restart says so, the same container started again after a backoff
//     (restarts.ts: running throughout, the message says restarting / restarted N times).
//   desired shutdown: stopped (its stop signal, then SIGKILL after its grace) → shutdown.
//   desired remove, a REMOVE, or absent from a full set: stopped and its container removed.
// Containers without the label (`shoal ctr`) are never touched. After a restart of the agent the
// containers it finds by label (the shim kept them) are adopted, not restarted: reported running,
// or their exit. Status updates go out batched, the newest per task (StatusReporter).
// A task with --stop-on-disconnect D is stopped once no manager has answered for D (fencing.ts).
// Bounds: STARTS_AT_ONCE tasks prepared at once (one pull per image however many tasks name it), TASKS_MAX tasks held, STATUS_PENDING_MAX updates waiting, STATUS_BATCH_MAX per call.

import type { ClientReadableStream } from '@grpc/grpc-js';
import type { AssignmentsMessage__Output } from '../../proto/gen/shoal/dispatcher/v1/AssignmentsMessage.js';
import type { DispatcherClient } from '../../proto/gen/shoal/dispatcher/v1/Dispatcher.js';
import type { Task__Output } from '../../proto/gen/shoal/dispatcher/v1/Task.js';
import type { TaskStatus } from '../../proto/gen/shoal/dispatcher/v1/TaskStatus.js';
import type { TaskStatusUpdate } from '../../proto/gen/shoal/dispatcher/v1/TaskStatusUpdate.js';
import type { ContainerSpec__Output } from '../../proto/gen/shoal/types/v1/ContainerSpec.js';
import type { Clock, Timer } from '../../shared/clock.js';
import { oneLine, ShoalError } from '../../shared/errors.js';
import { callUnary } from '../../shared/grpc.js';
import { canonicalReference, parseImageReference } from '../../shared/image-reference.js';
import type { Logger } from '../../shared/logger.js';
import { hostPlatform } from '../images/manifest.js';
import type { Supervisor } from '../runtime/supervisor.js';
import type { TaskExit } from '../shim/protocol.js';
import { fenceGraceMs, fenceMessage, fenceStopAtMs, STOP_ON_DISCONNECT_LABEL, stopOnDisconnectOfLabel } from './fencing.js';
import { memoryRestartLedger, type RestartLedger } from './restart-ledger.js';
import { decideRestart, exitText, restartedMessage, restartingMessage, restartPolicyOf, type RestartRecord } from './restarts.js';

export const TASK_LABEL = 'com.shoal.task.id';
export const NODE_LABEL = 'com.shoal.node.id';
/** Tasks held at once; more in one assignment set are refused (reported rejected). */
export const TASKS_MAX = 1_000;
/** Status updates waiting to be sent (the newest per task); beyond it the oldest waiting are dropped, logged. */
export const STATUS_PENDING_MAX = 2_000;
/** Tasks being prepared and started at once (pull, create, start); the others wait their turn. */
export const STARTS_AT_ONCE = 4;
/** Updates per UpdateTaskStatus call. */
export const STATUS_BATCH_MAX = 200;
/** A failed send (or Assignments stream) is tried again after this, doubling to the max. */
export const WORKER_RETRY = { initialDelayMs: 200, maxDelayMs: 5_000 } as const;
const STATUS_CALL_TIMEOUT_MS = 5_000;
/** A pull that has not finished in this long is abandoned (the task rejected): a stalled registry would hold a start slot. */
export const PULL_TIMEOUT_MS = 10 * 60_000;
/** A message in a status, at most (the store's limit on a status message is 1,024). */
const MESSAGE_CHARS_MAX = 1_000;

/** What the worker needs of the supervisor (supervisorRuntime adapts the real one; fake-runtime.ts is the tests'). */
export interface WorkerRuntime {
  /** Every container, with its labels. */
  list(): readonly { readonly id: string; readonly name: string; readonly labels: Readonly<Record<string, string>>; readonly running: boolean; readonly exit?: TaskExit }[];
  hasImage(reference: string): Promise<boolean>;
  pullImage(reference: string): Promise<void>;
  /** Creates and starts; resolves with the container's id once it runs. */
  run(name: string, spec: ContainerSpec__Output): Promise<string>;
  /** Starts a stopped container again: the same container (id, rootfs, logs), a new process. */
  restart(id: string): Promise<void>;
  wait(id: string): Promise<TaskExit>;
  /** Its stop signal, then SIGKILL after `graceMs` (absent or 0: its own grace); done at once when it does not run. */
  stop(id: string, graceMs?: number): Promise<void>;
  remove(id: string): Promise<void>;
}

export type TaskState = 'accepted' | 'preparing' | 'starting' | 'running' | 'complete' | 'failed' | 'shutdown' | 'rejected';
const RANK: Record<TaskState, number> = { accepted: 1, preparing: 2, starting: 3, running: 4, complete: 5, failed: 5, shutdown: 5, rejected: 5 };
/** Ended for good as the managers hold it: not restarted (an orphaned task may still run, and restart). */
const FINISHED = new Set(['complete', 'failed', 'shutdown', 'rejected']);

/** The real supervisor as a WorkerRuntime; `insecureRegistries` (HOST:PORT) are pulled from over plain HTTP. */
export function supervisorRuntime(sup: Supervisor, insecureRegistries: readonly string[], clock: Clock): WorkerRuntime {
  return {
    list: () => sup.list(true).map((c) => ({ id: c.id, name: c.name, labels: c.spec.labels, running: c.state === 'running' || c.state === 'paused', ...(c.exit !== undefined ? { exit: c.exit } : {}) })),
    hasImage: async (reference) => (await sup.listImages()).some((i) => i.reference === canonicalReference(reference)),
    pullImage: async (reference) => {
      const insecure = insecureRegistries.includes(parseImageReference(reference).domain);
      const abort = new AbortController();
      const timer = clock.setTimer(PULL_TIMEOUT_MS, () => abort.abort(new ShoalError('deadline_exceeded', 'worker.pull_timeout', `not pulled within ${PULL_TIMEOUT_MS / 60_000} minutes`)));
      try {
        await sup.pullImage(reference, { insecure, platform: hostPlatform(), signal: abort.signal });
      } finally {
        timer.cancel();
      }
    },
    run: async (name, spec) => {
      const c = await sup.create(name, spec);
      try {
        await sup.start(c.id);
      } catch (err) {
        await sup.delete(c.id, true).catch((e: unknown) => {
          throw new ShoalError('internal', 'worker.start_failed', `${oneLine(err)}; and its container could not be removed: ${oneLine(e)}`);
        });
        throw err;
      }
      return c.id;
    },
    restart: async (id) => {
      await sup.start(id);
    },
    wait: (id) => sup.wait(id),
    stop: async (id, graceMs) => {
      const c = sup.find(id);
      if (c.state === 'running' || c.state === 'paused') await sup.stop(id, graceMs ?? 0);
    },
    remove: (id) => sup.delete(id, true),
  };
}

/** Where updates go: one UpdateTaskStatus call. */
export type StatusSender = (updates: TaskStatusUpdate[]) => Promise<void>;

/**
 * Status updates, batched: the newest per task waits (STATUS_PENDING_MAX at most); one call at a
 * time sends up to STATUS_BATCH_MAX; a failed call puts back what no newer update replaced and is
 * retried after a backoff (an UNAVAILABLE) or dropped with a log (anything else: the managers
 * refused it, and would again).
 */
export class StatusReporter {
  private readonly pending = new Map<string, TaskStatus>();
  private sender: StatusSender | undefined;
  private sending = false;
  private failures = 0;
  /** After a refused batch: this many updates go one per call, so the one refused is the only one dropped. */
  private solo = 0;
  private timer: Timer | undefined;
  private idle: (() => void)[] = [];

  constructor(private readonly o: { readonly clock: Clock; readonly logger: Logger }) {}

  report(taskId: string, status: TaskStatus): void {
    this.pending.delete(taskId);
    this.pending.set(taskId, status);
    while (this.pending.size > STATUS_PENDING_MAX) {
      const oldest = this.pending.keys().next().value as string;
      this.pending.delete(oldest);
      this.o.logger.warn({ taskId: oldest, max: STATUS_PENDING_MAX }, 'too many task statuses waiting: the oldest dropped');
    }
    this.kick();
  }

  /** A new session's sender: what waits goes out at once through it, without the backoff. */
  setSender(sender: StatusSender | undefined): void {
    this.sender = sender;
    this.failures = 0;
    this.timer?.cancel();
    this.timer = undefined;
    this.kick();
  }

  get waiting(): number {
    return this.pending.size;
  }

  /** Resolves once nothing waits and no call is under way (tests). */
  drained(): Promise<void> {
    if (this.pending.size === 0 && !this.sending) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  stop(): void {
    this.timer?.cancel();
    this.sender = undefined;
  }

  /** Puts back what nothing newer replaced, ahead of the rest. */
  private putBack(batch: readonly TaskStatusUpdate[]): void {
    const rest = [...this.pending];
    this.pending.clear();
    for (const u of batch) this.pending.set(u.taskId as string, u.status as TaskStatus);
    for (const [id, s] of rest) {
      this.pending.delete(id);
      this.pending.set(id, s);
    }
  }

  private kick(): void {
    if (this.sending || this.sender === undefined || this.timer !== undefined) return;
    if (this.pending.size === 0) {
      for (const f of this.idle.splice(0)) f();
      return;
    }
    const batch: TaskStatusUpdate[] = [];
    for (const [taskId, status] of this.pending) {
      if (batch.length >= (this.solo > 0 ? 1 : STATUS_BATCH_MAX)) break;
      batch.push({ taskId, status });
    }
    for (const u of batch) this.pending.delete(u.taskId as string);
    if (this.solo > 0) this.solo--;
    this.sending = true;
    const sender = this.sender;
    sender(batch).then(
      () => {
        this.sending = false;
        this.failures = 0;
        this.kick();
      },
      (err: unknown) => {
        this.sending = false;
        const retry = err instanceof ShoalError && (err.kind === 'unavailable' || err.kind === 'deadline_exceeded' || err.kind === 'cancelled');
        if (!retry && batch.length === 1) {
          this.o.logger.warn({ err: oneLine(err), taskId: batch[0]?.taskId }, 'task status refused by the managers: dropped');
          this.kick();
          return;
        }
        this.putBack(batch);
        if (!retry) {
          // One update refuses the whole call (a task removed meanwhile): the batch again, one by one.
          this.solo = batch.length;
          this.o.logger.info({ err: oneLine(err), tasks: batch.length }, 'task statuses refused by the managers: sent again one at a time');
          this.kick();
          return;
        }
        this.failures++;
        const delay = Math.min(WORKER_RETRY.maxDelayMs, WORKER_RETRY.initialDelayMs * 2 ** Math.min(this.failures - 1, 16));
        this.o.logger.info({ err: oneLine(err), retryInMs: delay }, 'task statuses not sent: retried');
        this.timer = this.o.clock.setTimer(delay, () => {
          this.timer = undefined;
          this.kick();
        });
      },
    );
  }
}

interface Held {
  task: Task__Output;
  /** The container made (or found) for it. */
  containerId?: string;
  /** The last state reported (or that the managers hold, for one found at start). */
  reported?: TaskState;
  /** Operations on this task run one after the other. */
  chain: Promise<void>;
  /** A stop was asked by the worker: the exit that follows is a shutdown, not a failure (nor restarted). */
  stopping: boolean;
  /** Why, when the managers did not ask for it (fencing): the shutdown's message. */
  stopReason?: string;
  forgotten: boolean;
  /** When its container last started (or was found running), by the worker's clock: how long a run lasted. */
  startedAtMs?: number;
  /** Its restarts so far (--restart), as the ledger keeps them. */
  restarts?: RestartRecord;
  /** A restart waiting out its backoff. */
  restartTimer?: Timer;
}

/** A labelled container found at start, until the first full set claims it. */
interface Found {
  readonly id: string;
  readonly running: boolean;
  readonly exit?: TaskExit;
  /** Its task's --stop-on-disconnect, from its label: fenced even before a manager is heard. */
  readonly stopOnDisconnectMs?: number;
  /** Stopped by fencing before its task came. */
  fenced?: boolean;
}

export interface WorkerOptions {
  readonly nodeId: string;
  readonly runtime: WorkerRuntime;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where restart counts are kept across agent restarts (restart-ledger.ts); in memory when absent. */
  readonly restartLedger?: RestartLedger;
}

/** The reconciler: assignment messages in, container operations and status reports out. */
export class Worker {
  readonly reporter: StatusReporter;
  private readonly tasks = new Map<string, Held>();
  /** Containers with our label found at start, by task id, until the first full set claims or drops them. */
  private found: Map<string, Found> | undefined;
  private stream: ClientReadableStream<AssignmentsMessage__Output> | undefined;
  private session: { client: DispatcherClient; sessionId: string } | undefined;
  private streamTimer: Timer | undefined;
  private streamFailures = 0;
  private stopped = false;
  private appliedCount = 0;
  /** Pulls under way, by image as the task names it: tasks naming one image share its pull. */
  private readonly pulls = new Map<string, Promise<void>>();
  private starting = 0;
  /** Tasks waiting for a start slot: at most TASKS_MAX (one per task held). */
  private readonly startQueue: (() => void)[] = [];
  private appliedWaiters: { n: number; resolve: () => void }[] = [];
  /** Removals of dropped tasks' containers under way (each ends: stop is bounded by its grace). */
  private readonly removing = new Set<Promise<void>>();
  /** The same, by the dropped task's name (at most one per task held): a new task of that name waits for it. */
  private readonly removingNames = new Map<string, Promise<void>>();
  private readonly ledger: RestartLedger;
  /** Restart counts of the tasks held (at most TASKS_MAX), as kept by the ledger. */
  private readonly restartRecords: Map<string, RestartRecord>;
  /**
   * When a manager last answered, by the clock: the start of the Session call that opened a
   * session, or the send time of a heartbeat answered. Until then, the worker's start: a
   * container found at start is fenced from there (the last contact before it is not known).
   */
  private lastContactMs: number;
  private fenceTimer: Timer | undefined;

  constructor(private readonly o: WorkerOptions) {
    this.reporter = new StatusReporter(o);
    this.ledger = o.restartLedger ?? memoryRestartLedger();
    this.restartRecords = new Map([...this.ledger.load()].slice(0, TASKS_MAX));
    this.lastContactMs = o.clock.nowMs();
  }

  /** Reads the containers this worker made before (by label); call once before the first message. */
  adopt(): void {
    this.found = new Map();
    for (const c of this.o.runtime.list()) {
      const taskId = c.labels[TASK_LABEL];
      if (taskId === undefined || c.labels[NODE_LABEL] !== this.o.nodeId) continue;
      const stopOnDisconnectMs = stopOnDisconnectOfLabel(c.labels[STOP_ON_DISCONNECT_LABEL]);
      this.found.set(taskId, { id: c.id, running: c.running, ...(c.exit !== undefined ? { exit: c.exit } : {}), ...(stopOnDisconnectMs !== undefined ? { stopOnDisconnectMs } : {}) });
    }
    if (this.found.size > 0) this.o.logger.info({ containers: this.found.size }, "worker: found its tasks' containers from before");
    this.armFence();
  }

  /** A session opened: (re)open the assignment stream with it, and send statuses through it. */
  sessionOpened(client: DispatcherClient, sessionId: string): void {
    this.session = { client, sessionId };
    this.streamFailures = 0;
    this.reporter.setSender((updates) => callUnary(client.UpdateTaskStatus.bind(client), { sessionId, updates }, STATUS_CALL_TIMEOUT_MS, this.o.clock.wallMs()).then(() => undefined));
    this.openStream();
  }

  sessionEnded(): void {
    this.session = undefined;
    this.reporter.setSender(undefined);
    this.closeStream();
  }

  /**
   * A manager answered: a session opened, or a heartbeat was answered. `sentAtMs` (the clock's) is
   * when that call was made: the managers heard of this agent no earlier, so fencing that counts
   * from it ends no later than theirs.
   */
  managersReached(sentAtMs: number): void {
    if (sentAtMs <= this.lastContactMs) return;
    this.lastContactMs = sentAtMs;
    this.armFence();
  }

  private openStream(): void {
    this.closeStream();
    const s = this.session;
    if (s === undefined || this.stopped) return;
    let stream: ClientReadableStream<AssignmentsMessage__Output>;
    try {
      stream = s.client.Assignments({ sessionId: s.sessionId });
    } catch (err) {
      // The channel was closed under it: the session is over, and the next one opens a stream.
      this.o.logger.warn({ err: oneLine(err) }, 'assignment stream not opened: the session is over');
      return;
    }
    this.stream = stream;
    stream.on('data', (m: AssignmentsMessage__Output) => {
      this.streamFailures = 0;
      this.apply(m);
    });
    const retry = (why: string): void => {
      if (this.stream !== stream || this.session !== s || this.stopped) return;
      this.stream = undefined;
      this.streamFailures++;
      const delay = Math.min(WORKER_RETRY.maxDelayMs, WORKER_RETRY.initialDelayMs * 2 ** Math.min(this.streamFailures - 1, 16));
      this.o.logger.warn({ why, retryInMs: delay }, 'assignment stream ended: opened again');
      this.streamTimer = this.o.clock.setTimer(delay, () => {
        this.streamTimer = undefined;
        if (this.session === s) this.openStream();
      });
    };
    stream.on('error', (err) => retry(oneLine(err)));
    stream.on('end', () => retry('ended by the manager'));
  }

  private closeStream(): void {
    this.streamTimer?.cancel();
    this.streamTimer = undefined;
    const st = this.stream;
    this.stream = undefined;
    st?.cancel();
  }

  /** One assignments message: a full set replaces what is held; changes update it. */
  apply(m: AssignmentsMessage__Output): void {
    if (this.stopped) return;
    const updates = m.changes.filter((c) => c.action === 'UPDATE' && c.task !== null && c.task !== undefined).map((c) => c.task as Task__Output);
    if (m.full) {
      const keep = new Set(updates.map((t) => t.id));
      // Its own containers of tasks neither in the set nor held (found at start, or forgotten
      // once finished): removed. Held ones go through drop().
      for (const c of this.ownContainers()) {
        if (keep.has(c.taskId) || this.tasks.has(c.taskId)) continue;
        this.o.logger.info({ taskId: c.taskId, container: c.id }, 'worker: a container of a task no longer assigned: removed');
        this.track(this.removeContainer(c.id));
      }
      for (const [id, h] of this.tasks) if (!keep.has(id)) this.drop(h, 'no longer assigned');
    }
    for (const t of updates) this.update(t);
    for (const c of m.changes) {
      if (c.action !== 'REMOVE' || c.task === null || c.task === undefined) continue;
      const h = this.tasks.get(c.task.id);
      if (h !== undefined) this.drop(h, 'removed by the managers');
      else {
        for (const own of this.ownContainers()) if (own.taskId === c.task.id) this.track(this.removeContainer(own.id));
        this.found?.delete(c.task.id);
      }
    }
    if (m.full) {
      this.found = undefined;
      this.pruneRestartRecords();
    }
    this.appliedCount++;
    this.appliedWaiters = this.appliedWaiters.filter((w) => (w.n <= this.appliedCount ? (w.resolve(), false) : true));
  }

  /** Resolves once `n` assignment messages have been applied since the start (tests). */
  applied(n: number): Promise<void> {
    if (n <= this.appliedCount) return Promise.resolve();
    return new Promise((resolve) => this.appliedWaiters.push({ n, resolve }));
  }

  private update(task: Task__Output): void {
    const held = this.tasks.get(task.id);
    if (held !== undefined) {
      held.task = task;
      // The managers marked it orphaned while they could not hear this node; it runs here still:
      // say so again (a report of the same state is otherwise never sent twice).
      if (task.status?.state === 'orphaned' && task.desiredState === 'running' && held.reported === 'running' && !held.stopping) {
        this.reporter.report(task.id, { state: 'running', message: 'still running', error: '', atMs: this.o.clock.wallMs(), containerId: held.containerId ?? '' });
      }
      this.enqueue(held, () => this.reconcile(held));
      return;
    }
    if (this.tasks.size >= TASKS_MAX) this.forgetFinished();
    if (this.tasks.size >= TASKS_MAX) {
      this.o.logger.warn({ taskId: task.id, max: TASKS_MAX }, 'worker: too many tasks held: refused');
      this.report(task.id, undefined, 'rejected', { error: `the agent holds ${TASKS_MAX} tasks, its most` });
      return;
    }
    const restarts = this.restartRecords.get(task.id);
    const h: Held = { task, chain: Promise.resolve(), stopping: false, forgotten: false, ...(restarts !== undefined ? { restarts } : {}) };
    const found = this.found?.get(task.id);
    if (found !== undefined) {
      this.found?.delete(task.id);
      h.containerId = found.id;
      if (found.fenced === true && found.stopOnDisconnectMs !== undefined) {
        h.stopping = true;
        h.stopReason = fenceMessage(found.stopOnDisconnectMs);
      }
      const state = task.status?.state ?? '';
      if (state in RANK) h.reported = state as TaskState;
      this.tasks.set(task.id, h);
      this.enqueue(h, () => this.resume(h, found));
      return;
    }
    this.tasks.set(task.id, h);
    this.enqueue(h, () => this.reconcile(h));
  }

  /** This node's task containers, by their label. */
  private ownContainers(): { id: string; taskId: string }[] {
    const out: { id: string; taskId: string }[] = [];
    for (const c of this.o.runtime.list()) {
      const taskId = c.labels[TASK_LABEL];
      if (taskId !== undefined && c.labels[NODE_LABEL] === this.o.nodeId) out.push({ id: c.id, taskId });
    }
    return out;
  }

  /**
   * Makes room: finished tasks are forgotten (their containers stay, found by label when the
   * managers remove the task or leave it out of a full set). The managers send finished tasks
   * again only in a full set, so without this they would fill TASKS_MAX.
   */
  private forgetFinished(): void {
    for (const [id, h] of this.tasks) {
      if (!isTerminal(h.reported)) continue;
      h.forgotten = true;
      this.tasks.delete(id);
    }
  }

  private enqueue(h: Held, op: () => Promise<void>): void {
    h.chain = h.chain.then(op).catch((err: unknown) => this.o.logger.error({ taskId: h.task.id, err: oneLine(err) }, 'worker: a task operation failed'));
  }

  /**
   * A container found at start: its state is reported, it is watched; a running one is not
   * restarted. One that exited meanwhile is restarted when its --restart says so (counted from
   * the ledger's record), as Docker restarts its containers when its daemon starts.
   */
  private async resume(h: Held, c: Found): Promise<void> {
    if (c.fenced === true) this.watch(h, c.id); // being stopped: its exit is the shutdown
    else if (c.running) {
      this.report(h.task.id, h, 'running', { containerId: c.id, message: 'found running after an agent restart' });
      h.startedAtMs = this.o.clock.nowMs(); // at least this long a run, when it ends
      this.watch(h, c.id);
    } else if (c.exit !== undefined) this.exited(h, c.exit);
    this.armFence();
    await this.reconcile(h);
  }

  private async reconcile(h: Held): Promise<void> {
    if (h.forgotten) return;
    const t = h.task;
    const desired = t.desiredState;
    if (desired === 'shutdown' || desired === 'remove') {
      this.cancelRestart(h); // the managers asked: never restarted
      this.forgetRestarts(h.task.id);
      const id = h.containerId;
      if (id !== undefined) {
        h.stopping = true;
        // `shoal stop -t` sets the grace period; 0 leaves the container's own.
        await this.o.runtime.stop(id, Number(t.spec?.stopGracePeriodMs ?? 0)).catch((err: unknown) => this.o.logger.warn({ taskId: t.id, err: oneLine(err) }, 'worker: stop failed'));
        if (desired === 'remove') {
          const removed = await this.o.runtime.remove(id).then(
            () => true,
            (err: unknown) => {
              this.o.logger.warn({ taskId: t.id, err: oneLine(err) }, 'worker: remove failed');
              return false;
            },
          );
          if (removed) delete h.containerId; // else kept: the next reconcile tries again
        }
      }
      // A container whose stop and removal failed may still run: not said to be down (a returning
      // node stays `unknown` while a replaced copy may run; its exit, if it comes, is reported).
      if (id !== undefined && this.o.runtime.list().some((c) => c.id === id && c.running)) return;
      // `orphaned` is the managers' word for "not heard of": a replaced task they hold so must hear
      // it ended (its node stays `unknown` until then), even when its container was never made here.
      if (!isTerminal(h.reported) && !FINISHED.has(t.status?.state ?? '')) this.report(t.id, h, 'shutdown', { message: desired === 'remove' ? 'removed' : 'shut down' });
      return;
    }
    if (desired !== 'running') {
      this.o.logger.warn({ taskId: t.id, desired }, 'worker: a desired state it does not know: left as it is');
      return;
    }
    if (h.containerId !== undefined || isTerminal(h.reported)) return;
    const managersSay = t.status?.state ?? '';
    if (FINISHED.has(managersSay)) return;
    if (managersSay === 'orphaned') {
      // Marked orphaned while this node was cut off, and not here now (lost with its host, or never
      // made): it does not run again on its own; said so, or it would stay orphaned on a ready node.
      this.report(t.id, h, 'failed', { error: 'its container is not on this node (lost while the node was cut off, or never made)', lost: true });
      return;
    }
    if (managersSay in RANK) {
      // Past accepted on the managers' side, yet no container here: it was lost (an agent crash
      // before the container was made, or a data dir wiped). Not run again: the managers decide.
      this.report(t.id, h, 'failed', { error: 'the agent restarted and its container for this task is gone', lost: true });
      return;
    }
    await this.start(h);
  }

  private async start(h: Held): Promise<void> {
    const t = h.task;
    const spec = t.spec;
    if (spec === null || spec.image === '') {
      this.report(t.id, h, 'rejected', { error: 'the task names no image' });
      return;
    }
    this.report(t.id, h, 'accepted', {});
    await this.withSlot(() => this.prepareAndRun(h, spec));
  }

  private async withSlot(f: () => Promise<void>): Promise<void> {
    if (this.starting < STARTS_AT_ONCE) this.starting++;
    else await new Promise<void>((resolve) => this.startQueue.push(resolve));
    try {
      await f();
    } finally {
      const next = this.startQueue.shift();
      if (next !== undefined) next(); // the slot passes on
      else this.starting--;
    }
  }

  private pull(image: string): Promise<void> {
    let p = this.pulls.get(image);
    if (p === undefined) {
      p = (async () => {
        if (!(await this.o.runtime.hasImage(image))) await this.o.runtime.pullImage(image);
      })().finally(() => this.pulls.delete(image));
      this.pulls.set(image, p);
    }
    return p;
  }

  private async prepareAndRun(h: Held, spec: ContainerSpec__Output): Promise<void> {
    const t = h.task;
    if (h.forgotten || h.task.desiredState !== 'running') return this.reconcile(h);
    this.report(t.id, h, 'preparing', {});
    try {
      await this.pull(spec.image);
    } catch (err) {
      this.report(t.id, h, 'rejected', { error: `image ${spec.image}: ${oneLine(err)}` });
      return;
    }
    if (h.forgotten || h.task.desiredState !== 'running') return this.reconcile(h);
    if (this.fenceDue(h)) {
      // The managers may be starting its replacement by now: not started here.
      this.report(t.id, h, 'rejected', { error: `not started: ${fenceMessage(Number(t.stopOnDisconnectMs))}` });
      return;
    }
    this.report(t.id, h, 'starting', {});
    const stopOnDisconnectMs = Number(t.stopOnDisconnectMs);
    const labels = { ...spec.labels, [TASK_LABEL]: t.id, [NODE_LABEL]: this.o.nodeId, ...(stopOnDisconnectMs > 0 ? { [STOP_ON_DISCONNECT_LABEL]: String(stopOnDisconnectMs) } : {}) };
    let id: string;
    try {
      // The container of an earlier task of this name (`shoal start` replaces a stopped task with a
      // fresh one) holds the name until its removal ends.
      await this.removingNames.get(t.name);
      id = await this.o.runtime.run(t.name, { ...spec, labels });
    } catch (err) {
      this.report(t.id, h, 'failed', { error: oneLine(err) });
      return;
    }
    h.containerId = id;
    h.startedAtMs = this.o.clock.nowMs();
    this.report(t.id, h, 'running', { containerId: id });
    this.watch(h, id);
    this.armFence();
  }

  private watch(h: Held, id: string): void {
    this.o.runtime.wait(id).then(
      (exit) => {
        if (!h.forgotten) this.exited(h, exit);
      },
      (err: unknown) => this.o.logger.warn({ taskId: h.task.id, err: oneLine(err) }, 'worker: cannot wait for its container'),
    );
  }

  private exited(h: Held, exit: TaskExit): void {
    const e = { exitCode: exit.exitCode, signal: exit.signal, oomKilled: exit.oomKilled, exitedAtMs: exit.exitedAtMs };
    if (h.stopping) {
      this.report(h.task.id, h, 'shutdown', { exit: e, message: h.stopReason ?? 'shut down', ...(h.stopReason !== undefined ? { lost: true } : {}) });
      this.forgetRestarts(h.task.id);
      return;
    }
    const policy = restartPolicyOf(h.task);
    const mayRestart = policy !== undefined && h.task.desiredState === 'running' && !isTerminal(h.reported) && !FINISHED.has(h.task.status?.state ?? '');
    const ranMs = h.startedAtMs === undefined ? undefined : this.o.clock.nowMs() - h.startedAtMs;
    const decision = mayRestart ? decideRestart(policy, h.restarts, exit, ranMs) : undefined;
    if (policy !== undefined && decision?.restart === true) {
      this.report(h.task.id, h, 'running', { again: true, exit: e, message: restartingMessage(policy, exit, decision.next) });
      this.o.logger.info({ taskId: h.task.id, exit: exitText(exit), restart: decision.next.restarts, inMs: decision.delayMs }, 'worker: its container exited: restarted after a backoff (--restart)');
      h.restartTimer = this.o.clock.setTimer(decision.delayMs, () => {
        delete h.restartTimer;
        this.enqueue(h, () => this.restartContainer(h, decision.next, exit));
      });
      return;
    }
    const message = decision?.restart === false && decision.gaveUp !== undefined ? decision.gaveUp : h.restarts !== undefined ? restartedMessage(h.restarts, undefined) : '';
    this.forgetRestarts(h.task.id);
    if (exit.exitCode === 0) this.report(h.task.id, h, 'complete', { exit: e, message });
    else this.report(h.task.id, h, 'failed', { exit: e, error: exitText(exit), message });
  }

  /** After the backoff: the same container started again, unless the managers or fencing stopped it meanwhile. */
  private async restartContainer(h: Held, next: RestartRecord, exit: TaskExit): Promise<void> {
    await this.withSlot(async () => {
      const id = h.containerId;
      if (h.forgotten || h.stopping || h.task.desiredState !== 'running' || id === undefined || isTerminal(h.reported)) return;
      if (this.fenceDue(h)) {
        this.fenceHeld(h);
        return;
      }
      try {
        await this.o.runtime.restart(id);
      } catch (err) {
        this.forgetRestarts(h.task.id);
        this.report(h.task.id, h, 'failed', { error: `restart ${next.restarts} failed: ${oneLine(err)}`, message: `last ${exitText(exit)}` });
        return;
      }
      h.restarts = next;
      h.startedAtMs = this.o.clock.nowMs();
      this.restartRecords.set(h.task.id, next);
      this.ledger.save(this.restartRecords);
      this.report(h.task.id, h, 'running', { again: true, containerId: id, message: restartedMessage(next, exit) });
      this.watch(h, id);
    });
  }

  private cancelRestart(h: Held): void {
    h.restartTimer?.cancel();
    delete h.restartTimer;
  }

  /** Its restart count is of no use any more (it ended, was stopped or dropped). */
  private forgetRestarts(taskId: string): void {
    if (this.restartRecords.delete(taskId)) this.ledger.save(this.restartRecords);
  }

  /** After a full set: the counts of tasks no longer held go. */
  private pruneRestartRecords(): void {
    let changed = false;
    for (const id of [...this.restartRecords.keys()]) {
      if (!this.tasks.has(id)) changed = this.restartRecords.delete(id) || changed;
    }
    if (changed) this.ledger.save(this.restartRecords);
  }

  /** The task's D and the grace of its fencing stop; undefined without --stop-on-disconnect. */
  private fenceOf(h: Held): { stopOnDisconnectMs: number; graceMs: number } | undefined {
    const stopOnDisconnectMs = Number(h.task.stopOnDisconnectMs);
    if (!(stopOnDisconnectMs > 0)) return undefined;
    return { stopOnDisconnectMs, graceMs: fenceGraceMs(stopOnDisconnectMs, Number(h.task.spec?.stopGracePeriodMs ?? 0)) };
  }

  /** Whether the task's fencing stop is due now (it has --stop-on-disconnect and no manager answered for long enough). */
  private fenceDue(h: Held): boolean {
    const f = this.fenceOf(h);
    return f !== undefined && this.o.clock.nowMs() >= fenceStopAtMs(this.lastContactMs, f.stopOnDisconnectMs, f.graceMs);
  }

  /** Its container runs (or waits for a restart) and may be fenced. */
  private fenceable(h: Held): boolean {
    return h.containerId !== undefined && !h.stopping && !h.forgotten && !isTerminal(h.reported);
  }

  /** One timer, at the earliest fencing stop due among the tasks held and the containers found at start. */
  private armFence(): void {
    this.fenceTimer?.cancel();
    this.fenceTimer = undefined;
    if (this.stopped) return;
    let earliest = Infinity;
    for (const h of this.tasks.values()) {
      const f = this.fenceOf(h);
      if (f !== undefined && this.fenceable(h)) earliest = Math.min(earliest, fenceStopAtMs(this.lastContactMs, f.stopOnDisconnectMs, f.graceMs));
    }
    for (const c of this.found?.values() ?? []) {
      if (c.stopOnDisconnectMs !== undefined && c.running && c.fenced !== true) earliest = Math.min(earliest, fenceStopAtMs(this.lastContactMs, c.stopOnDisconnectMs, fenceGraceMs(c.stopOnDisconnectMs, 0)));
    }
    if (earliest === Infinity) return;
    this.fenceTimer = this.o.clock.setTimer(earliest - this.o.clock.nowMs(), () => {
      this.fenceTimer = undefined;
      this.fence();
    });
  }

  /** The fencing stops due now. */
  private fence(): void {
    if (this.stopped) return;
    for (const h of this.tasks.values()) if (this.fenceable(h) && this.fenceDue(h)) this.fenceHeld(h);
    for (const [taskId, c] of this.found ?? []) {
      if (c.stopOnDisconnectMs === undefined || !c.running || c.fenced === true) continue;
      const graceMs = fenceGraceMs(c.stopOnDisconnectMs, 0);
      if (this.o.clock.nowMs() < fenceStopAtMs(this.lastContactMs, c.stopOnDisconnectMs, graceMs)) continue;
      c.fenced = true;
      this.o.logger.warn({ taskId, container: c.id, stopOnDisconnectMs: c.stopOnDisconnectMs }, 'worker: no manager for its --stop-on-disconnect (since this agent started): its container stopped');
      this.track(this.o.runtime.stop(c.id, graceMs).catch((err: unknown) => this.o.logger.warn({ taskId, err: oneLine(err) }, 'worker: fencing stop failed')));
    }
    this.armFence();
  }

  /** Stops a held task's container for want of a manager; its exit (or, waiting for a restart, at once) is reported shutdown, saying why. */
  private fenceHeld(h: Held): void {
    const f = this.fenceOf(h);
    const id = h.containerId;
    if (f === undefined || id === undefined) return;
    h.stopping = true;
    h.stopReason = fenceMessage(f.stopOnDisconnectMs);
    this.cancelRestart(h);
    this.forgetRestarts(h.task.id);
    this.o.logger.warn({ taskId: h.task.id, container: id, stopOnDisconnectMs: f.stopOnDisconnectMs }, 'worker: no manager for its --stop-on-disconnect: its container stopped');
    this.enqueue(h, async () => {
      await this.o.runtime.stop(id, f.graceMs).catch((err: unknown) => this.o.logger.warn({ taskId: h.task.id, err: oneLine(err) }, 'worker: fencing stop failed'));
      // A container that was waiting for its restart has no exit to come.
      this.report(h.task.id, h, 'shutdown', { message: h.stopReason ?? 'shut down', ...(h.stopReason !== undefined ? { lost: true } : {}) });
    });
  }

  /** The managers no longer assign it: its container (if we made one) is stopped and removed. */
  private drop(h: Held, why: string): void {
    this.tasks.delete(h.task.id);
    h.stopping = true;
    this.cancelRestart(h);
    this.forgetRestarts(h.task.id);
    this.enqueue(h, async () => {
      h.forgotten = true;
      if (h.containerId !== undefined) {
        this.o.logger.info({ taskId: h.task.id, container: h.containerId, why }, 'worker: task dropped: its container removed');
        await this.removeContainer(h.containerId);
      }
    });
    this.track(h.chain);
    const removed: Promise<void> = h.chain.finally(() => {
      if (this.removingNames.get(h.task.name) === removed) this.removingNames.delete(h.task.name);
    });
    this.removingNames.set(h.task.name, removed);
  }

  private track(p: Promise<void>): void {
    this.removing.add(p);
    void p.finally(() => this.removing.delete(p));
  }

  private async removeContainer(id: string): Promise<void> {
    try {
      await this.o.runtime.stop(id);
      await this.o.runtime.remove(id);
    } catch (err) {
      this.o.logger.warn({ container: id, err: oneLine(err) }, 'worker: could not remove a container of a dropped task');
    }
  }

  /** `again`: the same state once more with news (a restart); never a state behind the last one. */
  private report(taskId: string, h: Held | undefined, state: TaskState, f: { message?: string; error?: string; containerId?: string; exit?: TaskStatus['exit']; again?: boolean; lost?: boolean }): void {
    if (h !== undefined) {
      const same = f.again === true && h.reported === state;
      if (h.reported !== undefined && RANK[state] <= RANK[h.reported] && !same) return; // states only move forward
      h.reported = state;
    }
    const status: TaskStatus = {
      state,
      message: (f.message ?? '').slice(0, MESSAGE_CHARS_MAX),
      error: (f.error ?? '').slice(0, MESSAGE_CHARS_MAX),
      atMs: this.o.clock.wallMs(),
      containerId: f.containerId ?? h?.containerId ?? '',
      ...(f.exit !== undefined ? { exit: f.exit } : {}),
      ...(f.lost === true ? { lost: true } : {}),
    };
    this.reporter.report(taskId, status);
  }

  /** Waits for every task's operations under way (tests). */
  async settled(): Promise<void> {
    for (let k = 0; k < 10; k++) {
      const chains = [...this.tasks.values()].map((h) => h.chain);
      await Promise.all([...chains, ...this.removing]);
      if ([...this.tasks.values()].every((h, i) => h.chain === chains[i])) return;
    }
  }

  /** Stops listening; containers keep running (as when the agent stops). */
  stop(): void {
    this.stopped = true;
    this.closeStream();
    this.reporter.stop();
    this.fenceTimer?.cancel();
    // A restart waiting is not made: the next agent finds the container stopped and decides again.
    for (const h of this.tasks.values()) this.cancelRestart(h);
  }
}

function isTerminal(s: TaskState | undefined): boolean {
  return s !== undefined && RANK[s] === 5;
}
