// Original file: proto/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface TaskLogLine {
  'stream'?: (string);
  'line'?: (Buffer | Uint8Array | string);
  'atMs'?: (number | string | Long);
}

export interface TaskLogLine__Output {
  'stream': (string);
  'line': (Buffer);
  'atMs': (number);
}
