// `--restart` on the agent, the Docker engine's way (its restart manager): when a task's container
// exits on its own, "always" restarts it after any exit and "on-failure" after a non-zero one, at
// most maxRetries times (0: no limit, as Docker's MaximumRetryCount), on the same node and the
// same container, after a backoff of 100 ms that doubles up to a minute and starts again from
// 100 ms once a run lasted 10 s. Pure: the decision and the words the task's status carries.
// The worker (worker.ts) keeps the timers and the records; restart-ledger.ts keeps the records
// across agent restarts.

import type { Task__Output } from '../../proto/gen/shoal/dispatcher/v1/Task.js';
import type { TaskExit } from '../shim/protocol.js';

/** Docker's: 100 ms doubling to 1 min; a run of at least 10 s starts the backoff over. */
export const RESTART_BACKOFF = { initialDelayMs: 100, maxDelayMs: 60_000, resetAfterRunMs: 10_000 } as const;

/**
 * A running task whose container waits for its restart says so in its message with this prefix
 * (`shoal ps` shows it as Restarting: cli/commands/tasks-format.ts). Its observed state stays
 * `running` — states only move forward — as Docker's State.Running stays true while Restarting.
 */
export const RESTARTING_PREFIX = 'restarting: ';

export interface RestartPolicy {
  readonly condition: 'always' | 'on-failure';
  /** 0: no limit. */
  readonly maxRetries: number;
}

/** What one task's restarts have been: kept across agent restarts (restart-ledger.ts). */
export interface RestartRecord {
  /** Restarts done. */
  readonly restarts: number;
  /** The backoff the last restart waited. */
  readonly backoffMs: number;
}

/** The task's policy; undefined when it is never restarted (no policy, or "no"). */
export function restartPolicyOf(task: Pick<Task__Output, 'restart'>): RestartPolicy | undefined {
  const r = task.restart;
  if (r === null || r === undefined || (r.condition !== 'always' && r.condition !== 'on-failure')) return undefined;
  return { condition: r.condition, maxRetries: r.maxRetries };
}

export type RestartDecision =
  | { readonly restart: true; readonly delayMs: number; readonly next: RestartRecord }
  | { readonly restart: false; readonly gaveUp?: string };

/**
 * Whether an exit is followed by a restart, and after how long. `ranMs` is how long the run that
 * ended lasted as far as the worker saw it (undefined: not known, counted as short).
 */
export function decideRestart(policy: RestartPolicy | undefined, record: RestartRecord | undefined, exit: TaskExit, ranMs: number | undefined): RestartDecision {
  if (policy === undefined) return { restart: false };
  if (policy.condition === 'on-failure' && exit.exitCode === 0) return { restart: false };
  const done = record?.restarts ?? 0;
  if (policy.condition === 'on-failure' && policy.maxRetries > 0 && done >= policy.maxRetries) {
    return { restart: false, gaveUp: `not restarted again: restarted ${times(done)}, the most --restart on-failure:${policy.maxRetries} allows` };
  }
  const longRun = ranMs !== undefined && ranMs >= RESTART_BACKOFF.resetAfterRunMs;
  const delayMs = record === undefined || longRun ? RESTART_BACKOFF.initialDelayMs : Math.min(RESTART_BACKOFF.maxDelayMs, record.backoffMs * 2);
  return { restart: true, delayMs, next: { restarts: done + 1, backoffMs: delayMs } };
}

/** How an exit is said: `exit code 1`, `killed by SIGKILL (exit code 137)`, `out of memory: killed (exit code 137)`. */
export function exitText(exit: TaskExit): string {
  if (exit.oomKilled) return `out of memory: killed (exit code ${exit.exitCode})`;
  if (exit.signal !== '') return `killed by ${exit.signal} (exit code ${exit.exitCode})`;
  return `exit code ${exit.exitCode}`;
}

/** The message while it waits: `restarting: exit code 1, restart 3 of 5 in 400 ms`. */
export function restartingMessage(policy: RestartPolicy, exit: TaskExit, next: RestartRecord): string {
  const of = policy.condition === 'on-failure' && policy.maxRetries > 0 ? ` of ${policy.maxRetries}` : '';
  return `${RESTARTING_PREFIX}${exitText(exit)}, restart ${next.restarts}${of} in ${next.backoffMs} ms`;
}

/** The message once it runs again: `restarted 3 times; last exit code 1`. */
export function restartedMessage(record: RestartRecord, lastExit: TaskExit | undefined): string {
  return `restarted ${times(record.restarts)}${lastExit !== undefined ? `; last ${exitText(lastExit)}` : ''}`;
}

function times(n: number): string {
  return n === 1 ? 'once' : `${n} times`;
}
