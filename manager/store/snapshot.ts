// The store's snapshot: `{"format":1,"appliedIndex":N,"objects":[…],"sessions":[…]}` (the
// client session table of manager/raft/sessions.ts) as canonical JSON (keys
// sorted at every level, objects ordered by kind then id), so the same store always gives the
// same bytes and replicas can be compared byte for byte. Decoding checks every object as a
// command's content is checked: a snapshot may come from a peer.

import { invalidArgument, ShoalError } from '../../shared/errors.js';
import { checkSessionsSnapshot, type SessionLimits, type SessionsSnapshot } from '../raft/sessions.js';
import { KINDS, type Kind, type Meta, type StoreObject } from './types.js';
import { deepFreeze, plainObject, SPEC_CHECKS, STATUS_CHECKS, text, wholeNumber } from './validate.js';

export const SNAPSHOT_FORMAT = 1;

/** The reference encoding, in one piece: what `encodeSnapshotInSlices` must equal byte for byte. */
export function encodeSnapshot(appliedIndex: number, objects: readonly StoreObject[], sessions: StoreSessions, cache?: EncodedObjects): Uint8Array {
  if (cache === undefined) return Buffer.from(canonicalJson({ format: SNAPSHOT_FORMAT, appliedIndex, objects, sessions }));
  const encode = (o: StoreObject): string => {
    let text = cache.get(o);
    if (text === undefined) cache.set(o, (text = canonicalJson(o)));
    return text;
  };
  return Buffer.from(`{"appliedIndex":${JSON.stringify(appliedIndex)},"format":${SNAPSHOT_FORMAT},"objects":[${objects.map(encode).join(',')}],"sessions":${canonicalJson(sessions)}}`);
}

/**
 * Each object's canonical JSON, kept while the object lives. Objects are frozen and a write
 * replaces them, so an entry never goes stale. For the simulator, which snapshots every replica
 * after every step; a manager does not keep one (it would double the store's memory).
 */
export type EncodedObjects = WeakMap<StoreObject, string>;

/** The session table, whose answers are what `Store.apply` returns. */
export type StoreSessions = SessionsSnapshot<{ readonly version: number }>;

/** Waits for the next turn of the event loop (after pending I/O), so Raft's loop runs in between. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Placing an object in order (sorting a run, merging) costs about a fiftieth of encoding it
 * (canonical JSON sorts every object's keys), so a turn does this many times more of them.
 */
const SORT_STEPS_PER_ENCODED_OBJECT = 20;
/** The encoded pieces are joined into one buffer at most this many bytes per turn (~2 ms). */
const JOIN_BYTES_PER_TURN = 4 * 1024 * 1024;

/**
 * The same bytes as `encodeSnapshot(appliedIndex, every kind's objects in KINDS order, each
 * ordered by id)`, made over several turns of the event loop: each turn encodes at most
 * `objectsPerTurn` objects (or places `SORT_STEPS_PER_ENCODED_OBJECT` times as many in order,
 * or joins `JOIN_BYTES_PER_TURN` bytes of the result). The objects
 * given are frozen, so holding the arrays is holding the state of the moment: the store may
 * apply and restore meanwhile. Returns with the number of turns used.
 */
export async function encodeSnapshotInSlices(
  appliedIndex: number,
  byKind: readonly (readonly StoreObject[])[],
  sessions: StoreSessions,
  objectsPerTurn: number,
  wait: () => Promise<void> = nextTurn,
): Promise<{ bytes: Uint8Array; turns: number }> {
  const work = snapshotWork(appliedIndex, byKind, sessions, Math.max(1, objectsPerTurn));
  for (let turns = 1; ; turns++) {
    const step = work.next();
    if (step.done === true) return { bytes: step.value, turns };
    await wait();
  }
}

