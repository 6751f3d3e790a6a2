// The clock of a failover: attempts started at a fixed pace, several allowed in flight at once,
// until the first one succeeds. One attempt at a time would measure the client as much as the
// cluster: an attempt sent while the managers still believe in the dead leader can hang on a
// connection to it (Docker's `node update` did for 20 s here) and hide a leader elected
// meanwhile; a new attempt every `intervalMs` finds that leader within one interval, whatever
// the earlier attempts are waiting for.

import { oneLine } from '../../shared/errors.js';

export interface AttemptPolicy {
  /** A new attempt starts this long after the previous one started. */
  readonly intervalMs: number;
  /** An attempt still unanswered after this long is abandoned (its signal aborts). */
  readonly attemptTimeoutMs: number;
  /** At most this many attempts in flight; with attemptTimeoutMs / intervalMs it never binds. */
  readonly inFlightMax: number;
  /** No success within this long after `startedAtMs`: the whole loop fails. */
  readonly totalTimeoutMs: number;
}

export interface Success<T> {
  readonly value: T;
  /** When the successful answer reached this process, ms after `startedAtMs` (performance.now()). */
  readonly atMs: number;
  /** How many attempts had been started by then. */
  readonly attempts: number;
}

/**
 * Runs `attempt` every `policy.intervalMs` until one resolves; resolves with the first value and
 * when it came. Rejects at `policy.totalTimeoutMs`, naming `what` and the last failure. Every
 * attempt still in flight is aborted through its signal and awaited before this returns.
 */
export async function firstSuccess<T>(what: string, policy: AttemptPolicy, startedAtMs: number, attempt: (n: number, signal: AbortSignal) => Promise<T>): Promise<Success<T>> {
  const deadline = startedAtMs + policy.totalTimeoutMs;
  const attemptsMax = Math.ceil(policy.totalTimeoutMs / policy.intervalMs) + 1;
  const inFlight = new Map<number, { controller: AbortController; settled: Promise<void> }>();
  let started = 0;
  let lastStartMs = -Infinity;
  let lastError = 'no attempt answered yet';
  let done: Success<T> | undefined;
  let wake = (): void => undefined;

  const start = (n: number): void => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${policy.attemptTimeoutMs} ms`)), policy.attemptTimeoutMs);
    const settled = untilAborted(attempt(n, controller.signal), controller.signal).then(
      (value) => {
        done ??= { value, atMs: performance.now() - startedAtMs, attempts: started };
      },
      (err: unknown) => {
        lastError = oneLine(err);
      },
    );
    inFlight.set(n, {
      controller,
      settled: settled.finally(() => {
        clearTimeout(timer);
        inFlight.delete(n);
        wake();
      }),
    });
  };

  try {
    for (;;) {
      if (done !== undefined) return done;
      const now = performance.now();
      if (now >= deadline) throw new Error(`${what}: not within ${policy.totalTimeoutMs} ms of the kill (${started} attempts; the last failure: ${lastError})`);
      if (now - lastStartMs >= policy.intervalMs && inFlight.size < policy.inFlightMax && started < attemptsMax) {
        lastStartMs = now;
        start(++started);
      }
      // Until the next attempt is due, or an attempt settles (it may be the success).
      const sleepMs = Math.max(1, Math.min(lastStartMs + policy.intervalMs, deadline) - performance.now());
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, sleepMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    const left = [...inFlight.values()];
    for (const a of left) a.controller.abort(new Error(`${what}: done`));
    await Promise.all(left.map((a) => a.settled));
  }
}

/** `work`, or the signal's reason as soon as it aborts (the work itself may go on; see its owner). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
