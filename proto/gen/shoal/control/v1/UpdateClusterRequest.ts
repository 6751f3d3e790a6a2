// Original file: proto/control.proto

import type { Long } from '@grpc/proto-loader';

export interface UpdateClusterRequest {
  'id'?: (string);
  'version'?: (number | string | Long);
  'heartbeatPeriodMs'?: (number | string | Long);
  'certExpiryMs'?: (number | string | Long);
  'strategy'?: (string);
}

export interface UpdateClusterRequest__Output {
  'id': (string);
  'version': (number);
  'heartbeatPeriodMs': (number);
  'certExpiryMs': (number);
  'strategy': (string);
}
