// A store command: one transaction, a batch of creates, updates and deletes applied all or nothing.
// Encoded as UTF-8 JSON `{"format":1,"atMs":…,"ops":[…]}`. Everything a replica needs to apply it
// the same way travels inside: ids are chosen by the proposer, and `atMs` (the proposer's clock)
// stamps createdAtMs/updatedAtMs. Bytes from the network are checked by `decodeCommand`, which
// refuses anything malformed with `store.bad_command`, and throws `CannotApply` for a command of a
// newer format (a new field needs a new format: an older manager then stops instead of refusing
// what newer ones apply).

import { ShoalError } from '../../shared/errors.js';
import { CannotApply } from '../raft/cannot-apply.js';
import type { SessionStamp } from '../raft/sessions.js';
import { badCommand, plainObject, SPEC_CHECKS, STATUS_CHECKS, text, wholeNumber } from './validate.js';
import { KINDS, type Kind, type SpecByKind, type StatusByKind } from './types.js';

export const COMMAND_FORMAT = 1;
/** Most operations in one transaction. */
export const OPS_PER_COMMAND_MAX = 10_000;
/** Largest encoded command (Raft entries should stay small; a bigger change is several batches). */
export const COMMAND_BYTES_MAX = 4 * 1024 * 1024;

type Distribute<T> = { [K in Kind]: T & { readonly kind: K } }[Kind];

export type CreateOp = { [K in Kind]: { readonly op: 'create'; readonly kind: K; readonly id: string; readonly spec: SpecByKind[K]; readonly status: StatusByKind[K] } }[Kind];
/** Replaces spec and/or status (at least one). `version`: the object's version as the writer read it. */
export type UpdateOp = { [K in Kind]: { readonly op: 'update'; readonly kind: K; readonly id: string; readonly version: number; readonly spec?: SpecByKind[K]; readonly status?: StatusByKind[K] } }[Kind];
/** `version`, when given, must be the object's current one (a delete that read first). */
export type DeleteOp = Distribute<{ readonly op: 'delete'; readonly id: string; readonly version?: number }>;
export type StoreOp = CreateOp | UpdateOp | DeleteOp;

export interface StoreCommand {
  readonly atMs: number;
  readonly ops: readonly StoreOp[];
  /**
   * The writer's client session (manager/raft/sessions.ts), so that a transaction sent again
   * after a lost answer is applied once: the copy gets the first one's outcome.
   */
  readonly session?: SessionStamp;
}

/** Opens a client session, named by the index of the entry that carries this command. */
export interface OpenSessionCommand {
  readonly openSession: true;
}

export type StoreEntry = StoreCommand | OpenSessionCommand;

export const isOpenSession = (e: StoreEntry): e is OpenSessionCommand => 'openSession' in e;

export function encodeCommand(cmd: StoreEntry): Uint8Array {
  if (isOpenSession(cmd)) return Buffer.from(JSON.stringify({ format: COMMAND_FORMAT, openSession: true }));
  const session = cmd.session === undefined || cmd.session.session === 0 ? undefined : { id: cmd.session.session, seq: cmd.session.seq, acked: cmd.session.acked };
  return Buffer.from(JSON.stringify({ format: COMMAND_FORMAT, atMs: cmd.atMs, ops: cmd.ops, session }));
}

/** Checks and decodes a command; every failure is a ShoalError `store.bad_command`. */
export function decodeCommand(bytes: Uint8Array): StoreEntry {
  if (bytes.length > COMMAND_BYTES_MAX) throw badCommand('command', `${bytes.length} bytes, more than ${COMMAND_BYTES_MAX}`);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    throw badCommand('command', 'not JSON');
  }
  return checkCommand(raw);
}

