import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { TaskAccessClient as _shoal_access_v1_TaskAccessClient, TaskAccessDefinition as _shoal_access_v1_TaskAccessDefinition } from './shoal/access/v1/TaskAccess.js';
import type { TaskContainer as _shoal_access_v1_TaskContainer, TaskContainer__Output as _shoal_access_v1_TaskContainer__Output } from './shoal/access/v1/TaskContainer.js';
import type { TaskExecRequest as _shoal_access_v1_TaskExecRequest, TaskExecRequest__Output as _shoal_access_v1_TaskExecRequest__Output } from './shoal/access/v1/TaskExecRequest.js';
import type { TaskExecResponse as _shoal_access_v1_TaskExecResponse, TaskExecResponse__Output as _shoal_access_v1_TaskExecResponse__Output } from './shoal/access/v1/TaskExecResponse.js';
import type { TaskLogLine as _shoal_access_v1_TaskLogLine, TaskLogLine__Output as _shoal_access_v1_TaskLogLine__Output } from './shoal/access/v1/TaskLogLine.js';
import type { TaskLogsRequest as _shoal_access_v1_TaskLogsRequest, TaskLogsRequest__Output as _shoal_access_v1_TaskLogsRequest__Output } from './shoal/access/v1/TaskLogsRequest.js';
import type { TaskRef as _shoal_access_v1_TaskRef, TaskRef__Output as _shoal_access_v1_TaskRef__Output } from './shoal/access/v1/TaskRef.js';
import type { Cluster as _shoal_control_v1_Cluster, Cluster__Output as _shoal_control_v1_Cluster__Output } from './shoal/control/v1/Cluster.js';
import type { ControlClient as _shoal_control_v1_ControlClient, ControlDefinition as _shoal_control_v1_ControlDefinition } from './shoal/control/v1/Control.js';
import type { CreateNetworkRequest as _shoal_control_v1_CreateNetworkRequest, CreateNetworkRequest__Output as _shoal_control_v1_CreateNetworkRequest__Output } from './shoal/control/v1/CreateNetworkRequest.js';
import type { CreateServiceRequest as _shoal_control_v1_CreateServiceRequest, CreateServiceRequest__Output as _shoal_control_v1_CreateServiceRequest__Output } from './shoal/control/v1/CreateServiceRequest.js';
import type { Empty as _shoal_control_v1_Empty, Empty__Output as _shoal_control_v1_Empty__Output } from './shoal/control/v1/Empty.js';
import type { IdRequest as _shoal_control_v1_IdRequest, IdRequest__Output as _shoal_control_v1_IdRequest__Output } from './shoal/control/v1/IdRequest.js';
import type { InspectTaskResponse as _shoal_control_v1_InspectTaskResponse, InspectTaskResponse__Output as _shoal_control_v1_InspectTaskResponse__Output } from './shoal/control/v1/InspectTaskResponse.js';
import type { ListNetworksResponse as _shoal_control_v1_ListNetworksResponse, ListNetworksResponse__Output as _shoal_control_v1_ListNetworksResponse__Output } from './shoal/control/v1/ListNetworksResponse.js';
import type { ListNodesResponse as _shoal_control_v1_ListNodesResponse, ListNodesResponse__Output as _shoal_control_v1_ListNodesResponse__Output } from './shoal/control/v1/ListNodesResponse.js';
import type { ListServicesResponse as _shoal_control_v1_ListServicesResponse, ListServicesResponse__Output as _shoal_control_v1_ListServicesResponse__Output } from './shoal/control/v1/ListServicesResponse.js';
import type { ListTasksRequest as _shoal_control_v1_ListTasksRequest, ListTasksRequest__Output as _shoal_control_v1_ListTasksRequest__Output } from './shoal/control/v1/ListTasksRequest.js';
import type { ListTasksResponse as _shoal_control_v1_ListTasksResponse, ListTasksResponse__Output as _shoal_control_v1_ListTasksResponse__Output } from './shoal/control/v1/ListTasksResponse.js';
import type { Network as _shoal_control_v1_Network, Network__Output as _shoal_control_v1_Network__Output } from './shoal/control/v1/Network.js';
import type { NetworkSpec as _shoal_control_v1_NetworkSpec, NetworkSpec__Output as _shoal_control_v1_NetworkSpec__Output } from './shoal/control/v1/NetworkSpec.js';
import type { Node as _shoal_control_v1_Node, Node__Output as _shoal_control_v1_Node__Output } from './shoal/control/v1/Node.js';
import type { RemoveNodeRequest as _shoal_control_v1_RemoveNodeRequest, RemoveNodeRequest__Output as _shoal_control_v1_RemoveNodeRequest__Output } from './shoal/control/v1/RemoveNodeRequest.js';
import type { RemoveTaskRequest as _shoal_control_v1_RemoveTaskRequest, RemoveTaskRequest__Output as _shoal_control_v1_RemoveTaskRequest__Output } from './shoal/control/v1/RemoveTaskRequest.js';
import type { RotateJoinTokenRequest as _shoal_control_v1_RotateJoinTokenRequest, RotateJoinTokenRequest__Output as _shoal_control_v1_RotateJoinTokenRequest__Output } from './shoal/control/v1/RotateJoinTokenRequest.js';
import type { RunContainerRequest as _shoal_control_v1_RunContainerRequest, RunContainerRequest__Output as _shoal_control_v1_RunContainerRequest__Output } from './shoal/control/v1/RunContainerRequest.js';
import type { Service as _shoal_control_v1_Service, Service__Output as _shoal_control_v1_Service__Output } from './shoal/control/v1/Service.js';
import type { ServiceSpec as _shoal_control_v1_ServiceSpec, ServiceSpec__Output as _shoal_control_v1_ServiceSpec__Output } from './shoal/control/v1/ServiceSpec.js';
import type { StartTaskRequest as _shoal_control_v1_StartTaskRequest, StartTaskRequest__Output as _shoal_control_v1_StartTaskRequest__Output } from './shoal/control/v1/StartTaskRequest.js';
import type { StopTaskRequest as _shoal_control_v1_StopTaskRequest, StopTaskRequest__Output as _shoal_control_v1_StopTaskRequest__Output } from './shoal/control/v1/StopTaskRequest.js';
import type { TaskExecRequest as _shoal_control_v1_TaskExecRequest, TaskExecRequest__Output as _shoal_control_v1_TaskExecRequest__Output } from './shoal/control/v1/TaskExecRequest.js';
import type { TaskLogsRequest as _shoal_control_v1_TaskLogsRequest, TaskLogsRequest__Output as _shoal_control_v1_TaskLogsRequest__Output } from './shoal/control/v1/TaskLogsRequest.js';
import type { TaskNode as _shoal_control_v1_TaskNode, TaskNode__Output as _shoal_control_v1_TaskNode__Output } from './shoal/control/v1/TaskNode.js';
import type { UpdateClusterRequest as _shoal_control_v1_UpdateClusterRequest, UpdateClusterRequest__Output as _shoal_control_v1_UpdateClusterRequest__Output } from './shoal/control/v1/UpdateClusterRequest.js';
import type { UpdateNodeRequest as _shoal_control_v1_UpdateNodeRequest, UpdateNodeRequest__Output as _shoal_control_v1_UpdateNodeRequest__Output } from './shoal/control/v1/UpdateNodeRequest.js';
import type { UpdateServiceRequest as _shoal_control_v1_UpdateServiceRequest, UpdateServiceRequest__Output as _shoal_control_v1_UpdateServiceRequest__Output } from './shoal/control/v1/UpdateServiceRequest.js';
import type { WatchEvent as _shoal_control_v1_WatchEvent, WatchEvent__Output as _shoal_control_v1_WatchEvent__Output } from './shoal/control/v1/WatchEvent.js';
import type { WatchRequest as _shoal_control_v1_WatchRequest, WatchRequest__Output as _shoal_control_v1_WatchRequest__Output } from './shoal/control/v1/WatchRequest.js';
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
    access: {
      v1: {
        TaskAccess: SubtypeConstructor<typeof grpc.Client, _shoal_access_v1_TaskAccessClient> & { service: _shoal_access_v1_TaskAccessDefinition }
        TaskContainer: MessageTypeDefinition<_shoal_access_v1_TaskContainer, _shoal_access_v1_TaskContainer__Output>
        TaskExecRequest: MessageTypeDefinition<_shoal_access_v1_TaskExecRequest, _shoal_access_v1_TaskExecRequest__Output>
        TaskExecResponse: MessageTypeDefinition<_shoal_access_v1_TaskExecResponse, _shoal_access_v1_TaskExecResponse__Output>
        TaskLogLine: MessageTypeDefinition<_shoal_access_v1_TaskLogLine, _shoal_access_v1_TaskLogLine__Output>
        TaskLogsRequest: MessageTypeDefinition<_shoal_access_v1_TaskLogsRequest, _shoal_access_v1_TaskLogsRequest__Output>
        TaskRef: MessageTypeDefinition<_shoal_access_v1_TaskRef, _shoal_access_v1_TaskRef__Output>
      }
    }
    control: {
      v1: {
        Cluster: MessageTypeDefinition<_shoal_control_v1_Cluster, _shoal_control_v1_Cluster__Output>
        Control: SubtypeConstructor<typeof grpc.Client, _shoal_control_v1_ControlClient> & { service: _shoal_control_v1_ControlDefinition }
        CreateNetworkRequest: MessageTypeDefinition<_shoal_control_v1_CreateNetworkRequest, _shoal_control_v1_CreateNetworkRequest__Output>
        CreateServiceRequest: MessageTypeDefinition<_shoal_control_v1_CreateServiceRequest, _shoal_control_v1_CreateServiceRequest__Output>
        Empty: MessageTypeDefinition<_shoal_control_v1_Empty, _shoal_control_v1_Empty__Output>
        IdRequest: MessageTypeDefinition<_shoal_control_v1_IdRequest, _shoal_control_v1_IdRequest__Output>
        InspectTaskResponse: MessageTypeDefinition<_shoal_control_v1_InspectTaskResponse, _shoal_control_v1_InspectTaskResponse__Output>
        ListNetworksResponse: MessageTypeDefinition<_shoal_control_v1_ListNetworksResponse, _shoal_control_v1_ListNetworksResponse__Output>
        ListNodesResponse: MessageTypeDefinition<_shoal_control_v1_ListNodesResponse, _shoal_control_v1_ListNodesResponse__Output>
        ListServicesResponse: MessageTypeDefinition<_shoal_control_v1_ListServicesResponse, _shoal_control_v1_ListServicesResponse__Output>
        ListTasksRequest: MessageTypeDefinition<_shoal_control_v1_ListTasksRequest, _shoal_control_v1_ListTasksRequest__Output>
        ListTasksResponse: MessageTypeDefinition<_shoal_control_v1_ListTasksResponse, _shoal_control_v1_ListTasksResponse__Output>
        Network: MessageTypeDefinition<_shoal_control_v1_Network, _shoal_control_v1_Network__Output>
        NetworkSpec: MessageTypeDefinition<_shoal_control_v1_NetworkSpec, _shoal_control_v1_NetworkSpec__Output>
        Node: MessageTypeDefinition<_shoal_control_v1_Node, _shoal_control_v1_Node__Output>
        RemoveNodeRequest: MessageTypeDefinition<_shoal_control_v1_RemoveNodeRequest, _shoal_control_v1_RemoveNodeRequest__Output>
        RemoveTaskRequest: MessageTypeDefinition<_shoal_control_v1_RemoveTaskRequest, _shoal_control_v1_RemoveTaskRequest__Output>
        RotateJoinTokenRequest: MessageTypeDefinition<_shoal_control_v1_RotateJoinTokenRequest, _shoal_control_v1_RotateJoinTokenRequest__Output>
        RunContainerRequest: MessageTypeDefinition<_shoal_control_v1_RunContainerRequest, _shoal_control_v1_RunContainerRequest__Output>
        Service: MessageTypeDefinition<_shoal_control_v1_Service, _shoal_control_v1_Service__Output>
        ServiceSpec: MessageTypeDefinition<_shoal_control_v1_ServiceSpec, _shoal_control_v1_ServiceSpec__Output>
        StartTaskRequest: MessageTypeDefinition<_shoal_control_v1_StartTaskRequest, _shoal_control_v1_StartTaskRequest__Output>
        StopTaskRequest: MessageTypeDefinition<_shoal_control_v1_StopTaskRequest, _shoal_control_v1_StopTaskRequest__Output>
        TaskExecRequest: MessageTypeDefinition<_shoal_control_v1_TaskExecRequest, _shoal_control_v1_TaskExecRequest__Output>
        TaskLogsRequest: MessageTypeDefinition<_shoal_control_v1_TaskLogsRequest, _shoal_control_v1_TaskLogsRequest__Output>
        TaskNode: MessageTypeDefinition<_shoal_control_v1_TaskNode, _shoal_control_v1_TaskNode__Output>
        UpdateClusterRequest: MessageTypeDefinition<_shoal_control_v1_UpdateClusterRequest, _shoal_control_v1_UpdateClusterRequest__Output>
        UpdateNodeRequest: MessageTypeDefinition<_shoal_control_v1_UpdateNodeRequest, _shoal_control_v1_UpdateNodeRequest__Output>
        UpdateServiceRequest: MessageTypeDefinition<_shoal_control_v1_UpdateServiceRequest, _shoal_control_v1_UpdateServiceRequest__Output>
        WatchEvent: MessageTypeDefinition<_shoal_control_v1_WatchEvent, _shoal_control_v1_WatchEvent__Output>
        WatchRequest: MessageTypeDefinition<_shoal_control_v1_WatchRequest, _shoal_control_v1_WatchRequest__Output>
      }
    }
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

