// Original file: proto/runtime.proto

import type { Peer as _shoal_runtime_v1_Peer, Peer__Output as _shoal_runtime_v1_Peer__Output } from '../../../shoal/runtime/v1/Peer.js';
import type { ContainerEndpoint as _shoal_runtime_v1_ContainerEndpoint, ContainerEndpoint__Output as _shoal_runtime_v1_ContainerEndpoint__Output } from '../../../shoal/runtime/v1/ContainerEndpoint.js';
import type { Long } from '@grpc/proto-loader';

export interface Network {
  'name'?: (string);
  'vni'?: (number);
  'subnet'?: (string);
  'gateway'?: (string);
  'mtu'?: (number);
  'port'?: (number);
  'createdAtMs'?: (number | string | Long);
  'peers'?: (_shoal_runtime_v1_Peer)[];
  'endpoints'?: (_shoal_runtime_v1_ContainerEndpoint)[];
}

export interface Network__Output {
  'name': (string);
  'vni': (number);
  'subnet': (string);
  'gateway': (string);
  'mtu': (number);
  'port': (number);
  'createdAtMs': (number);
  'peers': (_shoal_runtime_v1_Peer__Output)[];
  'endpoints': (_shoal_runtime_v1_ContainerEndpoint__Output)[];
}
