// Original file: proto/types.proto

import type { Long } from '@grpc/proto-loader';

export interface Meta {
  'version'?: (number | string | Long);
  'createdAtMs'?: (number | string | Long);
  'updatedAtMs'?: (number | string | Long);
}

export interface Meta__Output {
  'version': (number);
  'createdAtMs': (number);
  'updatedAtMs': (number);
}
