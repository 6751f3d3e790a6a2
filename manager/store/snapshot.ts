// The store's snapshot: `{"format":1,"appliedIndex":N,"objects":[…]}` as canonical JSON (keys
// sorted at every level, objects ordered by kind then id), so the same store always gives the
// same bytes and replicas can be compared byte for byte. Decoding checks every object as a
// command's content is checked: a snapshot may come from a peer.

import { invalidArgument, ShoalError } from '../../shared/errors.js';
import { KINDS, type Kind, type Meta, type StoreObject } from './types.js';
import { deepFreeze, plainObject, SPEC_CHECKS, STATUS_CHECKS, text, wholeNumber } from './validate.js';

export const SNAPSHOT_FORMAT = 1;

export function encodeSnapshot(appliedIndex: number, objects: readonly StoreObject[]): Uint8Array {
  return Buffer.from(canonicalJson({ format: SNAPSHOT_FORMAT, appliedIndex, objects }));
}

export interface DecodedSnapshot {
  readonly appliedIndex: number;
  readonly objects: StoreObject[];
}

/** Every failure is a ShoalError `store.bad_snapshot` naming what was wrong. */
export function decodeSnapshot(data: Uint8Array): DecodedSnapshot {
  try {
    const raw = plainObject(JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')), 'snapshot');
    if (raw.format !== SNAPSHOT_FORMAT) throw invalidArgument('store.bad_snapshot', `snapshot.format: must be ${SNAPSHOT_FORMAT}`);
    const appliedIndex = wholeNumber(0)(raw.appliedIndex, 'snapshot.appliedIndex');
    if (!Array.isArray(raw.objects)) throw invalidArgument('store.bad_snapshot', 'snapshot.objects: must be a list');
    return { appliedIndex, objects: (raw.objects as unknown[]).map((o, i) => checkObject(o, `snapshot.objects[${i}]`)) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof ShoalError && err.code === 'store.bad_snapshot') throw err;
    throw invalidArgument('store.bad_snapshot', err instanceof SyntaxError ? 'snapshot: not JSON' : message, { cause: err });
  }
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
