import { describe, expect, it } from 'vitest';
import { ManualClock, type Clock } from '../../shared/clock.js';
import { ShoalError } from '../../shared/errors.js';
import { SeededRng } from '../../shared/rng.js';
import { HeartbeatTicker } from './heartbeat-ticker.js';
import { HeartbeatTracker, type DownEvent, type HeartbeatTrackerOptions, type KnownNode, type UpEvent } from './heartbeat.js';

type Seen = (DownEvent | UpEvent) & { atMs: number };

/**
 * The leader's event loop over a ManualClock. `stallBeforeNextTick(S)` blocks it for S ms just
 * before its tracker's tick is due: the clock jumps by S while nothing runs, so the tick comes S
 * late and runs first, then every heartbeat held up by the stall comes in (timers before I/O, as
 * Node's loop does after a long turn: the order least favourable to the nodes).
 */
function leader(options: Partial<HeartbeatTrackerOptions> & { seed?: number; known?: KnownNode[] } = {}) {
  const manual = new ManualClock(1_000_000);
  let offsetMs = 0;
  const clock: Clock = {
    nowMs: () => manual.nowMs() + offsetMs,
    wallMs: () => manual.wallMs() + offsetMs,
    setTimer: (delayMs, fn) => manual.setTimer(delayMs, fn),
    sleep: (delayMs, signal) => manual.sleep(delayMs, signal),
  };
  const { seed = 1, known = [], ...rest } = options;
  const tracker = new HeartbeatTracker(clock.nowMs(), known, { rng: new SeededRng(seed), ...rest });
  const seen: Seen[] = [];
  const ticker = new HeartbeatTicker(clock, tracker, (downs) => seen.push(...downs.map((d) => ({ ...d, atMs: clock.nowMs() }))));
  ticker.start();
  const h = {
    manual, clock, tracker, ticker, seen,
    downs: () => seen.filter((e): e is DownEvent & { atMs: number } => e.kind === 'down'),
    ups: () => seen.filter((e) => e.kind === 'up'),
    advance: (ms: number) => manual.advance(ms),
    stallBeforeNextTick(stallMs: number): void {
      const untilTickMs = tracker.nextTickAtMs - clock.nowMs();
      if (untilTickMs < 1) throw new Error('stallBeforeNextTick: the tick is due now; advance first');
      manual.advance(untilTickMs - 1);
      offsetMs += stallMs;
    },
    agent: (nodeId: string) => new Agent(h, nodeId),
  };
  return h;
}

/** An agent on another host: heartbeats each answered period after the answer, until it dies. */
class Agent {
  sessionId = '';
  alive = true;
  lastBeatAtMs = 0;
  readonly periods: number[] = [];

  constructor(private readonly h: ReturnType<typeof leader>, readonly nodeId: string) {}

  register(): this {
    const r = this.h.tracker.register(this.nodeId, this.h.clock.nowMs());
    if (r.up) this.h.seen.push({ ...r.up, atMs: this.h.clock.nowMs() });
    this.sessionId = r.sessionId;
    this.lastBeatAtMs = this.h.clock.nowMs();
    this.next(r.periodMs);
    return this;
  }

  beat(): void {
    const a = this.h.tracker.heartbeat(this.nodeId, this.sessionId, this.h.clock.nowMs());
    if (a.up) this.h.seen.push({ ...a.up, atMs: this.h.clock.nowMs() });
    this.lastBeatAtMs = this.h.clock.nowMs();
    this.next(a.periodMs);
  }

  private next(periodMs: number): void {
    this.periods.push(periodMs);
    this.h.manual.setTimer(periodMs, () => {
      if (this.alive) this.beat();
    });
  }
}

