// Original file: proto/dispatcher.proto

import type { AssignmentChange as _shoal_dispatcher_v1_AssignmentChange, AssignmentChange__Output as _shoal_dispatcher_v1_AssignmentChange__Output } from '../../../shoal/dispatcher/v1/AssignmentChange.js';
import type { Long } from '@grpc/proto-loader';

export interface AssignmentsMessage {
  'full'?: (boolean);
  'changes'?: (_shoal_dispatcher_v1_AssignmentChange)[];
  'version'?: (number | string | Long);
}

export interface AssignmentsMessage__Output {
  'full': (boolean);
  'changes': (_shoal_dispatcher_v1_AssignmentChange__Output)[];
  'version': (number);
}
