// Original file: proto/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface KvStatus {
  'nodeId'?: (number | string | Long);
  'leaderId'?: (number | string | Long);
  'term'?: (number | string | Long);
  'commitIndex'?: (number | string | Long);
  'appliedIndex'?: (number | string | Long);
}

export interface KvStatus__Output {
  'nodeId': (number);
  'leaderId': (number);
  'term': (number);
  'commitIndex': (number);
  'appliedIndex': (number);
}
