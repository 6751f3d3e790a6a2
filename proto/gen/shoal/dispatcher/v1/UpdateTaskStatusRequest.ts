// Original file: proto/dispatcher.proto

import type { TaskStatusUpdate as _shoal_dispatcher_v1_TaskStatusUpdate, TaskStatusUpdate__Output as _shoal_dispatcher_v1_TaskStatusUpdate__Output } from '../../../shoal/dispatcher/v1/TaskStatusUpdate.js';

export interface UpdateTaskStatusRequest {
  'sessionId'?: (string);
  'updates'?: (_shoal_dispatcher_v1_TaskStatusUpdate)[];
}

export interface UpdateTaskStatusRequest__Output {
  'sessionId': (string);
  'updates': (_shoal_dispatcher_v1_TaskStatusUpdate__Output)[];
}
