// RaftNode's proposal envelope, pure: every command RaftNode proposes is wrapped as
//   u8 0x53 | u32 proposer id | u32 sequence | command
// so that the proposing server can resolve its own promise when it applies the entry, and so
// that the receiving transport can check that a forwarded proposal was made by its sender.

export const ENVELOPE_MAGIC = 0x53;
export const ENVELOPE_BYTES = 9;

export interface Envelope {
  readonly proposer: number;
  readonly seq: number;
  readonly command: Uint8Array;
}

/** Wraps a command; the buffer comes from Node's shared pool (see RaftNode.propose). */
export function encodeEnvelope(proposer: number, seq: number, command: Uint8Array): Uint8Array {
  const data = Buffer.allocUnsafe(ENVELOPE_BYTES + command.length);
  data.writeUInt8(ENVELOPE_MAGIC, 0);
  data.writeUInt32BE(proposer, 1);
  data.writeUInt32BE(seq, 5);
  data.set(command, ENVELOPE_BYTES);
  return data;
}

/** The envelope of an entry's data, or undefined when the data is not one. */
export function readEnvelope(d: Uint8Array): Envelope | undefined {
  if (d.length < ENVELOPE_BYTES || d[0] !== ENVELOPE_MAGIC) return undefined;
  const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
  return { proposer: view.getUint32(1), seq: view.getUint32(5), command: d.subarray(ENVELOPE_BYTES) };
}
