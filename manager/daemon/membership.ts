// RaftMembership.Join (proto/raft.proto), between managers: a manager that just got its
// certificate (node-ca.ts) asks to be let into the Raft group. A follower answers with the
// leader's address (raft.not_leader). The leader adds it as a learner, writes its node object, and answers with the
// members; the promotion loop (manager.ts) makes it a voter once it has caught up.

import type { ServerUnaryCall } from '@grpc/grpc-js';
import type { JoinRaftRequest__Output } from '../../proto/gen/shoal/raft/v1/JoinRaftRequest.js';
import type { JoinRaftResponse } from '../../proto/gen/shoal/raft/v1/JoinRaftResponse.js';
import { alreadyExists, failedPrecondition, ShoalError, unavailable } from '../../shared/errors.js';
import { unaryHandler } from '../../shared/grpc.js';
import { peerCertificateOf } from '../../shared/grpc-peer.js';
import { peerIdentity } from '../ca/identity.js';
import { encodeCommand, type StoreOp } from '../store/command.js';
import type { Manager } from './manager.js';
import { managerNodeOp } from './objects.js';

export function membershipHandlers(manager: Manager) {
  return {
    Join: unaryHandler(async (req: JoinRaftRequest__Output, call: ServerUnaryCall<JoinRaftRequest__Output, JoinRaftResponse>): Promise<JoinRaftResponse> => {
      const caller = peerIdentity(peerCertificateOf(call)); // checked by the guard; read again for its ids
      if (caller.raftId === undefined || caller.raftId !== Number(req.raftId)) {
        throw new ShoalError('permission_denied', 'raft.join_not_caller', `join as Raft member ${req.raftId} by manager ${caller.nodeId}, whose certificate names member ${caller.raftId ?? 'none'}`);
      }
      if (!manager.raft.isLeader()) throw notTheLeader(manager);
      const taken = manager.store.byNameOf('node', req.hostname);
      // The node of a manager that is no member any more (the group was recovered without it)
      // gives its hostname to the manager that joins in its place.
      const cs = manager.raft.status().confState;
      const raftOfTaken = taken?.status.raft?.id;
      const stale = taken !== undefined && raftOfTaken !== undefined && !cs.voters.includes(raftOfTaken) && !cs.learners.includes(raftOfTaken);
      if (taken !== undefined && taken.id !== caller.nodeId && !stale) {
        throw alreadyExists('manager.hostname_taken', `hostname ${req.hostname} is taken by node ${taken.id}: give the joining manager another --hostname, or remove that node`);
      }
      await manager.raft.addLearner(caller.raftId, req.addr);
      if (manager.store.get('node', caller.nodeId) === undefined) {
        const replaced: StoreOp[] = stale && taken !== undefined ? [{ op: 'delete', kind: 'node', id: taken.id, version: taken.meta.version }] : [];
        await manager.raft.propose(encodeCommand({ atMs: manager.clock.wallMs(), ops: [...replaced, managerNodeOp({ nodeId: caller.nodeId, raftId: caller.raftId, advertiseAddr: req.addr }, req.hostname)] }));
      }
      manager.logger.info({ nodeId: caller.nodeId, raftId: caller.raftId, addr: req.addr, hostname: req.hostname }, 'manager joining as a learner');
      return { members: [...manager.members()].map(([id, addr]) => ({ id, addr })) };
    }),
  };
}

/**
 * A follower cannot add members: it names the leader, and the joiner asks it (the join must come
 * from the joiner itself, whose certificate names the member it asks to add).
 */
function notTheLeader(manager: Manager): ShoalError {
  const lead = manager.raft.status().lead;
  const addr = lead === 0 ? undefined : manager.members().get(lead);
  if (addr === undefined) return unavailable('raft.no_leader', 'no leader known to let the manager join; try again');
  return failedPrecondition('raft.not_leader', `this manager is not the leader; the leader is at ${addr}`, { fields: { leaderAddr: addr } });
}
