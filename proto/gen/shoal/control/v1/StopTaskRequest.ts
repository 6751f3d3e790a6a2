// Original file: proto/control.proto

import type { Long } from '@grpc/proto-loader';

export interface StopTaskRequest {
  'id'?: (string);
  'gracePeriodMs'?: (number | string | Long);
}

export interface StopTaskRequest__Output {
  'id': (string);
  'gracePeriodMs': (number);
}
