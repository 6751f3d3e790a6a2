// Original file: proto/control.proto

import type { Task as _shoal_dispatcher_v1_Task, Task__Output as _shoal_dispatcher_v1_Task__Output } from '../../../shoal/dispatcher/v1/Task.js';
import type { TaskNode as _shoal_control_v1_TaskNode, TaskNode__Output as _shoal_control_v1_TaskNode__Output } from '../../../shoal/control/v1/TaskNode.js';

export interface ListTasksResponse {
  'tasks'?: (_shoal_dispatcher_v1_Task)[];
  'nodes'?: (_shoal_control_v1_TaskNode)[];
}

export interface ListTasksResponse__Output {
  'tasks': (_shoal_dispatcher_v1_Task__Output)[];
  'nodes': (_shoal_control_v1_TaskNode__Output)[];
}
