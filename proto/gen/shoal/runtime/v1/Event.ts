// Original file: proto/runtime.proto

import type { ExitStatus as _shoal_types_v1_ExitStatus, ExitStatus__Output as _shoal_types_v1_ExitStatus__Output } from '../../../shoal/types/v1/ExitStatus.js';
import type { Long } from '@grpc/proto-loader';

export interface Event {
  'type'?: (string);
  'id'?: (string);
  'atMs'?: (number | string | Long);
  'exit'?: (_shoal_types_v1_ExitStatus | null);
  'attributes'?: ({[key: string]: string});
}

export interface Event__Output {
  'type': (string);
  'id': (string);
  'atMs': (number);
  'exit': (_shoal_types_v1_ExitStatus__Output | null);
  'attributes': ({[key: string]: string});
}
