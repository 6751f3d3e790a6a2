// Original file: proto/runtime.proto

import type { Long } from '@grpc/proto-loader';

export interface LogLine {
  'stream'?: (string);
  'line'?: (Buffer | Uint8Array | string);
  'atMs'?: (number | string | Long);
}

export interface LogLine__Output {
  'stream': (string);
  'line': (Buffer);
  'atMs': (number);
}
