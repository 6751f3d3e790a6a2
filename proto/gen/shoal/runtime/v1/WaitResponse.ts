// Original file: proto/runtime.proto

import type { ExitStatus as _shoal_types_v1_ExitStatus, ExitStatus__Output as _shoal_types_v1_ExitStatus__Output } from '../../../shoal/types/v1/ExitStatus.js';

export interface WaitResponse {
  'exit'?: (_shoal_types_v1_ExitStatus | null);
}

export interface WaitResponse__Output {
  'exit': (_shoal_types_v1_ExitStatus__Output | null);
}
