// Original file: proto/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface RaftMember {
  'id'?: (number | string | Long);
  'addr'?: (string);
}

export interface RaftMember__Output {
  'id': (number);
  'addr': (string);
}
