// Original file: proto/control.proto

import type { Long } from '@grpc/proto-loader';

export interface WatchRequest {
  'kinds'?: (string)[];
  'sinceVersion'?: (number | string | Long);
  'sinceMs'?: (number | string | Long);
  'noFollow'?: (boolean);
}

export interface WatchRequest__Output {
  'kinds': (string)[];
  'sinceVersion': (number);
  'sinceMs': (number);
  'noFollow': (boolean);
}
