// Original file: proto/agent.proto

import type { ExitStatus as _shoal_types_v1_ExitStatus, ExitStatus__Output as _shoal_types_v1_ExitStatus__Output } from '../../../shoal/types/v1/ExitStatus.js';
import type { Long } from '@grpc/proto-loader';

export interface TaskContainer {
  'id'?: (string);
  'name'?: (string);
  'state'?: (string);
  'pid'?: (number);
  'exit'?: (_shoal_types_v1_ExitStatus | null);
  'createdAtMs'?: (number | string | Long);
  'startedAtMs'?: (number | string | Long);
  'imageDigest'?: (string);
}

export interface TaskContainer__Output {
  'id': (string);
  'name': (string);
  'state': (string);
  'pid': (number);
  'exit': (_shoal_types_v1_ExitStatus__Output | null);
  'createdAtMs': (number);
  'startedAtMs': (number);
  'imageDigest': (string);
}
