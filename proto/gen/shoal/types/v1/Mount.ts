// Original file: proto/types.proto

import type { Long } from '@grpc/proto-loader';

// Original file: proto/types.proto

export const _shoal_types_v1_Mount_Type = {
  BIND: 'BIND',
  VOLUME: 'VOLUME',
  TMPFS: 'TMPFS',
} as const;

export type _shoal_types_v1_Mount_Type =
  | 'BIND'
  | 0
  | 'VOLUME'
  | 1
  | 'TMPFS'
  | 2

export type _shoal_types_v1_Mount_Type__Output = typeof _shoal_types_v1_Mount_Type[keyof typeof _shoal_types_v1_Mount_Type]

export interface Mount {
  'type'?: (_shoal_types_v1_Mount_Type);
  'source'?: (string);
  'target'?: (string);
  'readOnly'?: (boolean);
  'tmpfsSizeBytes'?: (number | string | Long);
}

export interface Mount__Output {
  'type': (_shoal_types_v1_Mount_Type__Output);
  'source': (string);
  'target': (string);
  'readOnly': (boolean);
  'tmpfsSizeBytes': (number);
}