/** One slice per `next()`: sorts each kind by id (runs, then merges), then encodes. */
function* snapshotWork(appliedIndex: number, byKind: readonly (readonly StoreObject[])[], sessions: StoreSessions, encodePerTurn: number): Generator<void, Uint8Array> {
  const perTurn = encodePerTurn * SORT_STEPS_PER_ENCODED_OBJECT;
  let units = 0;
  const sorted: StoreObject[][] = [];
  for (const objects of byKind) {
    // Runs of `perTurn` objects sorted in one piece (a run's sort is one turn), then merged
    // pairwise, bottom up: Array.prototype.sort over 100,000 ids at once would stall the loop.
    let src = [...objects];
    for (let at = 0; at < src.length; at += perTurn) {
      const run = src.slice(at, at + perTurn).sort(byId);
      for (let i = 0; i < run.length; i++) src[at + i] = run[i] as StoreObject;
      units += run.length;
      if (units >= perTurn) {
        units = 0;
        yield;
      }
    }
    let dst: StoreObject[] = new Array<StoreObject>(src.length);
    for (let width = perTurn; width < src.length; width *= 2) {
      for (let lo = 0; lo < src.length; lo += 2 * width) {
        const mid = Math.min(lo + width, src.length);
        const hi = Math.min(lo + 2 * width, src.length);
        let i = lo;
        let j = mid;
        for (let k = lo; k < hi; k++) {
          dst[k] = (j >= hi || (i < mid && (src[i] as StoreObject).id < (src[j] as StoreObject).id) ? src[i++] : src[j++]) as StoreObject;
          if (++units >= perTurn) {
            units = 0;
            yield;
          }
        }
      }
      [src, dst] = [dst, src];
    }
    sorted.push(src);
  }
  const chunks: Buffer[] = [Buffer.from(`{"appliedIndex":${JSON.stringify(appliedIndex)},"format":${SNAPSHOT_FORMAT},"objects":[`)];
  let parts: string[] = [];
  let first = true;
  for (const objects of sorted) {
    for (const o of objects) {
      parts.push(first ? canonicalJson(o) : `,${canonicalJson(o)}`);
      first = false;
      if (++units >= encodePerTurn) {
        units = 0;
        chunks.push(Buffer.from(parts.join('')));
        parts = [];
        yield;
      }
    }
  }
  chunks.push(Buffer.from(`${parts.join('')}],"sessions":${canonicalJson(sessions)}}`));
  // One Buffer.concat of 50 MB took 20–40 ms (the fresh memory is touched as it is copied).
  const out = Buffer.allocUnsafe(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  let copied = 0;
  for (const c of chunks) {
    for (let from = 0; from < c.length; ) {
      const n = Math.min(c.length - from, JOIN_BYTES_PER_TURN - copied);
      c.copy(out, at, from, from + n);
      at += n;
      from += n;
      copied += n;
      if (copied >= JOIN_BYTES_PER_TURN) {
        copied = 0;
        yield;
      }
    }
  }
  return out;
}

const byId = (a: StoreObject, b: StoreObject): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export interface DecodedSnapshot {
  readonly appliedIndex: number;
  readonly objects: StoreObject[];
  readonly sessions: StoreSessions;
}

/** Every failure is a ShoalError `store.bad_snapshot` naming what was wrong. */
export function decodeSnapshot(data: Uint8Array, sessionLimits: SessionLimits): DecodedSnapshot {
  try {
    const raw = plainObject(JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')), 'snapshot');
    if (typeof raw.format === 'number' && raw.format > SNAPSHOT_FORMAT) {
      throw invalidArgument('store.bad_snapshot', `snapshot.format ${raw.format}: written by a newer Shoal than this manager (which reads format ${SNAPSHOT_FORMAT}): upgrade this manager`);
    }
    if (raw.format !== SNAPSHOT_FORMAT) throw invalidArgument('store.bad_snapshot', `snapshot.format: must be ${SNAPSHOT_FORMAT}`);
    for (const k of Object.keys(raw)) if (!['format', 'appliedIndex', 'objects', 'sessions'].includes(k)) throw invalidArgument('store.bad_snapshot', `snapshot.${k}: unknown field`);
    const appliedIndex = wholeNumber(0)(raw.appliedIndex, 'snapshot.appliedIndex');
    if (!Array.isArray(raw.objects)) throw invalidArgument('store.bad_snapshot', 'snapshot.objects: must be a list');
    const objects = (raw.objects as unknown[]).map((o, i) => checkObject(o, `snapshot.objects[${i}]`));
    return { appliedIndex, objects, sessions: checkSessions(raw.sessions, appliedIndex, sessionLimits) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof ShoalError && err.code === 'store.bad_snapshot') throw err;
    throw invalidArgument('store.bad_snapshot', err instanceof SyntaxError ? 'snapshot: not JSON' : message, { cause: err });
  }
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const CANONICAL_HEAD = /^\{"appliedIndex":(0|[1-9][0-9]{0,15}),"format":1,"objects":\[/;

/**
 * `decodeSnapshot` over several turns of the event loop, `objectsPerTurn` objects a turn: a
 * snapshot in the canonical form is cut at its objects' boundaries (a byte scan: the structural
 * characters are ASCII, never inside a UTF-8 sequence) and each object is parsed and checked on
 * its own (one JSON.parse of 50 MB took ~380 ms). Each piece goes through JSON.parse, and the
 * text around the pieces is matched exactly, so what is accepted is JSON that decodeSnapshot
 * accepts too. Another form (spaces, another key order) is decoded in one piece.
 */
export async function decodeSnapshotInSlices(data: Uint8Array, objectsPerTurn: number, sessionLimits: SessionLimits, wait: () => Promise<void> = nextTurn): Promise<DecodedSnapshot> {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const head = CANONICAL_HEAD.exec(b.toString('latin1', 0, 64));
  if (head === null) return decodeSnapshot(data, sessionLimits);
  const appliedIndex = wholeNumber(0)(Number(head[1]), 'snapshot.appliedIndex');
  const objects: StoreObject[] = [];
  let at = head[0].length;
  if (b[at] === CLOSE_BRACKET) at++;
  else {
    for (let n = 0; ; n++) {
      const end = objectEnd(b, at, n);
      const path = `snapshot.objects[${n}]`;
      try {
        objects.push(checkObject(JSON.parse(b.toString('utf8', at, end)), path));
      } catch (err) {
        if (err instanceof ShoalError) throw err.code === 'store.bad_snapshot' ? err : invalidArgument('store.bad_snapshot', err.message, { cause: err });
        throw invalidArgument('store.bad_snapshot', `${path}: not JSON`, { cause: err });
      }
      at = end + 1;
      if (b[end] === CLOSE_BRACKET) break;
      if (b[end] !== COMMA) throw invalidArgument('store.bad_snapshot', `snapshot.objects: expected "," or "]" after object ${n}`);
      if ((n + 1) % Math.max(1, objectsPerTurn) === 0) await wait();
    }
  }
  // The rest, `,"sessions":[…]}`, is small: read as one JSON object, which must hold only that.
  let tail: unknown;
  try {
    tail = b[at] === COMMA ? JSON.parse(`{${b.toString('utf8', at + 1)}`) : undefined;
  } catch (err) {
    throw invalidArgument('store.bad_snapshot', 'snapshot: the data after the objects is not JSON', { cause: err });
  }
  const rest = tail === undefined ? [] : Object.keys(tail as object);
  if (rest.length !== 1 || rest[0] !== 'sessions') throw invalidArgument('store.bad_snapshot', `snapshot: expected only "sessions" after the objects${rest.length > 0 ? `, got ${rest.join(', ')}` : ''}`);
  return { appliedIndex, objects, sessions: checkSessions((tail as { sessions: unknown }).sessions, appliedIndex, sessionLimits) };
}

function checkSessions(raw: unknown, appliedIndex: number, limits: SessionLimits): StoreSessions {
  const fail = (path: string, what: string): ShoalError => invalidArgument('store.bad_snapshot', `snapshot.${path}: ${what}`);
  const checkResult = (v: unknown, path: string): { version: number } => {
    try {
      const o = plainObject(v, path);
      if (Object.keys(o).length !== 1) throw fail(path, 'must be {version}');
      return { version: wholeNumber(1, appliedIndex)(o.version, path) };
    } catch (err) {
      if (err instanceof ShoalError && err.code === 'store.bad_command') throw fail(path, err.message.slice(path.length + 2));
      throw err;
    }
  };
  const sessions = checkSessionsSnapshot(raw, checkResult, fail, limits);
  for (const [id] of sessions) if (id > appliedIndex) throw fail('sessions', `session ${id} opened after the snapshot's index ${appliedIndex}`);
  return sessions;
}

/** Where the JSON object that starts at `from` ends (the offset just after its closing brace). */
function objectEnd(b: Buffer, from: number, n: number): number {
  if (b[from] !== OPEN_BRACE) throw invalidArgument('store.bad_snapshot', `snapshot.objects[${n}]: must be an object`);
  let depth = 0;
  let inString = false;
  for (let i = from; i < b.length; i++) {
    const c = b[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return i + 1;
  }
  throw invalidArgument('store.bad_snapshot', `snapshot.objects[${n}]: cut short`);
}

function checkObject(raw: unknown, path: string): StoreObject {
  const o = plainObject(raw, path);
  if (typeof o.kind !== 'string' || !(KINDS as readonly string[]).includes(o.kind)) throw invalidArgument('store.bad_snapshot', `${path}.kind: must be one of ${KINDS.join(', ')}`);
  const kind = o.kind as Kind;
  const m = plainObject(o.meta, `${path}.meta`);
  const meta: Meta = {
    version: wholeNumber(1)(m.version, `${path}.meta.version`),
    createdAtMs: wholeNumber(0)(m.createdAtMs, `${path}.meta.createdAtMs`),
    updatedAtMs: wholeNumber(0)(m.updatedAtMs, `${path}.meta.updatedAtMs`),
  };
  const id = text(o.id, `${path}.id`);
  return deepFreeze({ kind, id, meta, spec: SPEC_CHECKS[kind](o.spec, `${path}.spec`), status: STATUS_CHECKS[kind](o.status, `${path}.status`) } as StoreObject);
}

/** JSON with object keys sorted (by UTF-16 code units) at every level; undefined fields left out. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    const parts: string[] = [];
    for (const k of Object.keys(o).sort()) if (o[k] !== undefined) parts.push(`${JSON.stringify(k)}:${canonicalJson(o[k])}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(v);
}
