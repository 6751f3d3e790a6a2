// Log lines for events that an untrusted party can repeat at will (a container hitting a limit,
// a peer sending garbage): the first of each kind is logged at once, then at most one per
// interval, carrying how many were held back since. Without this the log itself becomes the
// damage. Kinds are bounded too: past `kindsMax` the oldest is forgotten.

import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

export const LOG_LIMIT_DEFAULTS = {
  intervalMs: 10_000,
  /** Kinds remembered at once; each costs a map entry. */
  kindsMax: 10_000,
} as const;

export class RateLimitedLog {
  private readonly kinds = new Map<string, { lastMs: number; heldBack: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly intervalMs: number = LOG_LIMIT_DEFAULTS.intervalMs,
    private readonly kindsMax: number = LOG_LIMIT_DEFAULTS.kindsMax,
  ) {}

  /** Logs `msg` unless a line of `kind` went out less than an interval ago; returns whether it did. */
  note(level: 'debug' | 'info' | 'warn' | 'error', kind: string, fields: Record<string, unknown>, msg: string): boolean {
    const now = this.clock.nowMs();
    const seen = this.kinds.get(kind);
    if (seen !== undefined && now - seen.lastMs < this.intervalMs) {
      seen.heldBack++;
      return false;
    }
    if (seen === undefined && this.kinds.size >= this.kindsMax) this.kinds.delete(this.kinds.keys().next().value as string);
    this.kinds.delete(kind); // re-inserted last: the map's order is the order of last lines
    this.kinds.set(kind, { lastMs: now, heldBack: 0 });
    this.logger[level]({ ...fields, ...(seen !== undefined && seen.heldBack > 0 ? { heldBackSinceLast: seen.heldBack } : {}) }, msg);
    return true;
  }

  /** Forgets the kinds that start with `prefix` (what they were about is gone). */
  forget(prefix: string): void {
    for (const k of [...this.kinds.keys()]) if (k.startsWith(prefix)) this.kinds.delete(k);
  }
}
