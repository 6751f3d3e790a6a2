// Membership: who votes, who only learns, and changes one server at a time. A change is an
// entry of type ENTRY_CONF_CHANGE whose data encodes a ConfChange; it takes effect when the
// application applies it (RaftNode.applyConfChange), and the leader refuses a new one while an
// earlier one is not yet applied.

import { invalidArgument } from '../../shared/errors.js';
import type { ConfState, NodeId } from './types.js';

export type ConfChangeType = 'CONF_ADD_VOTER' | 'CONF_ADD_LEARNER' | 'CONF_REMOVE';

export interface ConfChange {
  readonly type: ConfChangeType;
  readonly nodeId: NodeId;
  /** Opaque to Raft: the new member's address, for the transport. */
  readonly context: string;
}

const CONF_CHANGE_TYPES: readonly ConfChangeType[] = ['CONF_ADD_VOTER', 'CONF_ADD_LEARNER', 'CONF_REMOVE'];

export function encodeConfChange(cc: ConfChange): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(cc));
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(data));
  } catch {
    throw invalidArgument('raft.bad_conf_change', 'conf change entry: not valid JSON');
  }
  const v = value as Partial<ConfChange>;
  if (!CONF_CHANGE_TYPES.includes(v.type as ConfChangeType) || typeof v.nodeId !== 'number' || v.nodeId <= 0 || typeof v.context !== 'string') {
    throw invalidArgument('raft.bad_conf_change', 'conf change entry: needs type, a positive nodeId and a context string');
  }
  return { type: v.type as ConfChangeType, nodeId: v.nodeId, context: v.context };
}

export class Membership {
  readonly voters = new Set<NodeId>();
  readonly learners = new Set<NodeId>();

  constructor(cs: ConfState) {
    for (const id of cs.voters) this.voters.add(id);
    for (const id of cs.learners) if (!this.voters.has(id)) this.learners.add(id);
  }

  confState(): ConfState {
    return { voters: [...this.voters].sort((a, b) => a - b), learners: [...this.learners].sort((a, b) => a - b) };
  }

  isVoter(id: NodeId): boolean {
    return this.voters.has(id);
  }

  isMember(id: NodeId): boolean {
    return this.voters.has(id) || this.learners.has(id);
  }

  votersList(): NodeId[] {
    return [...this.voters].sort((a, b) => a - b);
  }

  members(): NodeId[] {
    return [...this.voters, ...this.learners].sort((a, b) => a - b);
  }

  /** Applies one change; removing the last voter is refused (the cluster would be lost). */
  apply(cc: ConfChange): void {
    switch (cc.type) {
      case 'CONF_ADD_VOTER':
        this.learners.delete(cc.nodeId);
        this.voters.add(cc.nodeId);
        break;
      case 'CONF_ADD_LEARNER':
        this.voters.delete(cc.nodeId);
        this.learners.add(cc.nodeId);
        break;
      case 'CONF_REMOVE':
        this.voters.delete(cc.nodeId);
        this.learners.delete(cc.nodeId);
        break;
    }
  }
}
