// Original file: proto/dispatcher.proto

import type { ExitStatus as _shoal_types_v1_ExitStatus, ExitStatus__Output as _shoal_types_v1_ExitStatus__Output } from '../../../shoal/types/v1/ExitStatus.js';
import type { Long } from '@grpc/proto-loader';

export interface TaskStatus {
  'state'?: (string);
  'message'?: (string);
  'error'?: (string);
  'exit'?: (_shoal_types_v1_ExitStatus | null);
  'atMs'?: (number | string | Long);
  'containerId'?: (string);
  'lost'?: (boolean);
}

export interface TaskStatus__Output {
  'state': (string);
  'message': (string);
  'error': (string);
  'exit': (_shoal_types_v1_ExitStatus__Output | null);
  'atMs': (number);
  'containerId': (string);
  'lost': (boolean);
}
