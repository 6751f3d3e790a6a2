// A linearizability checker for histories of a key-value register (after Wing & Gong, with the
// memoization and per-key partitioning that Porcupine popularized). A history is linearizable
// when each operation can be given one instant between its call and its return such that the
// operations, in that order, are a legal sequential history: every get returns the last put.
//
// Operations whose outcome the client never learned (the reply was lost) are entered with
// `returnedAt: Infinity`: they may take effect at any instant after their call, or, for puts,
// effectively never (placed after everything, nothing observes them). Gets with an unknown
// outcome tell nothing and should be left out.

export type KvOperation =
  | { readonly kind: 'put'; readonly key: string; readonly value: string; readonly calledAt: number; readonly returnedAt: number; readonly client: number }
  | {
      readonly kind: 'get';
      readonly key: string;
      /** What the get returned; undefined for "not found". */
      readonly value: string | undefined;
      readonly calledAt: number;
      readonly returnedAt: number;
      readonly client: number;
    };

export interface CheckResult {
  readonly ok: boolean;
  /** Keys whose sub-history is not linearizable. */
  readonly failedKeys: readonly string[];
  /** Keys whose search gave up at the step limit (neither proven nor refuted). */
  readonly undecidedKeys: readonly string[];
}

/** Search steps per key before giving up; a limit so that a pathological history cannot hang CI. */
export const SEARCH_STEPS_MAX = 5_000_000;

export function checkLinearizable(history: readonly KvOperation[], initial: (key: string) => string | undefined = () => undefined): CheckResult {
  const byKey = new Map<string, KvOperation[]>();
  for (const op of history) {
    const list = byKey.get(op.key) ?? [];
    list.push(op);
    byKey.set(op.key, list);
  }
  const failedKeys: string[] = [];
  const undecidedKeys: string[] = [];
  for (const [key, ops] of byKey) {
    const r = checkRegister(boundUnknownPuts(ops), initial(key));
    if (r === 'no') failedKeys.push(key);
    else if (r === 'undecided') undecidedKeys.push(key);
  }
  return { ok: failedKeys.length === 0 && undecidedKeys.length === 0, failedKeys: failedKeys.sort(), undecidedKeys: undecidedKeys.sort() };
}

/**
 * Narrows puts of unknown outcome, soundly, when every put writes a distinct value:
 * - one whose value no get returned is dropped: placing it after everything is always allowed
 *   and equals it never having happened, so it cannot make a history linearizable or not;
 * - one whose value some get returned must take effect before that get returned, so its
 *   return becomes the earliest return among those gets.
 * Without this, each such put is concurrent with everything after its call and the search
 * grows exponentially with their number.
 */
export function boundUnknownPuts(ops: readonly KvOperation[]): KvOperation[] {
  const values = ops.filter((o) => o.kind === 'put').map((o) => o.value);
  if (new Set(values).size !== values.length) return [...ops]; // values repeat: leave it to the search
  const firstSeenReturn = new Map<string, number>();
  for (const o of ops) {
    if (o.kind !== 'get' || o.value === undefined) continue;
    firstSeenReturn.set(o.value, Math.min(firstSeenReturn.get(o.value) ?? Infinity, o.returnedAt));
  }
  const out: KvOperation[] = [];
  for (const o of ops) {
    if (o.kind !== 'put' || o.returnedAt !== Infinity) {
      out.push(o);
      continue;
    }
    const seen = firstSeenReturn.get(o.value);
    if (seen !== undefined) out.push({ ...o, returnedAt: Math.max(seen, o.calledAt) });
  }
  return out;
}

/** One register's history: 'yes', 'no', or 'undecided' (step limit reached). */
export function checkRegister(opsIn: readonly KvOperation[], initial: string | undefined): 'yes' | 'no' | 'undecided' {
  const ops = [...opsIn].sort((a, b) => a.calledAt - b.calledAt);
  const n = ops.length;
  if (n === 0) return 'yes';
  const done = new Uint8Array(n);
  const seen = new Set<string>();
  let steps = 0;
  let undecided = false;

  const key = (state: string | undefined): string => `${Buffer.from(done).toString('base64')}|${state === undefined ? '\u0000' : state}`;

  const search = (count: number, state: string | undefined): boolean => {
    if (count === n) return true;
    if (++steps > SEARCH_STEPS_MAX) {
      undecided = true;
      return false;
    }
    const k = key(state);
    if (seen.has(k)) return false;
    seen.add(k);
    // Only an operation called before every pending operation returned can go next.
    let minReturn = Infinity;
    for (let i = 0; i < n; i++) if (done[i] === 0) minReturn = Math.min(minReturn, (ops[i] as KvOperation).returnedAt);
    for (let i = 0; i < n; i++) {
      if (done[i] !== 0) continue;
      const op = ops[i] as KvOperation;
      if (op.calledAt > minReturn) break; // sorted by call: none later can go first either
      let next: string | undefined;
      if (op.kind === 'put') next = op.value;
      else if (op.value === state) next = state;
      else continue;
      done[i] = 1;
      if (search(count + 1, next)) return true;
      done[i] = 0;
      if (undecided) return false;
    }
    return false;
  };

  const ok = search(0, initial);
  if (ok) return 'yes';
  return undecided ? 'undecided' : 'no';
}
