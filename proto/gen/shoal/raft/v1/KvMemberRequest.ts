// Original file: proto/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface KvMemberRequest {
  'nodeId'?: (number | string | Long);
  'address'?: (string);
}

export interface KvMemberRequest__Output {
  'nodeId': (number);
  'address': (string);
}
