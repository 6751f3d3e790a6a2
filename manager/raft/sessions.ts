// Client sessions (Raft thesis §6.3): exactly-once application of commands that a client may
// send more than once. Raft itself is at-least-once: a client that retries a command whose answer
// it never received (the leader crashed, the connection broke) may get it appended twice. The
// state machine keeps, per session, the outcome of each command the client has not yet
// acknowledged; a copy of one of those is answered with the stored outcome and not applied again.
//
// A session is opened by a log entry of its own and named by that entry's index, so every replica
// knows the same sessions. A command names its session, its sequence number (1, 2, … per session)
// and `acked`: every command of the session numbered up to `acked` has been answered, so those
// outcomes can be forgotten, and a copy of one of them arriving late is refused rather than
// applied. A client may have many commands in flight (a stream of writes).
//
// Everything here is deterministic in the order of the log, so every replica evicts and forgets
// the same things: the least recently used session goes when there are more than `maxSessions`;
// a session's oldest stored outcome goes when it holds more than `maxPending`. A command of an
// evicted session is refused (the client opens a new one and learns nothing was applied twice).
// Pure: no I/O, no clock.

import { failedPrecondition, invalidArgument, isErrorKind, ShoalError, type ErrorKind } from '../../shared/errors.js';

export interface SessionLimits {
  readonly maxSessions: number;
  /** Outcomes kept per session for commands the client has not acknowledged. */
  readonly maxPending: number;
}

export const SESSION_LIMITS: SessionLimits = { maxSessions: 10_000, maxPending: 1_000 };

/** A command's place in its session. `session` 0: no session (applied every time it commits). */
export interface SessionStamp {
  readonly session: number;
  readonly seq: number;
  readonly acked: number;
}

/** A stored outcome: the result (JSON-able) or the error the command failed with. */
type Outcome<R> = { readonly ok: true; readonly result: R } | { readonly ok: false; readonly kind: ErrorKind; readonly code: string; readonly message: string };

interface Session<R> {
  /** Every command numbered up to this one was answered; their outcomes are gone. */
  floor: number;
  readonly outcomes: Map<number, Outcome<R>>;
}

/** The table as a snapshot carries it: sessions from least to most recently used. */
export type SessionsSnapshot<R> = [id: number, floor: number, outcomes: [seq: number, outcome: Outcome<R>][]][];

export class SessionTable<R> {
  /** Insertion order is recency of use: the first is the least recently used. */
  private readonly sessions = new Map<number, Session<R>>();

  constructor(private readonly limits: SessionLimits = SESSION_LIMITS) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Opens a session named `id` (the index of the entry that opens it). */
  open(id: number): void {
    this.sessions.set(id, { floor: 0, outcomes: new Map() });
    if (this.sessions.size > this.limits.maxSessions) this.sessions.delete(this.sessions.keys().next().value as number);
  }

  /**
   * Applies a command once: `run` is called unless this command (session, seq) already ran, in
   * which case its stored outcome is returned (or thrown) again. Throws a one-line error, without
   * calling `run`, for an unknown or evicted session, a bad stamp, or a command already answered
   * and acknowledged.
   */
  apply(stamp: SessionStamp, run: () => R): R {
    if (stamp.session === 0) return run();
    const s = this.sessions.get(stamp.session);
    if (s === undefined) {
      throw failedPrecondition('raft.session_unknown', `session ${stamp.session} is unknown or expired: open a new session`);
    }
    if (!Number.isSafeInteger(stamp.seq) || stamp.seq < 1 || !Number.isSafeInteger(stamp.acked) || stamp.acked < 0 || stamp.acked >= stamp.seq) {
      throw invalidArgument('raft.session_bad_seq', `session ${stamp.session}: seq ${stamp.seq} and acked ${stamp.acked}: seq must be 1 or more and acked below it`);
    }
    this.sessions.delete(stamp.session); // re-inserted last: most recently used
    this.sessions.set(stamp.session, s);
    if (stamp.acked > s.floor) {
      s.floor = stamp.acked;
      for (const seq of s.outcomes.keys()) if (seq <= s.floor) s.outcomes.delete(seq);
    }
    if (stamp.seq <= s.floor) {
      throw failedPrecondition('raft.session_stale', `session ${stamp.session}: command ${stamp.seq} was answered before (acknowledged up to ${s.floor})`);
    }
    const stored = s.outcomes.get(stamp.seq);
    if (stored !== undefined) return settle(stored);
    let outcome: Outcome<R>;
    try {
      outcome = { ok: true, result: run() };
    } catch (err) {
      if (!(err instanceof ShoalError)) throw err; // a bug, not an outcome
      outcome = { ok: false, kind: err.kind, code: err.code, message: err.message };
    }
    s.outcomes.set(stamp.seq, outcome);
    if (s.outcomes.size > this.limits.maxPending) {
      const oldest = Math.min(...s.outcomes.keys());
      s.outcomes.delete(oldest);
      s.floor = Math.max(s.floor, oldest);
    }
    return settle(outcome);
  }

