// Every Raft message that comes from the network is checked here before the core sees it, pure:
// a message in, a rejection naming the field (or nothing) out. The core asserts its invariants
// (a bug crashes), so what it is handed must never be able to trip one: a sender of 0, a
// proposal without entries, entries whose indexes do not follow, a term of 0 that would pass
// for a local message. Bad messages are dropped by the transport and logged; Raft treats a
// dropped message as a lost one.
//
// What is not checked, on purpose: whether a well-formed message from a known member tells the
// truth. Raft is not Byzantine-tolerant; mutual TLS keeps strangers out, and a member's claims
// about terms and logs are believed as the algorithm requires.

import type { Message__Output as WireMessage } from '../../proto/gen/shoal/raft/v1/Message.js';
import { readEnvelope } from './envelope.js';
import { decodeConfChange } from './membership.js';
import { decodeSnapshotData } from './snapshot-data.js';
import { MEMBER_LIMITS, type MessageType, type NodeId } from './types.js';

export type { WireMessage };

export const VALIDATION_LIMITS = {
  /**
   * Terms and indexes above this are refused. 2^52 is beyond any real cluster (an election
   * every millisecond for 140,000 years) and leaves room for the core's `+ 1` and `+ length`
   * to stay exact in a double; a term of 2^53 would never grow again.
   */
  numberMax: 2 ** 52,
  /** Member ids (types.ts). */
  nodeIdMax: MEMBER_LIMITS.nodeIdMax,
  /** Entries in one message: a leader's append holds at most maxMsgBytes (1 MB, ~43,000 empty entries). */
  entriesMax: 100_000,
  /** Read-index ids are 16 bytes and CAMPAIGN_TRANSFER 8. */
  contextBytesMax: 1024,
  /** Voters and learners in a snapshot's membership (types.ts). */
  membersMax: MEMBER_LIMITS.membersMax,
} as const;

export type ValidationLimits = { readonly [K in keyof typeof VALIDATION_LIMITS]: number };

/** Why a message was refused: the field, and one line that names it. */
export interface Rejection {
  readonly field: string;
  readonly reason: string;
}

/** How a message arrived: batches on the stream, or the header of a snapshot upload. */
export type Channel = 'stream' | 'snapshot';

export interface ReceiveContext {
  /** This server's id: every message must be addressed to it. */
  readonly self: NodeId;
  /** Whether `id` is a member this server knows (the membership in force, or a peer's address). */
  isKnown(id: NodeId): boolean;
  /** The sender the connection names, when it names one (see transport.ts). */
  readonly claimedFrom?: NodeId | undefined;
  readonly limits?: ValidationLimits;
}

type TermRule = 'positive' | 'zero';
type EntriesRule = 'none' | 'log' | 'proposal';

interface TypeRule {
  /** Messages a peer sends carry its term; the three a follower forwards carry 0 (see raft.ts). */
  readonly term: TermRule;
  readonly entries: EntriesRule;
  readonly contextRequired: boolean;
  readonly channel: Channel;
  /**
   * MSG_TRANSFER_LEADER's `from` names the member that should lead (raft.ts forwards it
   * unchanged), not its sender; every other type's `from` is its sender.
   */
  readonly fromIsSender: boolean;
}

const rule = (term: TermRule, o: Partial<Omit<TypeRule, 'term'>> = {}): TypeRule => ({
  term,
  entries: o.entries ?? 'none',
  contextRequired: o.contextRequired ?? false,
  channel: o.channel ?? 'stream',
  fromIsSender: o.fromIsSender ?? true,
});

const RULES: Readonly<Record<MessageType, TypeRule>> = {
  MSG_APP: rule('positive', { entries: 'log' }),
  MSG_APP_RESP: rule('positive'),
  MSG_VOTE: rule('positive'),
  MSG_VOTE_RESP: rule('positive'),
  MSG_PRE_VOTE: rule('positive'),
  MSG_PRE_VOTE_RESP: rule('positive'),
  MSG_HEARTBEAT: rule('positive'),
  MSG_HEARTBEAT_RESP: rule('positive'),
  MSG_SNAP: rule('positive', { channel: 'snapshot' }),
  MSG_TIMEOUT_NOW: rule('positive'),
  MSG_READ_INDEX: rule('zero', { contextRequired: true }),
  MSG_READ_INDEX_RESP: rule('positive', { contextRequired: true }),
  MSG_PROP: rule('zero', { entries: 'proposal' }),
  MSG_TRANSFER_LEADER: rule('zero', { fromIsSender: false }),
};

