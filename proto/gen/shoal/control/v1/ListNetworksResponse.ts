// Original file: proto/control.proto

import type { Network as _shoal_control_v1_Network, Network__Output as _shoal_control_v1_Network__Output } from '../../../shoal/control/v1/Network.js';

export interface ListNetworksResponse {
  'networks'?: (_shoal_control_v1_Network)[];
}

export interface ListNetworksResponse__Output {
  'networks': (_shoal_control_v1_Network__Output)[];
}
