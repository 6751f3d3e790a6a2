// The HeartbeatTracker's own timer. It fires when the tracker says its next tick is due, so a
// tick that comes late came late because the event loop was busy: the tracker measures that and
// moves every deadline by it (heartbeat.ts).

import type { Clock, Timer } from '../../shared/clock.js';
import { assert } from '../../shared/errors.js';
import type { DownEvent, HeartbeatTracker } from './heartbeat.js';

export class HeartbeatTicker {
  private timer: Timer | undefined;
  private state: 'new' | 'running' | 'stopped' = 'new';

  /** `onDown` gets each tick's down events (never an empty list); the leader writes them. */
  constructor(
    private readonly clock: Clock,
    private readonly tracker: HeartbeatTracker,
    private readonly onDown: (events: readonly DownEvent[]) => void,
  ) {}

  start(): void {
    assert(this.state === 'new', `heartbeat ticker: start when ${this.state}`);
    this.state = 'running';
    this.arm();
  }

  /** Stops ticking (leadership lost); the tracker is dropped with it. */
  stop(): void {
    this.state = 'stopped';
    this.timer?.cancel();
    this.timer = undefined;
  }

  private arm(): void {
    this.timer = this.clock.setTimer(Math.max(0, this.tracker.nextTickAtMs - this.clock.nowMs()), () => this.fire());
  }

  private fire(): void {
    if (this.state !== 'running') return;
    const downs = this.tracker.tick(this.clock.nowMs());
    this.arm(); // before the callback: a throwing callback is a bug, but must not also stop the ticks
    if (downs.length > 0) this.onDown(downs);
  }
}
