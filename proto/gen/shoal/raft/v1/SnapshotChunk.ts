// Original file: proto/raft.proto

import type { Message as _shoal_raft_v1_Message, Message__Output as _shoal_raft_v1_Message__Output } from '../../../shoal/raft/v1/Message.js';
import type { Long } from '@grpc/proto-loader';

export interface SnapshotChunk {
  'clusterId'?: (number | string | Long);
  'message'?: (_shoal_raft_v1_Message | null);
  'data'?: (Buffer | Uint8Array | string);
  'last'?: (boolean);
}

export interface SnapshotChunk__Output {
  'clusterId': (number);
  'message': (_shoal_raft_v1_Message__Output | null);
  'data': (Buffer);
  'last': (boolean);
}
