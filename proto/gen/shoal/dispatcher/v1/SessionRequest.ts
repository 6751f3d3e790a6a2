// Original file: proto/dispatcher.proto

import type { NodeDescription as _shoal_dispatcher_v1_NodeDescription, NodeDescription__Output as _shoal_dispatcher_v1_NodeDescription__Output } from '../../../shoal/dispatcher/v1/NodeDescription.js';

export interface SessionRequest {
  'description'?: (_shoal_dispatcher_v1_NodeDescription | null);
  'sessionId'?: (string);
}

export interface SessionRequest__Output {
  'description': (_shoal_dispatcher_v1_NodeDescription__Output | null);
  'sessionId': (string);
}
