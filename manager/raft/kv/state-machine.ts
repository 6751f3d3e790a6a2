// The state machine of `shoal raft-kv`: a map from string keys to byte values, and the client
// sessions that make writes exactly-once (../sessions.ts). Commands:
//   put:                u8 1 | u16 key length | key (UTF-8) | value
//   open a session:     u8 2                       (the session is named by the entry's index)
//   put in a session:   u8 3 | u64 session | u64 seq | u64 acked | put command
// Snapshots: length-prefixed (u32) records, each a put command, and one sessions record:
//   u8 4 | the session table as JSON.

import { assert, invalidArgument } from '../../../shared/errors.js';
import type { StateMachine } from '../node.js';
import { SessionTable, type SessionStamp, type SessionsSnapshot } from '../sessions.js';

const OP_PUT = 1;
const OP_OPEN_SESSION = 2;
const OP_SESSION_PUT = 3;
const REC_SESSIONS = 4;
const STAMP_BYTES = 1 + 3 * 8;
export const KEY_BYTES_MAX = 4096;

export function encodePut(key: string, value: Uint8Array): Uint8Array {
  const k = Buffer.from(key);
  if (k.length === 0 || k.length > KEY_BYTES_MAX) throw invalidArgument('kv.bad_key', `key: must be 1 to ${KEY_BYTES_MAX} bytes`);
  const out = Buffer.allocUnsafe(3 + k.length + value.length);
  out.writeUInt8(OP_PUT, 0);
  out.writeUInt16BE(k.length, 1);
  k.copy(out, 3);
  out.set(value, 3 + k.length);
  return out;
}

/** A put in a client session; session 0 is a plain put. */
export function encodeSessionPut(stamp: SessionStamp, key: string, value: Uint8Array): Uint8Array {
  const put = encodePut(key, value);
  if (stamp.session === 0) return put;
  for (const [what, n] of [['session', stamp.session], ['seq', stamp.seq], ['acked', stamp.acked]] as const) {
    if (!Number.isSafeInteger(n) || n < 0) throw invalidArgument('kv.bad_session', `${what}: ${n} is not a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`);
  }
  const out = Buffer.allocUnsafe(STAMP_BYTES + put.length);
  out.writeUInt8(OP_SESSION_PUT, 0);
  out.writeBigUInt64BE(BigInt(stamp.session), 1);
  out.writeBigUInt64BE(BigInt(stamp.seq), 9);
  out.writeBigUInt64BE(BigInt(stamp.acked), 17);
  out.set(put, STAMP_BYTES);
  return out;
}

export function encodeOpenSession(): Uint8Array {
  return Uint8Array.of(OP_OPEN_SESSION);
}

const view = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

function decodePut(cmd: Uint8Array): { key: string; value: Uint8Array } {
  const b = view(cmd);
  if (b.length < 3 || b.readUInt8(0) !== OP_PUT) throw invalidArgument('kv.bad_command', 'kv: unknown command');
  const n = b.readUInt16BE(1);
  // A copy, so that the value does not hold the command's memory; allocUnsafe takes small ones
  // from Node's shared pool, so that a value is one object and not also a memory block of its
  // own for the garbage collector to track (DESIGN.md, "Session 7").
  const value = Buffer.allocUnsafe(b.length - 3 - n);
  b.copy(value, 0, 3 + n);
  return { key: b.subarray(3, 3 + n).toString(), value };
}

/**
 * Length-prefixed records written straight into 1 MB chunks (not a buffer per record, which
 * made a 100,000-key snapshot 200,000 small objects), joined once at the end.
 */
class ChunkWriter {
  private static readonly CHUNK_BYTES = 1024 * 1024;
  private readonly chunks: Buffer[] = [];
  private chunk = Buffer.allocUnsafe(ChunkWriter.CHUNK_BYTES);
  private used = 0;

  record(length: number, write: (buf: Buffer, at: number) => void): void {
    if (this.used + 4 + length > this.chunk.length) {
      this.chunks.push(this.chunk.subarray(0, this.used));
      this.chunk = Buffer.allocUnsafe(Math.max(ChunkWriter.CHUNK_BYTES, 4 + length));
      this.used = 0;
    }
    this.chunk.writeUInt32BE(length, this.used);
    write(this.chunk, this.used + 4);
    this.used += 4 + length;
  }

