// Original file: proto/runtime.proto

import type { ContainerSpec as _shoal_types_v1_ContainerSpec, ContainerSpec__Output as _shoal_types_v1_ContainerSpec__Output } from '../../../shoal/types/v1/ContainerSpec.js';
import type { SecurityOptions as _shoal_runtime_v1_SecurityOptions, SecurityOptions__Output as _shoal_runtime_v1_SecurityOptions__Output } from '../../../shoal/runtime/v1/SecurityOptions.js';

export interface CreateContainerRequest {
  'name'?: (string);
  'spec'?: (_shoal_types_v1_ContainerSpec | null);
  'security'?: (_shoal_runtime_v1_SecurityOptions | null);
}

export interface CreateContainerRequest__Output {
  'name': (string);
  'spec': (_shoal_types_v1_ContainerSpec__Output | null);
  'security': (_shoal_runtime_v1_SecurityOptions__Output | null);
}
