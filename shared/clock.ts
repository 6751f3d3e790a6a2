// Time, injected. Code that waits or measures takes a Clock, so that tests drive time by hand
// (ManualClock) instead of sleeping, and a simulation replays exactly.

export interface Timer {
  /** Stops the timer; a no-op when it has fired or was cancelled already. */
  cancel(): void;
}

export interface Clock {
  /** Monotonic milliseconds; only differences are meaningful. */
  nowMs(): number;
  /** Milliseconds since the Unix epoch, for timestamps shown to people and written to logs. */
  wallMs(): number;
  /** Calls `fn` once after `delayMs`. */
  setTimer(delayMs: number, fn: () => void): Timer;
  /** Resolves after `delayMs`; rejects with the signal's reason when it aborts first. */
  sleep(delayMs: number, signal?: AbortSignal): Promise<void>;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}

function sleepWith(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      timer.cancel();
      reject(abortReason(signal as AbortSignal));
    };
    const timer = clock.setTimer(delayMs, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The real clock: performance.now() for intervals, Date.now() for timestamps. */
export class SystemClock implements Clock {
  nowMs(): number {
    return performance.now();
  }

  wallMs(): number {
    return Date.now();
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    const handle = setTimeout(fn, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(handle) };
  }

  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, delayMs, signal);
  }
}

export const systemClock: Clock = new SystemClock();

interface PendingTimer {
  readonly dueMs: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that moves only when told. Timers fire in due order (ties in creation order) during
 * `advance`; `advanceAsync` also lets promise continuations run between timers, which is what
 * async code awaiting `sleep` needs.
 */
export class ManualClock implements Clock {
  private now: number;
  private readonly epochMs: number;
  private seq = 0;
  private timers: PendingTimer[] = [];

  constructor(startMs = 0, epochMs = Date.UTC(2026, 0, 1)) {
    this.now = startMs;
    this.epochMs = epochMs;
  }

  nowMs(): number {
    return this.now;
  }

  wallMs(): number {
    return this.epochMs + this.now;
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    const timer: PendingTimer = { dueMs: this.now + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, delayMs, signal);
  }

  /** Number of timers that have neither fired nor been cancelled. */
  get pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, synchronously. */
  advance(ms: number): void {
    const target = this.now + ms;
    for (let t = this.takeNextDue(target); t !== undefined; t = this.takeNextDue(target)) {
      this.now = t.dueMs;
      t.fn();
    }
    this.now = target;
  }

  /** Like `advance`, but drains pending promise continuations after each timer. */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.now + ms;
    await flushPromises();
    for (let t = this.takeNextDue(target); t !== undefined; t = this.takeNextDue(target)) {
      this.now = t.dueMs;
      t.fn();
      await flushPromises();
    }
    this.now = target;
  }

  private takeNextDue(targetMs: number): PendingTimer | undefined {
    this.timers = this.timers.filter((t) => !t.cancelled);
    let next: PendingTimer | undefined;
    for (const t of this.timers) {
      if (t.dueMs > targetMs) continue;
      if (next === undefined || t.dueMs < next.dueMs || (t.dueMs === next.dueMs && t.seq < next.seq)) next = t;
    }
    if (next !== undefined) next.cancelled = true;
    return next;
  }
}

/** Lets every queued promise continuation run (a macrotask turn). */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Polls `done` every `pollMs` until it holds; throws, naming `what`, after `timeoutMs`. */
export async function waitUntil(clock: Clock, what: string, done: () => boolean, timeoutMs = 10_000, pollMs = 20): Promise<void> {
  const deadline = clock.nowMs() + timeoutMs;
  while (!done()) {
    if (clock.nowMs() > deadline) throw new Error(`timed out waiting for ${what}`);
    await clock.sleep(pollMs);
  }
}
