// The state machine of `shoal raft-kv`: a map from string keys to byte values. Commands are
//   u8 op (1 = put) | u16 key length | key (UTF-8) | value
// Snapshots are the whole map, entries encoded the same way.

import { invalidArgument } from '../../../shared/errors.js';
import type { StateMachine } from '../node.js';

const OP_PUT = 1;
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

function decode(cmd: Uint8Array): { key: string; value: Uint8Array } {
  const b = Buffer.from(cmd.buffer, cmd.byteOffset, cmd.byteLength);
  if (b.length < 3 || b.readUInt8(0) !== OP_PUT) throw invalidArgument('kv.bad_command', 'kv: unknown command');
  const n = b.readUInt16BE(1);
  return { key: b.subarray(3, 3 + n).toString(), value: Uint8Array.prototype.slice.call(b, 3 + n) };
}

export class KvStateMachine implements StateMachine {
  readonly data = new Map<string, Uint8Array>();
  lastApplied = 0;

  apply(command: Uint8Array, index: number): number {
    const { key, value } = decode(command);
    this.data.set(key, value);
    this.lastApplied = index;
    return index;
  }

  get(key: string): Uint8Array | undefined {
    return this.data.get(key);
  }

  snapshot(): Uint8Array {
    const parts: Buffer[] = [];
    for (const [k, v] of this.data) {
      const cmd = Buffer.from(encodePut(k, v));
      const len = Buffer.allocUnsafe(4);
      len.writeUInt32BE(cmd.length, 0);
      parts.push(len, cmd);
    }
    return Buffer.concat(parts);
  }

  restore(data: Uint8Array): void {
    this.data.clear();
    const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    for (let off = 0; off < b.length; ) {
      const n = b.readUInt32BE(off);
      const { key, value } = decode(b.subarray(off + 4, off + 4 + n));
      this.data.set(key, value);
      off += 4 + n;
    }
  }
}
