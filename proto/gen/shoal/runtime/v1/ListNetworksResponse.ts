// Original file: proto/runtime.proto

import type { Network as _shoal_runtime_v1_Network, Network__Output as _shoal_runtime_v1_Network__Output } from '../../../shoal/runtime/v1/Network.js';

export interface ListNetworksResponse {
  'networks'?: (_shoal_runtime_v1_Network)[];
}

export interface ListNetworksResponse__Output {
  'networks': (_shoal_runtime_v1_Network__Output)[];
}
