// Original file: proto/raft.proto

import type { Message as _shoal_raft_v1_Message, Message__Output as _shoal_raft_v1_Message__Output } from '../../../shoal/raft/v1/Message.js';
import type { Long } from '@grpc/proto-loader';

export interface MessageBatch {
  'clusterId'?: (number | string | Long);
  'messages'?: (_shoal_raft_v1_Message)[];
}

export interface MessageBatch__Output {
  'clusterId': (number);
  'messages': (_shoal_raft_v1_Message__Output)[];
}
