// Original file: proto/control.proto

import type { Meta as _shoal_types_v1_Meta, Meta__Output as _shoal_types_v1_Meta__Output } from '../../../shoal/types/v1/Meta.js';
import type { NetworkSpec as _shoal_control_v1_NetworkSpec, NetworkSpec__Output as _shoal_control_v1_NetworkSpec__Output } from '../../../shoal/control/v1/NetworkSpec.js';

export interface Network {
  'id'?: (string);
  'meta'?: (_shoal_types_v1_Meta | null);
  'spec'?: (_shoal_control_v1_NetworkSpec | null);
  'vni'?: (number);
}

export interface Network__Output {
  'id': (string);
  'meta': (_shoal_types_v1_Meta__Output | null);
  'spec': (_shoal_control_v1_NetworkSpec__Output | null);
  'vni': (number);
}
