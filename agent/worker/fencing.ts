// `--stop-on-disconnect D` on the agent (opt-in fencing): a task's container is stopped once the
// agent has gone D without a manager, so that the managers, who start its replacement only after
// D on their side, never see two copies run at once — not even across a partition. Pure: when
// the stop begins and what the task's status says; the worker (worker.ts) keeps the timer.
//
// Counted from the last time a manager answered (the Session call's start, a heartbeat's send
// time: the managers heard of the agent no earlier than that, so the agent's D ends no later than
// theirs). The stop begins early enough for the container to have ended by D: its stop signal at
// D − grace, SIGKILL at D, where grace is its own (10 s by default) but at most a quarter of D.

/** On the container: its task's D, so that an agent restarted without a manager still fences it. */
export const STOP_ON_DISCONNECT_LABEL = 'com.shoal.stop-on-disconnect-ms';
/** A container's stop grace when its spec names none: the supervisor's (runtime/supervisor.ts). */
export const STOP_GRACE_MS_DEFAULT = 10_000;
/** The fencing stop's grace is at most this share of D: the stop signal comes late in D, not at its start. */
export const FENCE_GRACE_SHARE_MAX = 0.25;

/** The grace of the fencing stop: the container's own, at most a quarter of D. */
export function fenceGraceMs(stopOnDisconnectMs: number, stopGracePeriodMs: number): number {
  const own = stopGracePeriodMs > 0 ? stopGracePeriodMs : STOP_GRACE_MS_DEFAULT;
  return Math.floor(Math.min(own, stopOnDisconnectMs * FENCE_GRACE_SHARE_MAX));
}

/** When the stop begins (the clock's ms): D less the grace after the last contact. */
export function fenceStopAtMs(lastContactMs: number, stopOnDisconnectMs: number, graceMs: number): number {
  return lastContactMs + stopOnDisconnectMs - graceMs;
}

/** The task's shutdown message: `stopped: no manager for 30 s (--stop-on-disconnect)`. */
export function fenceMessage(stopOnDisconnectMs: number): string {
  return `stopped: no manager for ${durationText(stopOnDisconnectMs)} (--stop-on-disconnect)`;
}

/** `30 s`, `2 min`, `1500 ms`. */
export function durationText(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1_000 === 0) return `${ms / 1_000} s`;
  return `${ms} ms`;
}

/** A label value back into D; undefined when absent or not a positive whole number. */
export function stopOnDisconnectOfLabel(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,12}$/.test(value)) return undefined;
  const ms = Number(value);
  return ms > 0 ? ms : undefined;
}
