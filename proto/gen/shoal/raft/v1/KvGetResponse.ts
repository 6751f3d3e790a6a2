// Original file: proto/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface KvGetResponse {
  'found'?: (boolean);
  'value'?: (Buffer | Uint8Array | string);
  'index'?: (number | string | Long);
}

export interface KvGetResponse__Output {
  'found': (boolean);
  'value': (Buffer);
  'index': (number);
}
