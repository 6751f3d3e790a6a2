// Original file: proto/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface TaskLogsRequest {
  'taskId'?: (string);
  'follow'?: (boolean);
  'tailLines'?: (number | string | Long);
}

export interface TaskLogsRequest__Output {
  'taskId': (string);
  'follow': (boolean);
  'tailLines': (number);
}
