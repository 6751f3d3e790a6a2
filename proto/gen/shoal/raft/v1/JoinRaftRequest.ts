// Original file: proto/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface JoinRaftRequest {
  'raftId'?: (number | string | Long);
  'addr'?: (string);
  'hostname'?: (string);
}

export interface JoinRaftRequest__Output {
  'raftId': (number);
  'addr': (string);
  'hostname': (string);
}
