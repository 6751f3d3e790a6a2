// Original file: proto/runtime.proto

import type { ContainerSpec as _shoal_types_v1_ContainerSpec, ContainerSpec__Output as _shoal_types_v1_ContainerSpec__Output } from '../../../shoal/types/v1/ContainerSpec.js';
import type { ExitStatus as _shoal_types_v1_ExitStatus, ExitStatus__Output as _shoal_types_v1_ExitStatus__Output } from '../../../shoal/types/v1/ExitStatus.js';
import type { ContainerEndpoint as _shoal_runtime_v1_ContainerEndpoint, ContainerEndpoint__Output as _shoal_runtime_v1_ContainerEndpoint__Output } from '../../../shoal/runtime/v1/ContainerEndpoint.js';
import type { SecurityOptions as _shoal_runtime_v1_SecurityOptions, SecurityOptions__Output as _shoal_runtime_v1_SecurityOptions__Output } from '../../../shoal/runtime/v1/SecurityOptions.js';
import type { Long } from '@grpc/proto-loader';

export interface Container {
  'id'?: (string);
  'name'?: (string);
  'imageDigest'?: (string);
  'spec'?: (_shoal_types_v1_ContainerSpec | null);
  'state'?: (string);
  'pid'?: (number);
  'exit'?: (_shoal_types_v1_ExitStatus | null);
  'createdAtMs'?: (number | string | Long);
  'startedAtMs'?: (number | string | Long);
  'shimId'?: (string);
  'endpoints'?: (_shoal_runtime_v1_ContainerEndpoint)[];
  'security'?: (_shoal_runtime_v1_SecurityOptions | null);
}

export interface Container__Output {
  'id': (string);
  'name': (string);
  'imageDigest': (string);
  'spec': (_shoal_types_v1_ContainerSpec__Output | null);
  'state': (string);
  'pid': (number);
  'exit': (_shoal_types_v1_ExitStatus__Output | null);
  'createdAtMs': (number);
  'startedAtMs': (number);
  'shimId': (string);
  'endpoints': (_shoal_runtime_v1_ContainerEndpoint__Output)[];
  'security': (_shoal_runtime_v1_SecurityOptions__Output | null);
}
