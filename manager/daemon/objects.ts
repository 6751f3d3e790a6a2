// The store objects a manager writes about itself and the managers it lets in.

import { parseManagerAddress } from '../../shared/manager-hosts.js';
import type { StoreOp } from '../store/command.js';
import type { ManagerIdentity } from './data-dir.js';

/** The node object of a manager (its hostname, its place in Raft). */
export function managerNodeOp(id: Pick<ManagerIdentity, 'nodeId' | 'raftId' | 'advertiseAddr'>, hostname: string): StoreOp {
  return {
    op: 'create',
    kind: 'node',
    id: id.nodeId,
    spec: { hostname, role: 'manager', availability: 'active', labels: {} },
    status: { state: 'ready', addr: parseManagerAddress(id.advertiseAddr, 'advertise address').host, raft: { id: id.raftId, addr: id.advertiseAddr } },
  };
}
