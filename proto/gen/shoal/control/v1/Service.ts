// Original file: proto/control.proto

import type { Meta as _shoal_types_v1_Meta, Meta__Output as _shoal_types_v1_Meta__Output } from '../../../shoal/types/v1/Meta.js';
import type { ServiceSpec as _shoal_control_v1_ServiceSpec, ServiceSpec__Output as _shoal_control_v1_ServiceSpec__Output } from '../../../shoal/control/v1/ServiceSpec.js';

export interface Service {
  'id'?: (string);
  'meta'?: (_shoal_types_v1_Meta | null);
  'spec'?: (_shoal_control_v1_ServiceSpec | null);
  'virtualIp'?: (string);
}

export interface Service__Output {
  'id': (string);
  'meta': (_shoal_types_v1_Meta__Output | null);
  'spec': (_shoal_control_v1_ServiceSpec__Output | null);
  'virtualIp': (string);
}
