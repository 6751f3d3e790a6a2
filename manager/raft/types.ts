// Raft's data, as the pure core sees it. Names of message and entry types are those of
// proto/raft.proto, so the transport passes them through unchanged.

export type NodeId = number;
/** No node: no vote cast, no leader known. */
export const NONE: NodeId = 0;

/**
 * Bounds on membership, for whatever checks ids and member lists that come from outside (a
 * message's fields, a snapshot's peer list, a command line). Defined here once: the checks must
 * agree, or a snapshot one of them takes could be refused by the next.
 */
export const MEMBER_LIMITS = {
  /** Member ids are u32 (RaftNode's proposal envelope, `shoal raft-kv --id`). */
  nodeIdMax: 2 ** 32 - 1,
  /** Members (voters and learners, or peers with an address) of one cluster; a longer list is damage, not a cluster. */
  membersMax: 1000,
} as const;

export type EntryType = 'ENTRY_NORMAL' | 'ENTRY_CONF_CHANGE';

export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

export interface HardState {
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
}

export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

export interface SnapshotMeta {
  readonly index: number;
  readonly term: number;
  readonly confState: ConfState;
}

export interface Snapshot {
  readonly meta: SnapshotMeta;
  readonly data: Uint8Array;
}

export type MessageType =
  | 'MSG_APP'
  | 'MSG_APP_RESP'
  | 'MSG_VOTE'
  | 'MSG_VOTE_RESP'
  | 'MSG_PRE_VOTE'
  | 'MSG_PRE_VOTE_RESP'
  | 'MSG_HEARTBEAT'
  | 'MSG_HEARTBEAT_RESP'
  | 'MSG_SNAP'
  | 'MSG_TIMEOUT_NOW'
  | 'MSG_READ_INDEX'
  | 'MSG_READ_INDEX_RESP'
  | 'MSG_PROP'
  | 'MSG_TRANSFER_LEADER';

export interface Message {
  readonly type: MessageType;
  readonly to: NodeId;
  readonly from: NodeId;
  /** 0 for messages that carry no term (proposals forwarded inside the core). */
  readonly term: number;
  /** The term of the entry at `index` (appends), or of the candidate's last entry (votes). */
  readonly logTerm: number;
  readonly index: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
  readonly reject: boolean;
  readonly rejectHint: number;
  /** Read-index request ids; CAMPAIGN_TRANSFER on votes forced by a leadership transfer. */
  readonly context: Uint8Array;
  readonly snapshot?: Snapshot;
}

export const EMPTY = new Uint8Array(0);
export const CAMPAIGN_TRANSFER = new TextEncoder().encode('transfer');

/** Builds a message with every field defaulted. */
export function message(fields: Partial<Message> & Pick<Message, 'type' | 'to' | 'from'>): Message {
  return { term: 0, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0, context: EMPTY, ...fields };
}

export function isEmptySnapshot(s: Snapshot | undefined): boolean {
  return s === undefined || s.meta.index === 0;
}

/** What an entry counts for beyond its data, in the byte limits on messages and reads. */
export const ENTRY_OVERHEAD_BYTES = 24;

export function entryBytes(e: Entry): number {
  return e.data.length + ENTRY_OVERHEAD_BYTES;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
