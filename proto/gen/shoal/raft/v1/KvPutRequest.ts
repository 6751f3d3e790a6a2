// Original file: proto/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface KvPutRequest {
  'key'?: (string);
  'value'?: (Buffer | Uint8Array | string);
  'session'?: (number | string | Long);
  'seq'?: (number | string | Long);
  'acked'?: (number | string | Long);
}

export interface KvPutRequest__Output {
  'key': (string);
  'value': (Buffer);
  'session': (number);
  'seq': (number);
  'acked': (number);
}