  finish(): Buffer {
    this.chunks.push(this.chunk.subarray(0, this.used));
    return Buffer.concat(this.chunks);
  }
}

/** Put records encoded per turn of the event loop while a snapshot is taken (about 2 ms each). */
const SNAPSHOT_RECORDS_PER_TURN = 2_000;

export class KvStateMachine implements StateMachine {
  /** The keys. While a snapshot is being encoded it is frozen, and writes go to `overlay`. */
  private data = new Map<string, Uint8Array>();
  private overlay: Map<string, Uint8Array> | undefined;
  readonly sessions = new SessionTable<number>();
  lastApplied = 0;

  /** Returns the index at which the write took effect (for a copy in a session: the first's). */
  apply(command: Uint8Array, index: number): number {
    try {
      switch (command[0]) {
        case OP_OPEN_SESSION:
          this.sessions.open(index);
          return index;
        case OP_SESSION_PUT: {
          const b = view(command);
          if (b.length < STAMP_BYTES) throw invalidArgument('kv.bad_command', 'kv: truncated session command');
          const stamp = { session: Number(b.readBigUInt64BE(1)), seq: Number(b.readBigUInt64BE(9)), acked: Number(b.readBigUInt64BE(17)) };
          return this.sessions.apply(stamp, () => this.put(command.subarray(STAMP_BYTES), index));
        }
        default:
          return this.put(command, index);
      }
    } finally {
      this.lastApplied = index;
    }
  }

  private put(command: Uint8Array, index: number): number {
    const { key, value } = decodePut(command);
    (this.overlay ?? this.data).set(key, value);
    return index;
  }

  get(key: string): Uint8Array | undefined {
    return this.overlay?.get(key) ?? this.data.get(key);
  }

  /** The keys held. */
  keys(): string[] {
    const keys = [...this.data.keys()];
    for (const k of this.overlay?.keys() ?? []) if (!this.data.has(k)) keys.push(k);
    return keys;
  }

  /**
   * The state as of now, encoded over several turns of the event loop so that writes go on
   * meanwhile (a 100,000-key map took 90–110 ms to encode in one piece here). The map is frozen
   * until the encoding is done; writes made in between go to an overlay, merged afterwards.
   */
  snapshot(): Promise<Uint8Array> {
    assert(this.overlay === undefined, 'kv: a snapshot is already being taken');
    const frozen = this.data;
    const overlay = new Map<string, Uint8Array>();
    this.overlay = overlay;
    const sessions = Buffer.concat([Uint8Array.of(REC_SESSIONS), Buffer.from(JSON.stringify(this.sessions.snapshot()))]);
    const out = new ChunkWriter();
    const entries = frozen.entries();
    return new Promise((resolve) => {
      const step = (): void => {
        for (let n = 0; n < SNAPSHOT_RECORDS_PER_TURN; n++) {
          const next = entries.next();
          if (next.done === true) {
            out.record(sessions.length, (buf, at) => sessions.copy(buf, at));
            // A restore while encoding replaced the map and dropped the overlay: nothing to merge.
            if (this.overlay === overlay) {
              for (const [k, v] of overlay) frozen.set(k, v);
              this.overlay = undefined;
            }
            resolve(out.finish());
            return;
          }
          const [key, value] = next.value;
          const keyBytes = Buffer.byteLength(key);
          out.record(3 + keyBytes + value.length, (buf, at) => {
            buf[at] = OP_PUT;
            buf.writeUInt16BE(keyBytes, at + 1);
            buf.write(key, at + 3);
            buf.set(value, at + 3 + keyBytes);
          });
        }
        setImmediate(step);
      };
      step();
    });
  }

  restore(data: Uint8Array): void {
    this.data = new Map();
    this.overlay = undefined;
    this.sessions.restore([]);
    const b = view(data);
    for (let off = 0; off < b.length; ) {
      const n = b.readUInt32BE(off);
      const rec = b.subarray(off + 4, off + 4 + n);
      if (rec[0] === REC_SESSIONS) {
        this.sessions.restore(JSON.parse(rec.subarray(1).toString()) as SessionsSnapshot<number>);
      } else {
        const { key, value } = decodePut(rec);
        this.data.set(key, value);
      }
      off += 4 + n;
    }
  }
}