  snapshot(): SessionsSnapshot<R> {
    return [...this.sessions].map(([id, s]) => [id, s.floor, [...s.outcomes]]);
  }

  restore(snap: SessionsSnapshot<R>): void {
    this.sessions.clear();
    for (const [id, floor, outcomes] of snap) this.sessions.set(id, { floor, outcomes: new Map(outcomes) });
  }
}

/**
 * Checks a session table that came from outside (a snapshot sent by a peer): the shape, each
 * outcome's result with `checkResult`, no session twice, and the limits. Throws what `fail` makes.
 */
export function checkSessionsSnapshot<R>(raw: unknown, checkResult: (v: unknown, path: string) => R, fail: (path: string, what: string) => Error, limits: SessionLimits = SESSION_LIMITS): SessionsSnapshot<R> {
  const count = (v: unknown, path: string, min: number): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw fail(path, `must be a whole number from ${min}`);
    return v;
  };
  const text = (v: unknown, path: string): string => {
    if (typeof v !== 'string' || v.length > 4096) throw fail(path, 'must be a string of at most 4096 characters');
    return v;
  };
  if (!Array.isArray(raw) || raw.length > limits.maxSessions) throw fail('sessions', `must be a list of at most ${limits.maxSessions} sessions`);
  const seen = new Set<number>();
  return (raw as unknown[]).map((s, i): SessionsSnapshot<R>[number] => {
    const path = `sessions[${i}]`;
    if (!Array.isArray(s) || s.length !== 3) throw fail(path, 'must be [id, floor, outcomes]');
    const id = count(s[0], `${path}[0]`, 1);
    if (seen.has(id)) throw fail(path, `session ${id} appears twice`);
    seen.add(id);
    const floor = count(s[1], `${path}[1]`, 0);
    if (!Array.isArray(s[2]) || s[2].length > limits.maxPending) throw fail(`${path}[2]`, `must be a list of at most ${limits.maxPending} outcomes`);
    const outcomes = (s[2] as unknown[]).map((e, j): [number, Outcome<R>] => {
      const at = `${path}[2][${j}]`;
      if (!Array.isArray(e) || e.length !== 2 || typeof e[1] !== 'object' || e[1] === null) throw fail(at, 'must be [seq, outcome]');
      const seq = count(e[0], `${at}[0]`, floor + 1);
      const o = e[1] as Record<string, unknown>;
      if (o.ok === true) return [seq, { ok: true, result: checkResult(o.result, `${at}[1].result`) }];
      if (o.ok !== false || !isErrorKind(o.kind)) throw fail(`${at}[1]`, 'must be {ok: true, result} or {ok: false, kind, code, message}');
      return [seq, { ok: false, kind: o.kind, code: text(o.code, `${at}[1].code`), message: text(o.message, `${at}[1].message`) }];
    });
    return [id, floor, outcomes];
  });
}

/**
 * The client's side of a session: numbers its commands and works out `acked` from the answers it
 * has. A command sent again keeps its stamp.
 */
export class SessionClient {
  private nextSeq = 1;
  private ackedUpTo = 0;
  private readonly answeredAbove = new Set<number>();

  constructor(readonly session: number) {}

  /** The stamp of a new command. */
  stamp(): SessionStamp {
    return { session: this.session, seq: this.nextSeq++, acked: this.ackedUpTo };
  }

  /** Command `seq` has its answer (a result, an error, or a refusal before it was appended). */
  answered(seq: number): void {
    this.answeredAbove.add(seq);
    while (this.answeredAbove.delete(this.ackedUpTo + 1)) this.ackedUpTo++;
  }
}

function settle<R>(o: Outcome<R>): R {
  if (o.ok) return o.result;
  throw new ShoalError(o.kind, o.code, o.message);
}
