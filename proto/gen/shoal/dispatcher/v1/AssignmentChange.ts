// Original file: proto/dispatcher.proto

import type { Task as _shoal_dispatcher_v1_Task, Task__Output as _shoal_dispatcher_v1_Task__Output } from '../../../shoal/dispatcher/v1/Task.js';
import type { NetworkAssignment as _shoal_dispatcher_v1_NetworkAssignment, NetworkAssignment__Output as _shoal_dispatcher_v1_NetworkAssignment__Output } from '../../../shoal/dispatcher/v1/NetworkAssignment.js';
import type { Endpoint as _shoal_dispatcher_v1_Endpoint, Endpoint__Output as _shoal_dispatcher_v1_Endpoint__Output } from '../../../shoal/dispatcher/v1/Endpoint.js';

// Original file: proto/dispatcher.proto

export const _shoal_dispatcher_v1_AssignmentChange_Action = {
  UPDATE: 'UPDATE',
  REMOVE: 'REMOVE',
} as const;

export type _shoal_dispatcher_v1_AssignmentChange_Action =
  | 'UPDATE'
  | 0
  | 'REMOVE'
  | 1

export type _shoal_dispatcher_v1_AssignmentChange_Action__Output = typeof _shoal_dispatcher_v1_AssignmentChange_Action[keyof typeof _shoal_dispatcher_v1_AssignmentChange_Action]

export interface AssignmentChange {
  'action'?: (_shoal_dispatcher_v1_AssignmentChange_Action);
  'task'?: (_shoal_dispatcher_v1_Task | null);
  'network'?: (_shoal_dispatcher_v1_NetworkAssignment | null);
  'endpoint'?: (_shoal_dispatcher_v1_Endpoint | null);
  'item'?: "task"|"network"|"endpoint";
}

export interface AssignmentChange__Output {
  'action': (_shoal_dispatcher_v1_AssignmentChange_Action__Output);
  'task'?: (_shoal_dispatcher_v1_Task__Output | null);
  'network'?: (_shoal_dispatcher_v1_NetworkAssignment__Output | null);
  'endpoint'?: (_shoal_dispatcher_v1_Endpoint__Output | null);
  'item'?: "task"|"network"|"endpoint";
}
