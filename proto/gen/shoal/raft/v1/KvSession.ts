// Original file: proto/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface KvSession {
  'id'?: (number | string | Long);
}

export interface KvSession__Output {
  'id': (number);
}
