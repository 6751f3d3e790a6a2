// Original file: proto/runtime.proto

import type { ContainerSpec as _shoal_types_v1_ContainerSpec, ContainerSpec__Output as _shoal_types_v1_ContainerSpec__Output } from '../../../shoal/types/v1/ContainerSpec.js';

export interface CreateContainerRequest {
  'name'?: (string);
  'spec'?: (_shoal_types_v1_ContainerSpec | null);
}

export interface CreateContainerRequest__Output {
  'name': (string);
  'spec': (_shoal_types_v1_ContainerSpec__Output | null);
}
