import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AssignmentChange as _shoal_dispatcher_v1_AssignmentChange, AssignmentChange__Output as _shoal_dispatcher_v1_AssignmentChange__Output } from './shoal/dispatcher/v1/AssignmentChange.js';
import type { AssignmentsMessage as _shoal_dispatcher_v1_AssignmentsMessage, AssignmentsMessage__Output as _shoal_dispatcher_v1_AssignmentsMessage__Output } from './shoal/dispatcher/v1/AssignmentsMessage.js';
import type { AssignmentsRequest as _shoal_dispatcher_v1_AssignmentsRequest, AssignmentsRequest__Output as _shoal_dispatcher_v1_AssignmentsRequest__Output } from './shoal/dispatcher/v1/AssignmentsRequest.js';
import type { DispatcherClient as _shoal_dispatcher_v1_DispatcherClient, DispatcherDefinition as _shoal_dispatcher_v1_DispatcherDefinition } from './shoal/dispatcher/v1/Dispatcher.js';
import type { Endpoint as _shoal_dispatcher_v1_Endpoint, Endpoint__Output as _shoal_dispatcher_v1_Endpoint__Output } from './shoal/dispatcher/v1/Endpoint.js';
import type { HeartbeatRequest as _shoal_dispatcher_v1_HeartbeatRequest, HeartbeatRequest__Output as _shoal_dispatcher_v1_HeartbeatRequest__Output } from './shoal/dispatcher/v1/HeartbeatRequest.js';
import type { HeartbeatResponse as _shoal_dispatcher_v1_HeartbeatResponse, HeartbeatResponse__Output as _shoal_dispatcher_v1_HeartbeatResponse__Output } from './shoal/dispatcher/v1/HeartbeatResponse.js';
import type { ManagerPeer as _shoal_dispatcher_v1_ManagerPeer, ManagerPeer__Output as _shoal_dispatcher_v1_ManagerPeer__Output } from './shoal/dispatcher/v1/ManagerPeer.js';
import type { NetworkAssignment as _shoal_dispatcher_v1_NetworkAssignment, NetworkAssignment__Output as _shoal_dispatcher_v1_NetworkAssignment__Output } from './shoal/dispatcher/v1/NetworkAssignment.js';
import type { NodeDescription as _shoal_dispatcher_v1_NodeDescription, NodeDescription__Output as _shoal_dispatcher_v1_NodeDescription__Output } from './shoal/dispatcher/v1/NodeDescription.js';
import type { RestartPolicy as _shoal_dispatcher_v1_RestartPolicy, RestartPolicy__Output as _shoal_dispatcher_v1_RestartPolicy__Output } from './shoal/dispatcher/v1/RestartPolicy.js';
import type { SessionMessage as _shoal_dispatcher_v1_SessionMessage, SessionMessage__Output as _shoal_dispatcher_v1_SessionMessage__Output } from './shoal/dispatcher/v1/SessionMessage.js';
import type { SessionRequest as _shoal_dispatcher_v1_SessionRequest, SessionRequest__Output as _shoal_dispatcher_v1_SessionRequest__Output } from './shoal/dispatcher/v1/SessionRequest.js';
import type { Task as _shoal_dispatcher_v1_Task, Task__Output as _shoal_dispatcher_v1_Task__Output } from './shoal/dispatcher/v1/Task.js';
import type { TaskStatus as _shoal_dispatcher_v1_TaskStatus, TaskStatus__Output as _shoal_dispatcher_v1_TaskStatus__Output } from './shoal/dispatcher/v1/TaskStatus.js';
import type { TaskStatusUpdate as _shoal_dispatcher_v1_TaskStatusUpdate, TaskStatusUpdate__Output as _shoal_dispatcher_v1_TaskStatusUpdate__Output } from './shoal/dispatcher/v1/TaskStatusUpdate.js';
import type { UpdateTaskStatusRequest as _shoal_dispatcher_v1_UpdateTaskStatusRequest, UpdateTaskStatusRequest__Output as _shoal_dispatcher_v1_UpdateTaskStatusRequest__Output } from './shoal/dispatcher/v1/UpdateTaskStatusRequest.js';
import type { UpdateTaskStatusResponse as _shoal_dispatcher_v1_UpdateTaskStatusResponse, UpdateTaskStatusResponse__Output as _shoal_dispatcher_v1_UpdateTaskStatusResponse__Output } from './shoal/dispatcher/v1/UpdateTaskStatusResponse.js';
import type { ContainerSpec as _shoal_types_v1_ContainerSpec, ContainerSpec__Output as _shoal_types_v1_ContainerSpec__Output } from './shoal/types/v1/ContainerSpec.js';
import type { ExitStatus as _shoal_types_v1_ExitStatus, ExitStatus__Output as _shoal_types_v1_ExitStatus__Output } from './shoal/types/v1/ExitStatus.js';
import type { Meta as _shoal_types_v1_Meta, Meta__Output as _shoal_types_v1_Meta__Output } from './shoal/types/v1/Meta.js';
import type { Mount as _shoal_types_v1_Mount, Mount__Output as _shoal_types_v1_Mount__Output } from './shoal/types/v1/Mount.js';
import type { NetworkAttachment as _shoal_types_v1_NetworkAttachment, NetworkAttachment__Output as _shoal_types_v1_NetworkAttachment__Output } from './shoal/types/v1/NetworkAttachment.js';
import type { PortMapping as _shoal_types_v1_PortMapping, PortMapping__Output as _shoal_types_v1_PortMapping__Output } from './shoal/types/v1/PortMapping.js';
import type { Resources as _shoal_types_v1_Resources, Resources__Output as _shoal_types_v1_Resources__Output } from './shoal/types/v1/Resources.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  shoal: {
    dispatcher: {
      v1: {
        AssignmentChange: MessageTypeDefinition<_shoal_dispatcher_v1_AssignmentChange, _shoal_dispatcher_v1_AssignmentChange__Output>
        AssignmentsMessage: MessageTypeDefinition<_shoal_dispatcher_v1_AssignmentsMessage, _shoal_dispatcher_v1_AssignmentsMessage__Output>
        AssignmentsRequest: MessageTypeDefinition<_shoal_dispatcher_v1_AssignmentsRequest, _shoal_dispatcher_v1_AssignmentsRequest__Output>
        Dispatcher: SubtypeConstructor<typeof grpc.Client, _shoal_dispatcher_v1_DispatcherClient> & { service: _shoal_dispatcher_v1_DispatcherDefinition }
        Endpoint: MessageTypeDefinition<_shoal_dispatcher_v1_Endpoint, _shoal_dispatcher_v1_Endpoint__Output>
        HeartbeatRequest: MessageTypeDefinition<_shoal_dispatcher_v1_HeartbeatRequest, _shoal_dispatcher_v1_HeartbeatRequest__Output>
        HeartbeatResponse: MessageTypeDefinition<_shoal_dispatcher_v1_HeartbeatResponse, _shoal_dispatcher_v1_HeartbeatResponse__Output>
        ManagerPeer: MessageTypeDefinition<_shoal_dispatcher_v1_ManagerPeer, _shoal_dispatcher_v1_ManagerPeer__Output>
        NetworkAssignment: MessageTypeDefinition<_shoal_dispatcher_v1_NetworkAssignment, _shoal_dispatcher_v1_NetworkAssignment__Output>
        NodeDescription: MessageTypeDefinition<_shoal_dispatcher_v1_NodeDescription, _shoal_dispatcher_v1_NodeDescription__Output>
        RestartPolicy: MessageTypeDefinition<_shoal_dispatcher_v1_RestartPolicy, _shoal_dispatcher_v1_RestartPolicy__Output>
        SessionMessage: MessageTypeDefinition<_shoal_dispatcher_v1_SessionMessage, _shoal_dispatcher_v1_SessionMessage__Output>
        SessionRequest: MessageTypeDefinition<_shoal_dispatcher_v1_SessionRequest, _shoal_dispatcher_v1_SessionRequest__Output>
        Task: MessageTypeDefinition<_shoal_dispatcher_v1_Task, _shoal_dispatcher_v1_Task__Output>
        TaskStatus: MessageTypeDefinition<_shoal_dispatcher_v1_TaskStatus, _shoal_dispatcher_v1_TaskStatus__Output>
        TaskStatusUpdate: MessageTypeDefinition<_shoal_dispatcher_v1_TaskStatusUpdate, _shoal_dispatcher_v1_TaskStatusUpdate__Output>
        UpdateTaskStatusRequest: MessageTypeDefinition<_shoal_dispatcher_v1_UpdateTaskStatusRequest, _shoal_dispatcher_v1_UpdateTaskStatusRequest__Output>
        UpdateTaskStatusResponse: MessageTypeDefinition<_shoal_dispatcher_v1_UpdateTaskStatusResponse, _shoal_dispatcher_v1_UpdateTaskStatusResponse__Output>
      }
    }
    types: {
      v1: {
        ContainerSpec: MessageTypeDefinition<_shoal_types_v1_ContainerSpec, _shoal_types_v1_ContainerSpec__Output>
        ExitStatus: MessageTypeDefinition<_shoal_types_v1_ExitStatus, _shoal_types_v1_ExitStatus__Output>
        Meta: MessageTypeDefinition<_shoal_types_v1_Meta, _shoal_types_v1_Meta__Output>
        Mount: MessageTypeDefinition<_shoal_types_v1_Mount, _shoal_types_v1_Mount__Output>
        NetworkAttachment: MessageTypeDefinition<_shoal_types_v1_NetworkAttachment, _shoal_types_v1_NetworkAttachment__Output>
        PortMapping: MessageTypeDefinition<_shoal_types_v1_PortMapping, _shoal_types_v1_PortMapping__Output>
        Resources: MessageTypeDefinition<_shoal_types_v1_Resources, _shoal_types_v1_Resources__Output>
      }
    }
  }
}

