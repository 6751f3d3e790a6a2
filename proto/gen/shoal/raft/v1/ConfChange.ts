// Original file: proto/raft.proto

import type { ConfChangeType as _shoal_raft_v1_ConfChangeType, ConfChangeType__Output as _shoal_raft_v1_ConfChangeType__Output } from '../../../shoal/raft/v1/ConfChangeType.js';
import type { Long } from '@grpc/proto-loader';

export interface ConfChange {
  'type'?: (_shoal_raft_v1_ConfChangeType);
  'nodeId'?: (number | string | Long);
  'context'?: (Buffer | Uint8Array | string);
}

export interface ConfChange__Output {
  'type': (_shoal_raft_v1_ConfChangeType__Output);
  'nodeId': (number);
  'context': (Buffer);
}