/** Whether a message type's `from` is its sender (all but MSG_TRANSFER_LEADER). */
export function namesSender(type: MessageType): boolean {
  return RULES[type].fromIsSender;
}

const ENTRY_TYPES: ReadonlySet<unknown> = new Set(['ENTRY_NORMAL', 'ENTRY_CONF_CHANGE']);

const reject = (field: string, reason: string): Rejection => ({ field, reason: `${field}: ${reason}` });

/** A whole number in [min, max], or a rejection naming the field. */
function checkNumber(field: string, v: unknown, min: number, max: number): Rejection | undefined {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    return reject(field, `${String(v)} is not a whole number from ${min} to ${max}`);
  }
  return undefined;
}

function firstOf(...checks: (() => Rejection | undefined)[]): Rejection | undefined {
  for (const c of checks) {
    const r = c();
    if (r !== undefined) return r;
  }
  return undefined;
}

/**
 * Checks a message from the network; undefined when the core may step it. `channel` says how it
 * came: MSG_SNAP only as a snapshot upload's header (its data is checked by
 * validateSnapshotData once it has all arrived), everything else only on the stream.
 */
export function validateMessage(m: WireMessage, ctx: ReceiveContext, channel: Channel): Rejection | undefined {
  const limits = ctx.limits ?? VALIDATION_LIMITS;
  const type = m.type as unknown;
  if (typeof type !== 'string' || !Object.hasOwn(RULES, type)) return reject('type', `${String(type)} is not a Raft message type`);
  const r = RULES[type as MessageType];
  if (r.channel !== channel) {
    return reject('type', channel === 'stream' ? `${type} comes through SendSnapshot, not the message stream` : `${type} is not a snapshot; only MSG_SNAP is uploaded`);
  }
  return firstOf(
    () => checkNumber('to', m.to, 1, limits.nodeIdMax) ?? (m.to === ctx.self ? undefined : reject('to', `${m.to} is not this server (${ctx.self})`)),
    () => checkFrom(m, r, ctx, limits),
    () => checkNumber('term', m.term, r.term === 'zero' ? 0 : 1, r.term === 'zero' ? 0 : limits.numberMax),
    () => checkNumber('logTerm', m.logTerm, 0, m.term),
    () => checkNumber('index', m.index, 0, limits.numberMax),
    () => checkNumber('commit', m.commit, 0, limits.numberMax),
    () => checkNumber('rejectHint', m.rejectHint, 0, m.reject === true ? m.index : limits.numberMax),
    () => checkContext(m.context, r.contextRequired, limits),
    () => checkEntries(m, r.entries, ctx, limits),
    () => (type === 'MSG_SNAP' ? checkSnapshotMeta(m, limits) : m.snapshot === null ? undefined : reject('snapshot', `only MSG_SNAP carries one, not ${type}`)),
  );
}

function checkFrom(m: WireMessage, r: TypeRule, ctx: ReceiveContext, limits: ValidationLimits): Rejection | undefined {
  const from = m.from;
  if (from === 0) return reject('from', '0 names no member');
  const bad = checkNumber('from', from, 1, limits.nodeIdMax);
  if (bad !== undefined) return bad;
  if (!r.fromIsSender) {
    return from === ctx.self || ctx.isKnown(from) ? undefined : reject('from', `member ${from} to lead is not a member this server knows`);
  }
  if (from === ctx.self) return reject('from', `${from} is this server's own id`);
  if (!ctx.isKnown(from)) return reject('from', `${from} is not a member this server knows`);
  if (ctx.claimedFrom !== undefined && from !== ctx.claimedFrom) return reject('from', `${from} is not the sender this connection claims (${ctx.claimedFrom})`);
  return undefined;
}

function checkContext(context: unknown, required: boolean, limits: ValidationLimits): Rejection | undefined {
  if (!(context instanceof Uint8Array)) return reject('context', 'not bytes');
  if (context.length > limits.contextBytesMax) return reject('context', `${context.length} bytes, more than ${limits.contextBytesMax}`);
  if (required && context.length === 0) return reject('context', 'empty; a read needs its id');
  return undefined;
}

