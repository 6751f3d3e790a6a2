// Original file: proto/dispatcher.proto

import type { Long } from '@grpc/proto-loader';

export interface ManagerPeer {
  'raftId'?: (number | string | Long);
  'address'?: (string);
}

export interface ManagerPeer__Output {
  'raftId': (number);
  'address': (string);
}
