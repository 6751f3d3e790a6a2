// Original file: proto/runtime.proto

import type { Long } from '@grpc/proto-loader';

export interface LogsRequest {
  'id'?: (string);
  'follow'?: (boolean);
  'tailLines'?: (number | string | Long);
}

export interface LogsRequest__Output {
  'id': (string);
  'follow': (boolean);
  'tailLines': (number);
}