describe('HeartbeatTracker: heartbeats and the period', () => {
  it('keeps nodes that heartbeat up, answering periods jittered below the cluster period', () => {
    const h = leader();
    const agents = Array.from({ length: 50 }, (_, i) => h.agent(`n${i}`).register());
    h.advance(60_000);
    expect(h.seen).toEqual([]);
    const periods = agents.flatMap((a) => a.periods);
    expect(periods.length).toBeGreaterThan(50 * 60);
    expect(Math.max(...periods)).toBeLessThanOrEqual(1_000);
    expect(Math.min(...periods)).toBeGreaterThanOrEqual(800);
    expect(Math.max(...periods)).toBeGreaterThan(990); // the whole range is drawn
    expect(Math.min(...periods)).toBeLessThan(810);
    expect(h.tracker.stats()).toMatchObject({ up: 50, down: 0, stalls: 0, stalledMs: 0 });
  });

  it('draws the same periods and session ids for the same seed', () => {
    const run = (seed: number) => {
      const h = leader({ seed });
      const a = h.agent('n1').register();
      h.advance(10_000);
      return [a.sessionId, ...a.periods];
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('refuses a heartbeat on a session that is not the node’s current one', () => {
    const h = leader();
    const a = h.agent('n1').register();
    const old = a.sessionId;
    a.register(); // the agent reconnected: a new session replaces the old one
    const replaced = (): unknown => h.tracker.heartbeat('n1', old, h.clock.nowMs());
    expect(replaced).toThrow(ShoalError);
    expect(replaced).toThrow(`node n1: session ${old} is not open on this manager (replaced, or opened with another leader): register again`);
    expect(() => h.tracker.heartbeat('n9', a.sessionId, h.clock.nowMs())).toThrow(expect.objectContaining({ code: 'dispatcher.session_unknown', kind: 'not_found' }));
    expect(() => h.tracker.checkSession('n1', old)).toThrow('register again');
    expect(() => h.tracker.checkSession('n1', a.sessionId)).not.toThrow();
  });

  it('answers a registration with the session it replaces', () => {
    const h = leader();
    const first = h.tracker.register('n1', h.clock.nowMs());
    expect(first.replacedSessionId).toBeUndefined();
    const second = h.tracker.register('n1', h.clock.nowMs());
    expect(second.replacedSessionId).toBe(first.sessionId);
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(h.tracker.sessionOf('n1')).toBe(second.sessionId);
  });
});

describe('HeartbeatTracker: down after missedMax periods of silence', () => {
  it('declares a node down right after 3 whole periods of silence, not before, whatever period it was told', () => {
    const h = leader({ tickIntervalMs: 1 });
    const a = h.agent('n1').register();
    h.advance(5_000);
    a.alive = false;
    h.advance(a.lastBeatAtMs + 3_000 - h.clock.nowMs()); // 3 periods since its last heartbeat, its own shorter
    expect(a.periods.at(-1)).toBeLessThan(1_000);
    expect(h.downs()).toEqual([]);
    h.advance(1);
    expect(h.downs()).toEqual([{ kind: 'down', nodeId: 'n1', lastHeartbeatAtMs: a.lastBeatAtMs, missed: 3, atMs: a.lastBeatAtMs + 3_001 }]);
  });

  it('with the default tick of 100 ms, declares it down within one tick after the deadline', () => {
    const h = leader();
    const a = h.agent('n1').register();
    h.advance(4_321);
    a.alive = false;
    h.advance(10_000);
    const [down] = h.downs();
    expect(down!.atMs - a.lastBeatAtMs).toBeGreaterThan(3_000);
    expect(down!.atMs - a.lastBeatAtMs).toBeLessThanOrEqual(3_100);
  });

  it('emits a node’s down once, however long it stays silent', () => {
    const h = leader();
    const a = h.agent('n1').register();
    h.advance(2_000);
    a.alive = false;
    h.advance(60_000);
    expect(h.downs()).toHaveLength(1);
    expect(h.tracker.stateOf('n1')).toBe('down');
    expect(h.tracker.stats()).toMatchObject({ downDeclared: 1, down: 1, up: 0 });
  });

  it('brings a down node up once when it heartbeats again on its session, and down again after a new silence', () => {
    const h = leader();
    const a = h.agent('n1').register();
    h.advance(2_000);
    a.alive = false;
    h.advance(5_000);
    expect(h.downs()).toHaveLength(1);
    a.alive = true;
    a.beat(); // the partition healed: the same session comes back
    expect(h.ups()).toEqual([{ kind: 'up', nodeId: 'n1', sessionId: a.sessionId, atMs: h.clock.nowMs() }]);
    h.advance(30_000);
    expect(h.ups()).toHaveLength(1);
    expect(h.downs()).toHaveLength(1);
    a.alive = false;
    h.advance(5_000);
    expect(h.downs()).toHaveLength(2);
    expect(h.tracker.stats()).toMatchObject({ downDeclared: 2, upDeclared: 1 });
  });

  it('brings a down node up when it registers again (an agent restarted)', () => {
    const h = leader();
    const a = h.agent('n1').register();
    a.alive = false;
    h.advance(5_000);
    const b = h.agent('n1').register();
    expect(h.ups()).toEqual([{ kind: 'up', nodeId: 'n1', sessionId: b.sessionId, atMs: h.clock.nowMs() }]);
    h.advance(20_000);
    expect(h.downs()).toHaveLength(1);
  });

  it('applies a new period or missedMax from each node’s next heartbeat on', () => {
    const h = leader({ tickIntervalMs: 1, settings: { jitterFraction: 0 } });
    const a = h.agent('n1').register();
    h.advance(1_000); // one heartbeat at the old period
    h.tracker.updateSettings({ periodMs: 2_000, missedMax: 2 });
    h.advance(1_000); // the next heartbeat is answered with the new period
    expect(a.periods).toEqual([1_000, 1_000, 2_000]);
    a.alive = false;
    h.advance(4_000);
    expect(h.downs()).toEqual([]);
    h.advance(1);
    expect(h.downs()).toMatchObject([{ nodeId: 'n1', missed: 2 }]);
  });

  it('refuses settings that make no sense (a bug in the caller)', () => {
    const h = leader();
    expect(() => h.tracker.updateSettings({ periodMs: 0 })).toThrow('periodMs must be a whole number ≥ 1');
    expect(() => h.tracker.updateSettings({ missedMax: 1.5 })).toThrow('missedMax must be a whole number ≥ 1');
    expect(() => h.tracker.updateSettings({ jitterFraction: 0.9 })).toThrow('jitterFraction must be in [0, 0.5]');
  });

  it('forgets a removed node without an event', () => {
    const h = leader();
    const a = h.agent('n1').register();
    a.alive = false;
    expect(h.tracker.remove('n1')).toBe(true);
    h.advance(10_000);
    expect(h.seen).toEqual([]);
    expect(h.tracker.stateOf('n1')).toBeUndefined();
    expect(() => a.beat()).toThrow('register again');
  });
});

describe('HeartbeatTracker: a new leader gives every known node one full grace period', () => {
  const known: KnownNode[] = [
    { nodeId: 'ready', state: 'ready' },
    { nodeId: 'unknown', state: 'unknown' },
    { nodeId: 'late', state: 'ready' },
    { nodeId: 'was-down', state: 'down' },
    { nodeId: 'left', state: 'disconnected' },
  ];

  it('declares none down within the grace, then only those that did not register', () => {
    const h = leader({ known, tickIntervalMs: 1 });
    const startMs = h.clock.nowMs();
    expect(h.tracker.stats()).toMatchObject({ waiting: 3, down: 1, up: 0 });
    expect(h.tracker.stateOf('left')).toBeUndefined();
    h.advance(2_999);
    h.agent('late').register(); // found the new leader just in time
    h.advance(1);
    expect(h.downs()).toEqual([]);
    h.advance(1);
    expect(h.downs()).toEqual([{ kind: 'down', nodeId: 'ready', missed: 3, atMs: startMs + 3_001 }, { kind: 'down', nodeId: 'unknown', missed: 3, atMs: startMs + 3_001 }]);
    h.advance(60_000);
    expect(h.downs()).toHaveLength(2); // was-down is not declared again; late keeps heartbeating
    expect(h.tracker.stateOf('late')).toBe('up');
  });

  it('a node already down in the store comes up when it registers', () => {
    const h = leader({ known });
    const a = h.agent('was-down').register();
    expect(h.ups()).toEqual([{ kind: 'up', nodeId: 'was-down', sessionId: a.sessionId, atMs: h.clock.nowMs() }]);
  });

  it('takes a longer grace when told', () => {
    const h = leader({ known, leaderGraceMs: 10_000 });
    h.advance(10_000);
    expect(h.downs()).toEqual([]);
    h.advance(100);
    expect(h.downs().map((d) => d.nodeId)).toEqual(['ready', 'unknown', 'late']);
  });
});

describe('HeartbeatTracker: a stall of the leader’s own event loop', () => {
  it('moves every deadline by the stall: nobody is down after a 5 s stall, nor after it', () => {
    const h = leader();
    const agents = Array.from({ length: 20 }, (_, i) => h.agent(`n${i}`).register());
    h.advance(3_000);
    h.stallBeforeNextTick(5_000); // longer than the 3 s deadline: every node is silent 5 s
    h.advance(1); // the late tick runs first; the held-up heartbeats come after it
    expect(h.downs()).toEqual([]);
    h.advance(30_000);
    expect(h.downs()).toEqual([]);
    expect(h.tracker.stats()).toMatchObject({ stalls: 1, stalledMs: 5_000, longestStallMs: 5_000, up: 20 });
    expect(agents.every((a) => a.lastBeatAtMs > h.clock.nowMs() - 1_000)).toBe(true);
  });

  it('declares a node that did die down, later by the stall', () => {
    const h = leader({ tickIntervalMs: 1 });
    const dead = h.agent('dead').register();
    h.agent('alive').register();
    h.advance(2_000);
    dead.alive = false;
    h.advance(1_000);
    h.stallBeforeNextTick(2_000);
    h.advance(dead.lastBeatAtMs + 3_000 + 2_000 - h.clock.nowMs());
    expect(h.downs()).toEqual([]);
    h.advance(1);
    expect(h.downs()).toEqual([{ kind: 'down', nodeId: 'dead', lastHeartbeatAtMs: dead.lastBeatAtMs, missed: 3, atMs: dead.lastBeatAtMs + 5_001 }]);
  });

  it('extends the grace of a new leader by a stall as well', () => {
    const h = leader({ known: [{ nodeId: 'n1', state: 'ready' }] });
    h.advance(2_500);
    h.stallBeforeNextTick(1_000);
    h.advance(1);
    expect(h.downs()).toEqual([]);
    h.agent('n1').register();
    h.advance(10_000);
    expect(h.downs()).toEqual([]);
  });

  it('credits small late ticks too, but logs only stalls of stallLogMinMs or more', () => {
    const h = leader();
    h.agent('n1').register();
    for (let i = 0; i < 10; i++) {
      h.stallBeforeNextTick(20);
      h.advance(1);
    }
    expect(h.tracker.stats()).toMatchObject({ stalledMs: 200, stalls: 0, longestStallMs: 20 });
  });

  it('still declares a dead node down when the loop is always behind (every tick late by more than its interval)', () => {
    const h = leader();
    const dead = h.agent('dead').register();
    dead.alive = false;
    let ticks = 0;
    while (h.downs().length === 0 && ticks < 100) {
      h.stallBeforeNextTick(150);
      h.advance(1);
      ticks++;
    }
    // The tracker's clock still moves one tick interval per tick: 3 s of it is 30 ticks.
    expect(ticks).toBe(31);
    expect(h.downs()).toMatchObject([{ nodeId: 'dead', missed: 3 }]);
  });
});

describe('HeartbeatTracker: many nodes, and the bound', () => {
  it('500 nodes for a minute: exactly the dead ones go down, each once, within a tick of its deadline', () => {
    const h = leader({ seed: 42 });
    const rng = new SeededRng(99);
    const agents = Array.from({ length: 500 }, (_, i) => h.agent(`n${i}`));
    for (const a of agents) {
      h.advance(rng.int(3)); // they connect over a few seconds, as after a restart
      a.register();
    }
    const dying = new Set(agents.filter(() => rng.float() < 0.1));
    for (const a of dying) h.manual.setTimer(5_000 + rng.int(40_000), () => (a.alive = false));
    h.advance(60_000);
    const downs = h.downs();
    expect(new Set(downs.map((d) => d.nodeId))).toEqual(new Set([...dying].map((a) => a.nodeId)));
    expect(downs).toHaveLength(dying.size);
    for (const d of downs) {
      const silentMs = d.atMs - d.lastHeartbeatAtMs!;
      expect(silentMs).toBeGreaterThan(3_000);
      expect(silentMs).toBeLessThanOrEqual(3_100);
    }
    const stats = h.tracker.stats();
    expect(stats).toMatchObject({ up: 500 - dying.size, down: dying.size, downDeclared: dying.size });
    expect(stats.scans).toBeLessThan(stats.ticks); // ticks before the earliest deadline look at nothing
  });

  it('refuses a session to a node beyond nodesMax, changing nothing, and takes it once a slot is free', () => {
    const h = leader({ nodesMax: 3 });
    for (const id of ['n1', 'n2', 'n3']) h.agent(id).register();
    const beyond = (): unknown => h.tracker.register('n4', h.clock.nowMs());
    expect(beyond).toThrow('node n4: this manager tracks 3 nodes already (nodesMax); register again later');
    expect(beyond).toThrow(expect.objectContaining({ code: 'dispatcher.nodes_max', kind: 'resource_exhausted' }));
    expect(h.tracker.size).toBe(3);
    expect(h.tracker.stateOf('n4')).toBeUndefined();
    expect(() => h.agent('n2').register()).not.toThrow(); // a tracked node re-registers freely
    expect(h.tracker.stats().refusedNodesMax).toBe(2);
    h.tracker.remove('n3');
    expect(() => h.agent('n4').register()).not.toThrow();
  });

  it('tracks at most nodesMax of the store’s nodes at leadership start and counts the rest', () => {
    const known = Array.from({ length: 5 }, (_, i): KnownNode => ({ nodeId: `n${i}`, state: 'ready' }));
    const h = leader({ nodesMax: 3, known });
    expect(h.tracker.size).toBe(3);
    expect(h.tracker.stats().untrackedAtStart).toBe(2);
  });

  it('stops ticking when the ticker stops (leadership lost)', () => {
    const h = leader();
    h.agent('n1').register().alive = false;
    h.ticker.stop();
    h.advance(10_000);
    expect(h.downs()).toEqual([]);
    expect(h.tracker.stats().ticks).toBe(0);
  });
});
