// Original file: proto/control.proto

import type { NetworkSpec as _shoal_control_v1_NetworkSpec, NetworkSpec__Output as _shoal_control_v1_NetworkSpec__Output } from '../../../shoal/control/v1/NetworkSpec.js';

export interface CreateNetworkRequest {
  'spec'?: (_shoal_control_v1_NetworkSpec | null);
}

export interface CreateNetworkRequest__Output {
  'spec': (_shoal_control_v1_NetworkSpec__Output | null);
}
