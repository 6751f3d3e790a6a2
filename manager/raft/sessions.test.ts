import { describe, expect, it } from 'vitest';
import { invalidArgument } from '../../shared/errors.js';
import { SessionClient, SessionTable, type SessionsSnapshot } from './sessions.js';

/** A counter state machine: each applied command adds one and returns the new total. */
function counter(limits?: { maxSessions: number; maxPending: number }) {
  const table = new SessionTable<number>(limits);
  let total = 0;
  return {
    table,
    apply: (session: number, seq: number, acked = 0) => table.apply({ session, seq, acked }, () => ++total),
    total: () => total,
  };
}

describe('client sessions (thesis §6.3): exactly-once commands', () => {
  it('a copy of a command is answered with the first outcome and not applied again', () => {
    const c = counter();
    c.table.open(7);
    expect(c.apply(7, 1)).toBe(1);
    expect(c.apply(7, 2)).toBe(2);
    expect(c.apply(7, 1)).toBe(1); // the retry of seq 1, after seq 2 ran
    expect(c.apply(7, 2)).toBe(2);
    expect(c.total()).toBe(2);
  });

  it('a command that failed fails the same way when it comes again, without running again', () => {
    const table = new SessionTable<number>();
    table.open(3);
    let runs = 0;
    const bad = (): number => {
      runs++;
      throw invalidArgument('kv.bad_key', 'key: must be 1 to 4096 bytes');
    };
    expect(() => table.apply({ session: 3, seq: 1, acked: 0 }, bad)).toThrow('key: must be 1 to 4096 bytes');
    expect(() => table.apply({ session: 3, seq: 1, acked: 0 }, bad)).toThrow('key: must be 1 to 4096 bytes');
    expect(runs).toBe(1);
  });

  it('commands without a session are applied every time they commit (at-least-once)', () => {
    const c = counter();
    c.apply(0, 1);
    c.apply(0, 1);
    expect(c.total()).toBe(2);
  });

  it('refuses a command of a session never opened, without applying it', () => {
    const c = counter();
    expect(() => c.apply(9, 1)).toThrow('session 9 is unknown or expired: open a new session');
    expect(c.total()).toBe(0);
  });

  it('refuses a bad stamp with one line naming it', () => {
    const c = counter();
    c.table.open(1);
    expect(() => c.apply(1, 0)).toThrow('session 1: seq 0 and acked 0: seq must be 1 or more and acked below it');
    expect(() => c.apply(1, 2, 2)).toThrow('acked below it');
    expect(c.total()).toBe(0);
  });

  it('forgets acknowledged outcomes; a late copy of an acknowledged command is refused, not applied', () => {
    const c = counter();
    c.table.open(1);
    c.apply(1, 1);
    c.apply(1, 2);
    c.apply(1, 3, 2); // the client has the answers to 1 and 2
    expect(c.table.snapshot()).toEqual([[1, 2, [[3, { ok: true, result: 3 }]]]]);
    expect(() => c.apply(1, 1)).toThrow('session 1: command 1 was answered before (acknowledged up to 2)');
    expect(c.total()).toBe(3);
  });

  it('evicts the least recently used session beyond the limit, the same way on every replica', () => {
    const c = counter({ maxSessions: 2, maxPending: 10 });
    c.table.open(1);
    c.table.open(2);
    c.apply(1, 1); // 2 is now the least recently used
    c.table.open(3);
    expect(c.table.size).toBe(2);
    expect(() => c.apply(2, 1)).toThrow('session 2 is unknown or expired');
    expect(c.apply(1, 1)).toBe(1); // still known: the copy is answered, not applied
    expect(c.apply(3, 1)).toBe(2);
  });

  it('keeps at most maxPending outcomes per session; a copy of a forgotten one is refused, never applied twice', () => {
    const c = counter({ maxSessions: 10, maxPending: 3 });
    c.table.open(1);
    for (let seq = 1; seq <= 5; seq++) c.apply(1, seq); // the client acknowledges nothing
    expect(() => c.apply(1, 2)).toThrow('command 2 was answered before');
    expect(c.apply(1, 3)).toBe(3);
    expect(c.total()).toBe(5);
  });

  it("a client acknowledges only the commands up to its first unanswered one", () => {
    const c = new SessionClient(5);
    const [a, b, d] = [c.stamp(), c.stamp(), c.stamp()];
    expect([a.seq, b.seq, d.seq]).toEqual([1, 2, 3]);
    c.answered(2); // 1 still has no answer: nothing can be acknowledged
    expect(c.stamp()).toEqual({ session: 5, seq: 4, acked: 0 });
    c.answered(1);
    expect(c.stamp()).toEqual({ session: 5, seq: 5, acked: 2 });
  });

  it('a snapshot carries the sessions: after restore (through JSON), copies are still answered, not applied', () => {
    const a = counter();
    a.table.open(1);
    a.table.open(2);
    a.apply(1, 1);
    a.apply(2, 1);
    const b = counter();
    b.table.restore(JSON.parse(JSON.stringify(a.table.snapshot())) as SessionsSnapshot<number>);
    expect(b.apply(1, 1)).toBe(1);
    expect(b.apply(2, 1)).toBe(2);
    expect(b.total()).toBe(0);
    expect(b.table.snapshot()).toEqual(a.table.snapshot());
  });
});
