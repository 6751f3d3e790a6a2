import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock, waitUntil } from './clock.js';

describe('ManualClock', () => {
  it('fires timers in due order, ties in creation order, only when time reaches them', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    clock.setTimer(20, () => fired.push('b'));
    clock.setTimer(10, () => fired.push('a'));
    clock.setTimer(20, () => fired.push('c'));
    clock.advance(9);
    expect(fired).toEqual([]);
    clock.advance(11);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(clock.nowMs()).toBe(20);
  });

  it('lets a timer set a timer that falls due within the same advance', () => {
    const clock = new ManualClock();
    const at: number[] = [];
    clock.setTimer(5, () => {
      at.push(clock.nowMs());
      clock.setTimer(5, () => at.push(clock.nowMs()));
    });
    clock.advance(100);
    expect(at).toEqual([5, 10]);
  });

  it('does not fire cancelled timers', () => {
    const clock = new ManualClock();
    let fired = false;
    clock.setTimer(5, () => (fired = true)).cancel();
    clock.advance(10);
    expect(fired).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('resolves sleeps as time advances, and rejects them on abort', async () => {
    const clock = new ManualClock();
    let woke = false;
    const sleeping = clock.sleep(1000).then(() => (woke = true));
    await clock.advanceAsync(999);
    expect(woke).toBe(false);
    await clock.advanceAsync(1);
    await sleeping;
    expect(woke).toBe(true);

    const controller = new AbortController();
    const aborted = clock.sleep(1000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    expect(clock.pendingTimers).toBe(0);
  });

  it('gives wall time from its epoch', () => {
    const clock = new ManualClock(0, 1_000_000);
    clock.advance(5);
    expect(clock.wallMs()).toBe(1_000_005);
  });
});

describe('systemClock', () => {
  it('is monotonic', () => {
    const a = systemClock.nowMs();
    expect(systemClock.nowMs()).toBeGreaterThanOrEqual(a);
  });
});

describe('waitUntil', () => {
  it('resolves once the condition holds, and names what it waited for when time runs out', async () => {
    const clock = new ManualClock();
    let ready = false;
    const waiting = waitUntil(clock, 'the flag', () => ready, 1_000, 100);
    await clock.advanceAsync(300);
    ready = true;
    await clock.advanceAsync(100);
    await expect(waiting).resolves.toBeUndefined();

    const never = waitUntil(clock, 'the other flag', () => false, 1_000, 100);
    const outcome = expect(never).rejects.toThrow('timed out waiting for the other flag');
    await clock.advanceAsync(1_200);
    await outcome;
  });
});