/** Checks a command built in memory or parsed from JSON (a fresh copy; the input is not kept). */
export function checkCommand(raw: unknown): StoreEntry {
  try {
    const o = plainObject(raw, 'command');
    if (typeof o.format === 'number' && Number.isSafeInteger(o.format) && o.format > COMMAND_FORMAT) {
      throw new CannotApply(`a store command of format ${o.format}, written by a newer Shoal than this manager (which reads format ${COMMAND_FORMAT}): upgrade this manager`);
    }
    if (o.format !== COMMAND_FORMAT) throw badCommand('command.format', `must be ${COMMAND_FORMAT}, got ${JSON.stringify(o.format) ?? 'nothing'}`);
    if (o.openSession !== undefined) {
      for (const k of Object.keys(o)) if (!['format', 'openSession'].includes(k)) throw badCommand(`command.${k}`, 'unknown field for openSession');
      if (o.openSession !== true) throw badCommand('command.openSession', 'must be true');
      return { openSession: true };
    }
    for (const k of Object.keys(o)) if (!['format', 'atMs', 'ops', 'session'].includes(k)) throw badCommand(`command.${k}`, 'unknown field');
    const atMs = wholeNumber(0)(o.atMs, 'command.atMs');
    if (!Array.isArray(o.ops) || o.ops.length === 0 || o.ops.length > OPS_PER_COMMAND_MAX) {
      throw badCommand('command.ops', `must be a list of 1 to ${OPS_PER_COMMAND_MAX} operations`);
    }
    const ops = (o.ops as unknown[]).map((op, i) => checkOp(op, `ops[${i}]`));
    return o.session === undefined ? { atMs, ops } : { atMs, ops, session: checkStamp(o.session) };
  } catch (err) {
    // A check that trips over something unforeseen is still a refusal of the command, not a crash.
    if (err instanceof ShoalError || err instanceof CannotApply) throw err;
    throw badCommand('command', `unreadable (${err instanceof Error ? err.message : String(err)})`);
  }
}

function checkStamp(raw: unknown): SessionStamp {
  const o = plainObject(raw, 'command.session');
  for (const k of Object.keys(o)) if (!['id', 'seq', 'acked'].includes(k)) throw badCommand(`command.session.${k}`, 'unknown field');
  const session = wholeNumber(1)(o.id, 'command.session.id');
  const seq = wholeNumber(1)(o.seq, 'command.session.seq');
  const acked = wholeNumber(0, seq - 1)(o.acked, 'command.session.acked');
  return { session, seq, acked };
}

const OP_FIELDS = { create: ['op', 'kind', 'id', 'spec', 'status'], update: ['op', 'kind', 'id', 'version', 'spec', 'status'], delete: ['op', 'kind', 'id', 'version'] };

function checkOp(raw: unknown, path: string): StoreOp {
  const o = plainObject(raw, path);
  const op = o.op;
  if (op !== 'create' && op !== 'update' && op !== 'delete') throw badCommand(`${path}.op`, 'must be create, update or delete');
  for (const k of Object.keys(o)) if (!OP_FIELDS[op].includes(k)) throw badCommand(`${path}.${k}`, `unknown field for ${op}`);
  if (typeof o.kind !== 'string' || !(KINDS as readonly string[]).includes(o.kind)) throw badCommand(`${path}.kind`, `must be one of ${KINDS.join(', ')}`);
  const kind = o.kind as Kind;
  const id = text(o.id, `${path}.id`);
  const where = `${path} (${kind} ${id})`;
  switch (op) {
    case 'create':
      return { op, kind, id, spec: SPEC_CHECKS[kind](o.spec, `${where}.spec`), status: STATUS_CHECKS[kind](o.status, `${where}.status`) } as CreateOp;
    case 'update': {
      const version = wholeNumber(1)(o.version, `${where}.version`);
      if (o.spec === undefined && o.status === undefined) throw badCommand(where, 'an update needs spec or status');
      const out: Record<string, unknown> = { op, kind, id, version };
      if (o.spec !== undefined) out.spec = SPEC_CHECKS[kind](o.spec, `${where}.spec`);
      if (o.status !== undefined) out.status = STATUS_CHECKS[kind](o.status, `${where}.status`);
      return out as UpdateOp;
    }
    case 'delete':
      return (o.version === undefined ? { op, kind, id } : { op, kind, id, version: wholeNumber(1)(o.version, `${where}.version`) }) as DeleteOp;
  }
}
