// Original file: proto/control.proto

import type { ContainerSpec as _shoal_types_v1_ContainerSpec, ContainerSpec__Output as _shoal_types_v1_ContainerSpec__Output } from '../../../shoal/types/v1/ContainerSpec.js';
import type { Long } from '@grpc/proto-loader';

export interface ServiceSpec {
  'name'?: (string);
  'container'?: (_shoal_types_v1_ContainerSpec | null);
  'replicas'?: (number | string | Long);
  'mode'?: (string);
  'labels'?: ({[key: string]: string});
  'constraints'?: (string)[];
  'restartCondition'?: (string);
}

export interface ServiceSpec__Output {
  'name': (string);
  'container': (_shoal_types_v1_ContainerSpec__Output | null);
  'replicas': (number);
  'mode': (string);
  'labels': ({[key: string]: string});
  'constraints': (string)[];
  'restartCondition': (string);
}
