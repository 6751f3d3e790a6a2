// Original file: proto/runtime.proto

import type { Long } from '@grpc/proto-loader';

export interface Image {
  'reference'?: (string);
  'digest'?: (string);
  'sizeBytes'?: (number | string | Long);
  'createdAtMs'?: (number | string | Long);
}

export interface Image__Output {
  'reference': (string);
  'digest': (string);
  'sizeBytes': (number);
  'createdAtMs': (number);
}
