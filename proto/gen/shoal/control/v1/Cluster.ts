// Original file: proto/control.proto

import type { Meta as _shoal_types_v1_Meta, Meta__Output as _shoal_types_v1_Meta__Output } from '../../../shoal/types/v1/Meta.js';
import type { Long } from '@grpc/proto-loader';

export interface Cluster {
  'id'?: (string);
  'meta'?: (_shoal_types_v1_Meta | null);
  'heartbeatPeriodMs'?: (number | string | Long);
  'workerJoinToken'?: (string);
  'managerJoinToken'?: (string);
  'rootCaFingerprint'?: (string);
  'certExpiryMs'?: (number | string | Long);
  'strategy'?: (string);
}

export interface Cluster__Output {
  'id': (string);
  'meta': (_shoal_types_v1_Meta__Output | null);
  'heartbeatPeriodMs': (number);
  'workerJoinToken': (string);
  'managerJoinToken': (string);
  'rootCaFingerprint': (string);
  'certExpiryMs': (number);
  'strategy': (string);
}
