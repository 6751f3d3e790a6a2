// Original file: proto/control.proto

import type { Long } from '@grpc/proto-loader';

export interface UpdateNodeRequest {
  'id'?: (string);
  'version'?: (number | string | Long);
  'availability'?: (string);
  'labels'?: ({[key: string]: string});
  'role'?: (string);
}

export interface UpdateNodeRequest__Output {
  'id': (string);
  'version': (number);
  'availability': (string);
  'labels': ({[key: string]: string});
  'role': (string);
}
