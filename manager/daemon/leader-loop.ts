// A leader-only reconciler's life (the scheduler's, the task reaper's): it starts on its own
// after a leadership notice, confirms with a read-index that the store holds everything
// committed before, watches the store, and runs one `pass` a short while after the changes it
// cares about — never two at once, each pass reading the store as it is then (the watch is only
// a trigger, so a broken watch loses nothing: the next pass sees the state). Nothing is thrown
// into Raft: a failed pass is logged and run again after a backoff; a leadership change stops
// everything, and the next leadership starts afresh.
//
//   leadership ──▶ confirm (read-index, again after a backoff) ──▶ watch ──event it cares about──▶ wait delayMs ──▶ pass
//                                             ▲                                              │
//                                             └──── more events while passing: once more ◀───┘
//                                                   failed: again after 100 ms, 200 ms … 10 s

import type { Clock, Timer } from '../../shared/clock.js';
import { oneLine, ShoalError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { StoreOp } from '../store/command.js';
import type { Store } from '../store/store.js';
import type { StoreEvent } from '../store/watch.js';

export interface LeaderLoopOptions {
  /** For logs: "scheduler". */
  readonly name: string;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** A read-index: resolves once the store holds everything committed before this leadership. */
  readonly confirm: () => Promise<void>;
  readonly isLeader: () => boolean;
  /** Whether an event may give the pass something to do. */
  readonly concerns: (e: StoreEvent) => boolean;
  /** One pass over the store; `stillLeading()` turns false once this leadership is over. */
  readonly pass: (stillLeading: () => boolean) => Promise<void>;
  readonly timing?: Partial<LeaderLoopTiming>;
}

export interface LeaderLoopTiming {
  /** How long changes gather before a pass (so a burst of writes makes one pass). */
  readonly delayMs: number;
  /** The first wait after a failed pass, doubled at each failure in a row up to retryMaxMs. */
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  /** Watches started again in one leadership (after a cut-off or a restore) before the loop gives up until the next one. */
  readonly watchRestartsMax: number;
  /** Read-indexes tried at the start of a leadership (with the same backoff) before the loop gives up until the next one. */
  readonly confirmAttemptsMax: number;
}

export const LEADER_LOOP_TIMING: LeaderLoopTiming = { delayMs: 50, retryMinMs: 100, retryMaxMs: 10_000, watchRestartsMax: 100, confirmAttemptsMax: 20 };

/** Refusals that mean this manager stopped leading: the next leader does the work. */
const LEADERSHIP_CODES = new Set(['raft.leadership_lost', 'raft.proposal_dropped', 'raft.not_leader', 'manager.not_leader', 'manager.no_leader']);

export class LeaderLoop {
  private readonly timing: LeaderLoopTiming;
  /** Bumped at every leadership change: work of an older generation stops. */
  private generation = 0;
  private watching: { close(): void } | undefined;
  private timer: Timer | undefined;
  private wake: { readonly at: number; readonly timer: Timer } | undefined;
  private passing: Promise<void> | undefined;
  private dirty = false;
  private failures = 0;
  private running: Promise<void> | undefined;

  constructor(private readonly o: LeaderLoopOptions) {
    this.timing = { ...LEADER_LOOP_TIMING, ...o.timing };
  }

  /** Called on every leadership change (never throws: the work runs on its own). */
  leadershipChanged(leading: boolean): void {
    this.halt();
    if (!leading) return;
    const generation = this.generation;
    this.running = this.run(generation).catch((err: unknown) => {
      // A leadership that ended before the loop could start is no news.
      const level = this.current(generation) ? 'warn' : 'debug';
      this.o.logger[level]({ loop: this.o.name, err: oneLine(err) }, `${this.o.name}: stopped; started again at the next leadership`);
    });
  }

  async stop(): Promise<void> {
    this.halt();
    await this.running;
    await this.passing;
  }

  private halt(): void {
    this.generation++;
    this.watching?.close();
    this.watching = undefined;
    this.timer?.cancel();
    this.timer = undefined;
    this.wake?.timer.cancel();
    this.wake = undefined;
    this.dirty = false;
    this.failures = 0;
  }

  private current(generation: number): boolean {
    return generation === this.generation && this.o.isLeader();
  }

  /**
   * The read-index, asked again after a backoff while this leadership lasts (a leader whose
   * first read failed must not sit idle for its whole term), at most `confirmAttemptsMax` times.
   */
  private async confirmed(generation: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.o.confirm();
        return;
      } catch (err) {
        if (!this.current(generation) || attempt >= this.timing.confirmAttemptsMax) throw err;
        this.o.logger.info({ loop: this.o.name, err: oneLine(err), attempt }, `${this.o.name}: the leader's first read failed; asked again`);
        await this.o.clock.sleep(Math.min(this.timing.retryMaxMs, this.timing.retryMinMs * 2 ** (attempt - 1)));
      }
    }
  }

  private async run(generation: number): Promise<void> {
    await this.confirmed(generation);
    for (let restarts = 0; this.current(generation); restarts++) {
      if (restarts > this.timing.watchRestartsMax) throw new Error(`the store watch broke ${restarts} times`);
      const watcher = this.o.store.watch();
      this.watching = watcher;
      // Whatever happened before the watch began (before this leadership, or while it was broken).
      this.kick(generation);
      try {
        for await (const e of watcher) if (this.o.concerns(e)) this.kick(generation);
        return; // closed: the leadership is over
      } catch (err) {
        if (!(err instanceof ShoalError)) throw err;
        this.o.logger.info({ loop: this.o.name, err: oneLine(err) }, `${this.o.name}: the store watch broke; watching again`);
      }
    }
  }

  /**
   * A pass again in `ms` (a wait the pass itself knows of, such as a --stop-on-disconnect delay),
   * if this leadership lasts; one such wake-up at a time, the earliest kept.
   */
  wakeIn(ms: number): void {
    const generation = this.generation;
    const at = this.o.clock.nowMs() + Math.max(0, ms);
    if (this.wake !== undefined && this.wake.at <= at) return;
    this.wake?.timer.cancel();
    const timer = this.o.clock.setTimer(Math.max(0, ms), () => {
      this.wake = undefined;
      this.kick(generation);
    });
    this.wake = { at, timer };
  }

  /** A pass soon: after `delayMs`, or once the running one ends. */
  private kick(generation: number): void {
    if (!this.current(generation)) return;
    if (this.passing !== undefined) {
      this.dirty = true;
      return;
    }
    this.timer ??= this.o.clock.setTimer(this.timing.delayMs, () => {
      this.timer = undefined;
      this.startPass(generation);
    });
  }

  private startPass(generation: number): void {
    if (!this.current(generation)) return;
    this.dirty = false;
    this.passing = this.o
      .pass(() => this.current(generation))
      .then(
        () => {
          this.failures = 0;
        },
        (err: unknown) => {
          if (!this.current(generation)) return;
          if (err instanceof ShoalError && LEADERSHIP_CODES.has(err.code)) return;
          this.failures++;
          const conflict = err instanceof ShoalError && err.code === 'store.conflict';
          this.o.logger[conflict ? 'debug' : 'warn']({ loop: this.o.name, err: oneLine(err), failures: this.failures }, `${this.o.name}: a pass failed; trying again`);
        },
      )
      .finally(() => {
        this.passing = undefined;
        if (!this.current(generation)) return;
        if (this.failures > 0) {
          const waitMs = Math.min(this.timing.retryMaxMs, this.timing.retryMinMs * 2 ** Math.min(this.failures - 1, 20));
          this.timer ??= this.o.clock.setTimer(waitMs, () => {
            this.timer = undefined;
            this.startPass(generation);
          });
        } else if (this.dirty) this.kick(generation);
      });
  }
}