function checkEntries(m: WireMessage, rule: EntriesRule, ctx: ReceiveContext, limits: ValidationLimits): Rejection | undefined {
  const entries = m.entries as unknown;
  if (!Array.isArray(entries)) return reject('entries', 'not a list');
  if (rule === 'none') return entries.length === 0 ? undefined : reject('entries', `${m.type} carries none, got ${entries.length}`);
  if (entries.length > limits.entriesMax) return reject('entries', `${entries.length}, more than ${limits.entriesMax}`);
  if (rule === 'proposal') return checkProposal(entries as WireMessage['entries'], ctx);
  let prevTerm = m.logTerm;
  for (const [i, e] of (entries as WireMessage['entries']).entries()) {
    const at = `entries[${i}]`;
    const bad = firstOf(
      () => (e.index === m.index + 1 + i ? undefined : reject(`${at}.index`, `${String(e.index)} does not follow ${m.index + i}`)),
      () => checkNumber(`${at}.index`, e.index, 1, limits.numberMax),
      // Terms in a log never go down, and no entry is newer than the leader sending it.
      () => checkNumber(`${at}.term`, e.term, Math.max(1, prevTerm), m.term),
      () => checkEntryData(at, e),
    );
    if (bad !== undefined) return bad;
    prevTerm = e.term;
  }
  return undefined;
}

function checkEntryData(at: string, e: WireMessage['entries'][number]): Rejection | undefined {
  if (!ENTRY_TYPES.has(e.type)) return reject(`${at}.type`, `${String(e.type)} is not an entry type`);
  if (!(e.data instanceof Uint8Array)) return reject(`${at}.data`, 'not bytes');
  if (e.type === 'ENTRY_CONF_CHANGE') {
    // Applying a change that does not decode would stop every server that commits it.
    try {
      decodeConfChange(e.data);
    } catch (err) {
      return reject(`${at}.data`, `not a membership change (${(err as Error).message})`);
    }
  }
  return undefined;
}

/**
 * A proposal a follower forwards: RaftNode's own entries (normal, unstamped, in its envelope),
 * made by a member. Not necessarily by the sender: a follower whose leader moved forwards again,
 * under its own id, and the proposal may even come back to the server that made it. Membership
 * changes are only ever proposed on the leader, so none is forwarded.
 */
function checkProposal(entries: WireMessage['entries'], ctx: ReceiveContext): Rejection | undefined {
  if (entries.length === 0) return reject('entries', 'a proposal needs at least one');
  for (const [i, e] of entries.entries()) {
    const at = `entries[${i}]`;
    if (e.type !== 'ENTRY_NORMAL') return reject(`${at}.type`, `${String(e.type)}: a forwarded proposal holds normal entries only`);
    if (e.term !== 0 || e.index !== 0) return reject(`${at}.index`, `a proposal is not yet in a log (term ${String(e.term)}, index ${String(e.index)})`);
    if (!(e.data instanceof Uint8Array)) return reject(`${at}.data`, 'not bytes');
    const envelope = readEnvelope(e.data);
    if (envelope === undefined) return reject(`${at}.data`, 'not a proposal envelope');
    if (envelope.proposer !== ctx.self && !ctx.isKnown(envelope.proposer)) return reject(`${at}.data`, `proposed by ${envelope.proposer}, not a member this server knows`);
  }
  return undefined;
}

function checkSnapshotMeta(m: WireMessage, limits: ValidationLimits): Rejection | undefined {
  const s = m.snapshot;
  if (s === null || typeof s !== 'object') return reject('snapshot', 'MSG_SNAP without its metadata');
  const bad = firstOf(
    () => checkNumber('snapshot.index', s.index, 1, limits.numberMax),
    () => checkNumber('snapshot.term', s.term, 1, m.term),
  );
  if (bad !== undefined) return bad;
  const cs = s.confState;
  if (cs === null || typeof cs !== 'object' || !Array.isArray(cs.voters) || !Array.isArray(cs.learners)) return reject('snapshot.confState', 'missing');
  if (cs.voters.length === 0) return reject('snapshot.confState.voters', 'none; a cluster has at least one voter');
  if (cs.voters.length + cs.learners.length > limits.membersMax) return reject('snapshot.confState', `more than ${limits.membersMax} members`);
  const seen = new Set<number>();
  for (const [field, ids] of [['voters', cs.voters], ['learners', cs.learners]] as const) {
    for (const id of ids) {
      const wrong = checkNumber(`snapshot.confState.${field}`, id, 1, limits.nodeIdMax);
      if (wrong !== undefined) return wrong;
      if (seen.has(id)) return reject(`snapshot.confState.${field}`, `member ${id} is named twice`);
      seen.add(id);
    }
  }
  return undefined;
}

/** A snapshot's data, once all of it has arrived: RaftNode's format (snapshot-data.ts). */
export function validateSnapshotData(data: Uint8Array): Rejection | undefined {
  try {
    decodeSnapshotData(data);
    return undefined;
  } catch (err) {
    return { field: 'snapshot.data', reason: (err as Error).message };
  }
}
