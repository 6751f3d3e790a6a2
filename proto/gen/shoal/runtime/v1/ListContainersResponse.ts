// Original file: proto/runtime.proto

import type { Container as _shoal_runtime_v1_Container, Container__Output as _shoal_runtime_v1_Container__Output } from '../../../shoal/runtime/v1/Container.js';

export interface ListContainersResponse {
  'containers'?: (_shoal_runtime_v1_Container)[];
  'warnings'?: (string)[];
}

export interface ListContainersResponse__Output {
  'containers': (_shoal_runtime_v1_Container__Output)[];
  'warnings': (string)[];
}
