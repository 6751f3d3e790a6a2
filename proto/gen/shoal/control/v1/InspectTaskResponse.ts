// Original file: proto/control.proto

import type { Task as _shoal_dispatcher_v1_Task, Task__Output as _shoal_dispatcher_v1_Task__Output } from '../../../shoal/dispatcher/v1/Task.js';
import type { TaskNode as _shoal_control_v1_TaskNode, TaskNode__Output as _shoal_control_v1_TaskNode__Output } from '../../../shoal/control/v1/TaskNode.js';
import type { TaskContainer as _shoal_access_v1_TaskContainer, TaskContainer__Output as _shoal_access_v1_TaskContainer__Output } from '../../../shoal/access/v1/TaskContainer.js';

export interface InspectTaskResponse {
  'task'?: (_shoal_dispatcher_v1_Task | null);
  'node'?: (_shoal_control_v1_TaskNode | null);
  'container'?: (_shoal_access_v1_TaskContainer | null);
  'containerError'?: (string);
}

export interface InspectTaskResponse__Output {
  'task': (_shoal_dispatcher_v1_Task__Output | null);
  'node': (_shoal_control_v1_TaskNode__Output | null);
  'container': (_shoal_access_v1_TaskContainer__Output | null);
  'containerError': (string);
}
