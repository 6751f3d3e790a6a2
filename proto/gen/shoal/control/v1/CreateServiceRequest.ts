// Original file: proto/control.proto

import type { ServiceSpec as _shoal_control_v1_ServiceSpec, ServiceSpec__Output as _shoal_control_v1_ServiceSpec__Output } from '../../../shoal/control/v1/ServiceSpec.js';

export interface CreateServiceRequest {
  'spec'?: (_shoal_control_v1_ServiceSpec | null);
}

export interface CreateServiceRequest__Output {
  'spec': (_shoal_control_v1_ServiceSpec__Output | null);
}
