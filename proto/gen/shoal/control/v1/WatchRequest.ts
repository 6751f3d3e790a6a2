// Original file: proto/control.proto

import type { Long } from '@grpc/proto-loader';

export interface WatchRequest {
  'kinds'?: (string)[];
  'sinceVersion'?: (number | string | Long);
}

export interface WatchRequest__Output {
  'kinds': (string)[];
  'sinceVersion': (number);
}
