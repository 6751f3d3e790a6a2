// Original file: proto/control.proto

import type { Service as _shoal_control_v1_Service, Service__Output as _shoal_control_v1_Service__Output } from '../../../shoal/control/v1/Service.js';

export interface ListServicesResponse {
  'services'?: (_shoal_control_v1_Service)[];
}

export interface ListServicesResponse__Output {
  'services': (_shoal_control_v1_Service__Output)[];
}
