// Original file: proto/dispatcher.proto

import type { ManagerPeer as _shoal_dispatcher_v1_ManagerPeer, ManagerPeer__Output as _shoal_dispatcher_v1_ManagerPeer__Output } from '../../../shoal/dispatcher/v1/ManagerPeer.js';
import type { Long } from '@grpc/proto-loader';

export interface SessionMessage {
  'sessionId'?: (string);
  'nodeId'?: (string);
  'managers'?: (_shoal_dispatcher_v1_ManagerPeer)[];
  'heartbeatPeriodMs'?: (number | string | Long);
}

export interface SessionMessage__Output {
  'sessionId': (string);
  'nodeId': (string);
  'managers': (_shoal_dispatcher_v1_ManagerPeer__Output)[];
  'heartbeatPeriodMs': (number);
}
