// Original file: proto/runtime.proto

import type { Long } from '@grpc/proto-loader';

export interface RemoveImageResponse {
  'reference'?: (string);
  'digest'?: (string);
  'blobsDeleted'?: (number | string | Long);
  'layersDeleted'?: (number | string | Long);
  'warnings'?: (string)[];
}

export interface RemoveImageResponse__Output {
  'reference': (string);
  'digest': (string);
  'blobsDeleted': (number);
  'layersDeleted': (number);
  'warnings': (string)[];
}
