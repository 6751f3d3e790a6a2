// Original file: proto/dispatcher.proto

import type { Long } from '@grpc/proto-loader';

export interface HeartbeatResponse {
  'periodMs'?: (number | string | Long);
}

export interface HeartbeatResponse__Output {
  'periodMs': (number);
}
