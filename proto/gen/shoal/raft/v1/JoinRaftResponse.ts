// Original file: proto/raft.proto

import type { RaftMember as _shoal_raft_v1_RaftMember, RaftMember__Output as _shoal_raft_v1_RaftMember__Output } from '../../../shoal/raft/v1/RaftMember.js';

export interface JoinRaftResponse {
  'members'?: (_shoal_raft_v1_RaftMember)[];
}

export interface JoinRaftResponse__Output {
  'members': (_shoal_raft_v1_RaftMember__Output)[];
}
