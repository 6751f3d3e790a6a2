// What RaftNode puts in a snapshot, pure: the members' addresses in front of the state
// machine's bytes, so that a server restored from a snapshot knows where its peers are.
//   u32 length of the peers JSON | peers JSON ([[id, "host:port"], ...]) | state machine bytes

import { invalidArgument } from '../../shared/errors.js';
import { MEMBER_LIMITS, type NodeId } from './types.js';

export interface SnapshotData {
  readonly peers: [NodeId, string][];
  readonly state: Uint8Array;
}

/**
 * Bounds on what a snapshot's peer list may hold, beyond MEMBER_LIMITS (types.ts: ids, and at
 * most membersMax peers); more is taken as damage, not as a cluster.
 */
export const SNAPSHOT_DATA_LIMITS = {
  addressBytesMax: 1024,
} as const;

export function encodeSnapshotData(peers: ReadonlyMap<NodeId, string>, state: Uint8Array): Uint8Array {
  const p = Buffer.from(JSON.stringify([...peers]));
  const out = Buffer.allocUnsafe(4 + p.length + state.length);
  out.writeUInt32BE(p.length, 0);
  p.copy(out, 4);
  out.set(state, 4 + p.length);
  return out;
}

/**
 * Reads a snapshot's data; throws an invalid_argument ShoalError naming what is wrong when it is
 * not what encodeSnapshotData wrote (a snapshot from the network is checked with it before the
 * core sees it, since a restore that fails later would stop the server).
 */
export function decodeSnapshotData(data: Uint8Array): SnapshotData {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const bad = (why: string): never => {
    throw invalidArgument('raft.bad_snapshot', `snapshot data: ${why}`);
  };
  if (b.length < 4) bad(`${b.length} bytes, shorter than its 4-byte header`);
  const n = b.readUInt32BE(0);
  if (4 + n > b.length) bad(`its peer list of ${n} bytes runs past its end (${b.length} bytes)`);
  let peers: unknown;
  try {
    peers = JSON.parse(b.subarray(4, 4 + n).toString());
  } catch {
    bad('its peer list is not JSON');
  }
  if (!Array.isArray(peers)) return bad('its peer list is not a list');
  if (peers.length > MEMBER_LIMITS.membersMax) bad(`${peers.length} peers, more than ${MEMBER_LIMITS.membersMax}`);
  for (const p of peers as unknown[]) {
    const ok =
      Array.isArray(p) &&
      p.length === 2 &&
      Number.isSafeInteger(p[0]) &&
      (p[0] as number) >= 1 &&
      (p[0] as number) <= MEMBER_LIMITS.nodeIdMax &&
      typeof p[1] === 'string' &&
      Buffer.byteLength(p[1]) <= SNAPSHOT_DATA_LIMITS.addressBytesMax;
    if (!ok) bad(`peer ${JSON.stringify(p).slice(0, 80)} is not [id, "address"]`);
  }
  return { peers: peers as [NodeId, string][], state: b.subarray(4 + n) };
}
