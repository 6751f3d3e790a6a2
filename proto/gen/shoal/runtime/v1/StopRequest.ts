// Original file: proto/runtime.proto

import type { Long } from '@grpc/proto-loader';

export interface StopRequest {
  'id'?: (string);
  'gracePeriodMs'?: (number | string | Long);
}

export interface StopRequest__Output {
  'id': (string);
  'gracePeriodMs': (number);
}
