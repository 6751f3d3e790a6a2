// A manager's own certificate is renewed before it expires, with no restart: at the time
// manager/ca/renewal.ts draws (50-80% of its lifetime), the manager signs a new one for a new key
// with the cluster's CA (in its store), writes its bundle and hands it to its TLS provider; new
// connections use it, open ones go on. A failed renewal is logged and tried again after
// `RENEW_RETRY_MS`. Timers are at most `RENEW_CHECK_MAX_MS` long (Node's timers cannot be set
// weeks ahead), and the due time is checked again at each.

import type { Clock, Timer } from '../../shared/clock.js';
import { oneLine } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { Rng } from '../../shared/rng.js';
import { renewalDueAtMs } from '../ca/renewal.js';

export const RENEW_RETRY_MS = 60_000;
export const RENEW_CHECK_MAX_MS = 60 * 60 * 1000;

export interface RenewerOptions {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger: Logger;
  /** The certificate in use now. */
  readonly current: () => string | Buffer;
  /** Makes, stores and puts in use a new certificate. */
  readonly renew: () => Promise<void>;
}

export class CertRenewer {
  private timer: Timer | undefined;
  private dueAtMs = 0;
  private stopped = false;
  private renewing: Promise<void> | undefined;

  constructor(private readonly o: RenewerOptions) {}

  start(): void {
    this.dueAtMs = renewalDueAtMs(this.o.current(), this.o.rng);
    this.arm();
  }

  private arm(delayMs = Math.max(0, this.dueAtMs - this.o.clock.wallMs())): void {
    if (this.stopped) return;
    this.timer = this.o.clock.setTimer(Math.min(delayMs, RENEW_CHECK_MAX_MS), () => {
      if (this.o.clock.wallMs() < this.dueAtMs) return this.arm();
      this.renewing = this.o.renew().then(
        () => {
          this.o.logger.info({ dueWas: new Date(this.dueAtMs).toISOString() }, 'certificate renewed');
          this.start();
        },
        (err: unknown) => {
          this.o.logger.warn({ err: oneLine(err), retryInMs: RENEW_RETRY_MS }, 'certificate renewal failed; trying again');
          this.arm(RENEW_RETRY_MS);
        },
      );
    });
  }

  /** Resolves once a renewal under way (if any) has finished and the next one is scheduled. */
  async whenIdle(): Promise<void> {
    await this.renewing;
  }

  /** When the next renewal is due (wall clock). */
  get nextDueAtMs(): number {
    return this.dueAtMs;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.renewing;
  }
}
