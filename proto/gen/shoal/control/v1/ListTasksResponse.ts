// Original file: proto/control.proto

import type { Task as _shoal_dispatcher_v1_Task, Task__Output as _shoal_dispatcher_v1_Task__Output } from '../../../shoal/dispatcher/v1/Task.js';

export interface ListTasksResponse {
  'tasks'?: (_shoal_dispatcher_v1_Task)[];
}

export interface ListTasksResponse__Output {
  'tasks': (_shoal_dispatcher_v1_Task__Output)[];
}
