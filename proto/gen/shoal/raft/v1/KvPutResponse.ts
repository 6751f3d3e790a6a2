// Original file: proto/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface KvPutResponse {
  'index'?: (number | string | Long);
}

export interface KvPutResponse__Output {
  'index': (number);
}
