// Original file: proto/runtime.proto

import type { Peer as _shoal_runtime_v1_Peer, Peer__Output as _shoal_runtime_v1_Peer__Output } from '../../../shoal/runtime/v1/Peer.js';

export interface AddPeerRequest {
  'network'?: (string);
  'peer'?: (_shoal_runtime_v1_Peer | null);
}

export interface AddPeerRequest__Output {
  'network': (string);
  'peer': (_shoal_runtime_v1_Peer__Output | null);
}
