// The Control API (proto/control.proto) on every manager: what this step serves — the cluster
// and the nodes. Reads are linearizable (read-index through Raft); the rest of the API answers
// UNIMPLEMENTED until its step lands.

import type { Cluster } from '../../proto/gen/shoal/control/v1/Cluster.js';
import type { IdRequest__Output } from '../../proto/gen/shoal/control/v1/IdRequest.js';
import type { Node } from '../../proto/gen/shoal/control/v1/Node.js';
import { notFound } from '../../shared/errors.js';
import { unaryHandler } from '../../shared/grpc.js';
import { caFingerprintHex } from '../ca/fingerprint.js';
import type { Meta, StoreObjectOf } from '../store/types.js';
import type { Manager } from './manager.js';

const meta = (m: Meta) => ({ version: m.version, createdAtMs: m.createdAtMs, updatedAtMs: m.updatedAtMs });

/** A node as the API shows it; `leader_status` for managers, from this manager's view of Raft. */
export function nodeMessage(n: StoreObjectOf<'node'>, manager: Manager): Node {
  const raftId = n.status.raft?.id;
  let leaderStatus = '';
  if (n.spec.role === 'manager' && raftId !== undefined) {
    const s = manager.raft.status();
    leaderStatus = s.lead === raftId ? 'leader' : s.confState.voters.includes(raftId) ? 'reachable' : s.confState.learners.includes(raftId) ? 'learner' : 'unreachable';
  }
  return {
    id: n.id,
    meta: meta(n.meta),
    role: n.spec.role,
    availability: n.spec.availability,
    description: { hostname: n.spec.hostname, advertiseAddress: n.status.addr ?? '' },
    state: n.status.state,
    leaderStatus,
    labels: { ...n.spec.labels },
  };
}

export function clusterMessage(c: StoreObjectOf<'cluster'>): Cluster {
  const rootCaPem = c.status.rootCaPem ?? '';
  return {
    id: c.id,
    meta: meta(c.meta),
    heartbeatPeriodMs: c.spec.heartbeatPeriodMs,
    workerJoinToken: c.status.joinTokens?.worker ?? '',
    managerJoinToken: c.status.joinTokens?.manager ?? '',
    rootCaFingerprint: rootCaPem === '' ? '' : caFingerprintHex(rootCaPem),
  };
}

export function controlHandlers(manager: Manager) {
  return {
    GetCluster: unaryHandler(async () => {
      const store = await manager.readable();
      const c = store.list('cluster')[0];
      if (c === undefined) throw notFound('manager.no_cluster_object', 'the cluster object is not written yet: the first leader writes it; try again');
      return clusterMessage(c);
    }),
    ListNodes: unaryHandler(async () => {
      const store = await manager.readable();
      return { nodes: store.list('node').map((n) => nodeMessage(n, manager)) };
    }),
    GetNode: unaryHandler(async (req: IdRequest__Output) => {
      await manager.readable();
      return nodeMessage(manager.nodeOrThrow(req.id) as StoreObjectOf<'node'>, manager);
    }),
  };
}
