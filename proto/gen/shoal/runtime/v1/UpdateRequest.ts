// Original file: proto/runtime.proto

import type { Resources as _shoal_types_v1_Resources, Resources__Output as _shoal_types_v1_Resources__Output } from '../../../shoal/types/v1/Resources.js';

export interface UpdateRequest {
  'id'?: (string);
  'resources'?: (_shoal_types_v1_Resources | null);
}

export interface UpdateRequest__Output {
  'id': (string);
  'resources': (_shoal_types_v1_Resources__Output | null);
}
