// Original file: proto/control.proto

import type { Long } from '@grpc/proto-loader';

export interface TaskLogsRequest {
  'id'?: (string);
  'follow'?: (boolean);
  'tailLines'?: (number | string | Long);
}

export interface TaskLogsRequest__Output {
  'id': (string);
  'follow': (boolean);
  'tailLines': (number);
}
