// Original file: proto/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface KvPutStreamResponse {
  'index'?: (number | string | Long);
  'error'?: (string);
}

export interface KvPutStreamResponse__Output {
  'index': (number);
  'error': (string);
}
