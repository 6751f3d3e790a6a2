// Original file: proto/dispatcher.proto

import type { Meta as _shoal_types_v1_Meta, Meta__Output as _shoal_types_v1_Meta__Output } from '../../../shoal/types/v1/Meta.js';
import type { ContainerSpec as _shoal_types_v1_ContainerSpec, ContainerSpec__Output as _shoal_types_v1_ContainerSpec__Output } from '../../../shoal/types/v1/ContainerSpec.js';
import type { TaskStatus as _shoal_dispatcher_v1_TaskStatus, TaskStatus__Output as _shoal_dispatcher_v1_TaskStatus__Output } from '../../../shoal/dispatcher/v1/TaskStatus.js';
import type { NetworkAttachment as _shoal_types_v1_NetworkAttachment, NetworkAttachment__Output as _shoal_types_v1_NetworkAttachment__Output } from '../../../shoal/types/v1/NetworkAttachment.js';
import type { RestartPolicy as _shoal_dispatcher_v1_RestartPolicy, RestartPolicy__Output as _shoal_dispatcher_v1_RestartPolicy__Output } from '../../../shoal/dispatcher/v1/RestartPolicy.js';
import type { Long } from '@grpc/proto-loader';

export interface Task {
  'id'?: (string);
  'meta'?: (_shoal_types_v1_Meta | null);
  'serviceId'?: (string);
  'slot'?: (number);
  'nodeId'?: (string);
  'name'?: (string);
  'spec'?: (_shoal_types_v1_ContainerSpec | null);
  'desiredState'?: (string);
  'status'?: (_shoal_dispatcher_v1_TaskStatus | null);
  'networks'?: (_shoal_types_v1_NetworkAttachment)[];
  'restart'?: (_shoal_dispatcher_v1_RestartPolicy | null);
  'stopOnDisconnectMs'?: (number | string | Long);
}

export interface Task__Output {
  'id': (string);
  'meta': (_shoal_types_v1_Meta__Output | null);
  'serviceId': (string);
  'slot': (number);
  'nodeId': (string);
  'name': (string);
  'spec': (_shoal_types_v1_ContainerSpec__Output | null);
  'desiredState': (string);
  'status': (_shoal_dispatcher_v1_TaskStatus__Output | null);
  'networks': (_shoal_types_v1_NetworkAttachment__Output)[];
  'restart': (_shoal_dispatcher_v1_RestartPolicy__Output | null);
  'stopOnDisconnectMs': (number);
}
