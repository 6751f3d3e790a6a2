// The WAL's record format, pure: bytes in, records out. Each record is
//   u32 payload length | u32 CRC-32 of (type byte + payload) | u8 type | payload
// big-endian. Entries: u64 term, u64 index, u8 entry type, data. Hard state: u64 term, vote,
// commit. Snapshot marker: u64 index, u64 term (entries up to it live in a snapshot file).

import { crc32 } from 'node:zlib';
import type { Entry, HardState } from './types.js';

export const RECORD_HEADER_BYTES = 9;
/** A record larger than this is taken as corruption, not as a huge entry. */
export const RECORD_PAYLOAD_BYTES_MAX = 64 * 1024 * 1024;

export type WalRecord =
  | { readonly kind: 'entry'; readonly entry: Entry }
  | { readonly kind: 'hard-state'; readonly hardState: HardState }
  | { readonly kind: 'snapshot'; readonly index: number; readonly term: number };

const TYPE_ENTRY = 1;
const TYPE_HARD_STATE = 2;
const TYPE_SNAPSHOT = 3;

function u64(buf: Buffer, offset: number, value: number): void {
  buf.writeBigUInt64BE(BigInt(value), offset);
}

function readU64(buf: Buffer, offset: number): number {
  return Number(buf.readBigUInt64BE(offset));
}

function frame(type: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.writeUInt8(type, 8);
  payload.copy(out, RECORD_HEADER_BYTES);
  out.writeUInt32BE(crc32(out.subarray(8)), 4);
  return out;
}

export function encodeRecord(r: WalRecord): Buffer {
  switch (r.kind) {
    case 'entry': {
      const e = r.entry;
      const payload = Buffer.allocUnsafe(17 + e.data.length);
      u64(payload, 0, e.term);
      u64(payload, 8, e.index);
      payload.writeUInt8(e.type === 'ENTRY_CONF_CHANGE' ? 1 : 0, 16);
      payload.set(e.data, 17);
      return frame(TYPE_ENTRY, payload);
    }
    case 'hard-state': {
      const payload = Buffer.allocUnsafe(24);
      u64(payload, 0, r.hardState.term);
      u64(payload, 8, r.hardState.vote);
      u64(payload, 16, r.hardState.commit);
      return frame(TYPE_HARD_STATE, payload);
    }
    case 'snapshot': {
      const payload = Buffer.allocUnsafe(16);
      u64(payload, 0, r.index);
      u64(payload, 8, r.term);
      return frame(TYPE_SNAPSHOT, payload);
    }
  }
}

/** Why decoding stopped before the end of the bytes. */
export type DecodeStop =
  | { readonly kind: 'end' }
  /** A record runs past the end of the bytes: a write that did not finish (torn tail). */
  | { readonly kind: 'torn'; readonly offset: number }
  /** A whole record whose checksum or shape is wrong: the bytes were damaged. */
  | { readonly kind: 'corrupt'; readonly offset: number; readonly reason: string };

export interface Decoded {
  readonly records: WalRecord[];
  /** Bytes of valid records from the start. */
  readonly validBytes: number;
  readonly stop: DecodeStop;
}

export function decodeRecords(buf: Buffer): Decoded {
  const records: WalRecord[] = [];
  let offset = 0;
  while (offset < buf.length) {
    if (buf.length - offset < RECORD_HEADER_BYTES) return { records, validBytes: offset, stop: { kind: 'torn', offset } };
    const length = buf.readUInt32BE(offset);
    if (length > RECORD_PAYLOAD_BYTES_MAX) {
      return { records, validBytes: offset, stop: { kind: 'corrupt', offset, reason: `record length ${length} is implausible` } };
    }
    const end = offset + RECORD_HEADER_BYTES + length;
    if (end > buf.length) return { records, validBytes: offset, stop: { kind: 'torn', offset } };
    const crc = buf.readUInt32BE(offset + 4);
    if (crc32(buf.subarray(offset + 8, end)) !== crc) {
      // A bad checksum on the very last record is an unfinished write too: the kernel may have
      // written the header but not all the payload pages.
      if (end === buf.length) return { records, validBytes: offset, stop: { kind: 'torn', offset } };
      return { records, validBytes: offset, stop: { kind: 'corrupt', offset, reason: 'checksum mismatch' } };
    }
    const type = buf.readUInt8(offset + 8);
    const payload = buf.subarray(offset + RECORD_HEADER_BYTES, end);
    const record = decodePayload(type, payload);
    if (record === undefined) return { records, validBytes: offset, stop: { kind: 'corrupt', offset, reason: `unknown record type ${type}` } };
    records.push(record);
    offset = end;
  }
  return { records, validBytes: offset, stop: { kind: 'end' } };
}

function decodePayload(type: number, p: Buffer): WalRecord | undefined {
  if (type === TYPE_ENTRY && p.length >= 17) {
    return {
      kind: 'entry',
      entry: {
        term: readU64(p, 0),
        index: readU64(p, 8),
        type: p.readUInt8(16) === 1 ? 'ENTRY_CONF_CHANGE' : 'ENTRY_NORMAL',
        data: Uint8Array.prototype.slice.call(p, 17),
      },
    };
  }
  if (type === TYPE_HARD_STATE && p.length === 24) {
    return { kind: 'hard-state', hardState: { term: readU64(p, 0), vote: readU64(p, 8), commit: readU64(p, 16) } };
  }
  if (type === TYPE_SNAPSHOT && p.length === 16) return { kind: 'snapshot', index: readU64(p, 0), term: readU64(p, 8) };
  return undefined;
}
