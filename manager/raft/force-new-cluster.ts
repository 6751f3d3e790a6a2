// Recovery after a quorum is lost for good (etcd's --force-new-cluster): this server's state,
// every entry of its log applied (the entries a lost majority may have committed and
// acknowledged are kept), becomes a snapshot whose membership is this server alone, in a fresh
// Raft dir that replaces the old one (kept beside it). Started again, the server elects itself
// and the others join it anew. Not for a cluster whose quorum may come back: two clusters would
// then think they are the same one.

import { rename, rm } from 'node:fs/promises';
import { oneLine } from '../../shared/errors.js';
import { RaftDisk } from './disk.js';
import { readEnvelope } from './envelope.js';
import { decodeConfChange } from './membership.js';
import type { StateMachine } from './node.js';
import { decodeSnapshotData, encodeSnapshotData } from './snapshot-data.js';
import type { HardState, NodeId, Snapshot } from './types.js';

/** What a Raft dir holds, as `shoal manager recover` reports it before it changes anything. */
export interface RaftDirSummary {
  readonly lastIndex: number;
  readonly lastTerm: number;
  readonly commit: number;
  /** The members as of the last entry: voters and learners, with their addresses. */
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  readonly addresses: ReadonlyMap<NodeId, string>;
}

/**
 * Replays `dir` into `sm` (restore, then every entry to the last) and reports what it holds.
 * Refused entries are skipped as a running server skips them (its state machine refuses them
 * the same way).
 */
async function replay(disk: RaftDisk, sm: StateMachine): Promise<RaftDirSummary> {
  const storage = disk.storage;
  const snap = storage.snapshot();
  const addresses = new Map<NodeId, string>();
  let voters = [...snap.meta.confState.voters];
  let learners = [...snap.meta.confState.learners];
  if (snap.meta.index > 0) {
    const { peers, state } = decodeSnapshotData(snap.data);
    for (const [id, addr] of peers) addresses.set(id, addr);
    await sm.restore(state);
  }
  const last = storage.lastIndex();
  const entries = last > snap.meta.index ? storage.entries(snap.meta.index + 1, last + 1, Number.MAX_SAFE_INTEGER) : [];
  for (const e of entries) {
    if (e.type === 'ENTRY_CONF_CHANGE') {
      const cc = decodeConfChange(e.data);
      voters = voters.filter((id) => id !== cc.nodeId);
      learners = learners.filter((id) => id !== cc.nodeId);
      if (cc.type === 'CONF_REMOVE') addresses.delete(cc.nodeId);
      else {
        (cc.type === 'CONF_ADD_LEARNER' ? learners : voters).push(cc.nodeId);
        if (cc.context !== '') addresses.set(cc.nodeId, cc.context);
      }
    } else if (e.data.length > 0) {
      try {
        sm.apply(readEnvelope(e.data)?.command ?? e.data, e.index);
      } catch {
        // Refused by the state machine: as on every server, the entry changes nothing.
      }
    }
  }
  return { lastIndex: last, lastTerm: storage.term(last), commit: storage.initialState().hardState.commit, voters, learners, addresses };
}

/** Opens `dir` (taking its lock) and reports what it holds, changing nothing. */
export async function summarizeRaftDir(dir: string, sm: StateMachine): Promise<RaftDirSummary> {
  const disk = await RaftDisk.open(dir);
  try {
    return await replay(disk, sm);
  } finally {
    await disk.close();
  }
}

/**
 * Makes the server `self` the only member of its cluster, with all the state its log holds.
 * Returns the summary of what was there and where the old dir was kept.
 */
export async function forceNewCluster(dir: string, self: { readonly id: NodeId; readonly address: string }, sm: StateMachine, nowIso: string): Promise<{ before: RaftDirSummary; keptAt: string; index: number }> {
  const disk = await RaftDisk.open(dir);
  let before: RaftDirSummary;
  let snap: Snapshot;
  try {
    before = await replay(disk, sm);
    const index = before.lastIndex;
    snap = { meta: { index, term: before.lastTerm, confState: { voters: [self.id], learners: [] } }, data: encodeSnapshotData(new Map([[self.id, self.address]]), await sm.snapshot()) };
  } finally {
    await disk.close();
  }
  const fresh = `${dir}.recovering`;
  await rm(fresh, { recursive: true, force: true }); // what an interrupted recovery left
  const next = await RaftDisk.open(fresh);
  try {
    const hardState: HardState = { term: before.lastTerm, vote: self.id, commit: snap.meta.index };
    await next.persist({ snapshot: snap, hardState, entries: [], committedEntries: [], messages: [], readStates: [], mustSync: true });
  } catch (err) {
    throw new Error(`writing the recovered Raft dir ${fresh} failed (${oneLine(err)}); ${dir} is unchanged`, { cause: err });
  } finally {
    await next.close();
  }
  const keptAt = `${dir}.before-recover-${nowIso.replace(/[:.]/g, '-')}`;
  await rename(dir, keptAt);
  await rename(fresh, dir);
  return { before, keptAt, index: snap.meta.index };
}
