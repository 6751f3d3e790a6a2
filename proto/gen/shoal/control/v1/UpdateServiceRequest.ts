// Original file: proto/control.proto

import type { ServiceSpec as _shoal_control_v1_ServiceSpec, ServiceSpec__Output as _shoal_control_v1_ServiceSpec__Output } from '../../../shoal/control/v1/ServiceSpec.js';
import type { Long } from '@grpc/proto-loader';

export interface UpdateServiceRequest {
  'id'?: (string);
  'version'?: (number | string | Long);
  'spec'?: (_shoal_control_v1_ServiceSpec | null);
}

export interface UpdateServiceRequest__Output {
  'id': (string);
  'version': (number);
  'spec': (_shoal_control_v1_ServiceSpec__Output | null);
}