/** What every leader-only reconciler is given (the scheduler's, the reaper's, the orchestrator's loops). */
export interface LeaderWorkOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** A read-index: resolves once the store holds everything committed before this leadership. */
  readonly confirm: () => Promise<void>;
  readonly isLeader: () => boolean;
  /** Proposes one transaction through Raft; resolves once it is applied here. */
  readonly propose: (ops: StoreOp[]) => Promise<void>;
  readonly timing?: Partial<LeaderLoopTiming>;
}

/** A leader-only reconciler: one LeaderLoop that runs `pass` after the store changes `concerns` names. */
export abstract class LeaderReconciler {
  protected readonly loop: LeaderLoop;

  constructor(name: string, o: LeaderWorkOptions, concerns: (e: StoreEvent) => boolean) {
    this.loop = new LeaderLoop({
      name,
      store: o.store,
      clock: o.clock,
      logger: o.logger,
      confirm: o.confirm,
      isLeader: o.isLeader,
      concerns,
      pass: (stillLeading) => this.pass(stillLeading),
      ...(o.timing !== undefined ? { timing: o.timing } : {}),
    });
  }

  /** One pass over the store as it is now; `stillLeading()` turns false once this leadership is over. */
  protected abstract pass(stillLeading: () => boolean): Promise<void>;

  /** Called on every leadership change (never throws into Raft: the work runs on its own). */
  leadershipChanged(leading: boolean): void {
    this.loop.leadershipChanged(leading);
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
