// Original file: proto/control.proto

import type { ContainerSpec as _shoal_types_v1_ContainerSpec, ContainerSpec__Output as _shoal_types_v1_ContainerSpec__Output } from '../../../shoal/types/v1/ContainerSpec.js';
import type { Long } from '@grpc/proto-loader';

export interface RunContainerRequest {
  'name'?: (string);
  'spec'?: (_shoal_types_v1_ContainerSpec | null);
  'constraints'?: (string)[];
  'restart'?: (string);
  'stopOnDisconnectMs'?: (number | string | Long);
}

export interface RunContainerRequest__Output {
  'name': (string);
  'spec': (_shoal_types_v1_ContainerSpec__Output | null);
  'constraints': (string)[];
  'restart': (string);
  'stopOnDisconnectMs': (number);
}
