// Original file: proto/control.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Cluster as _shoal_control_v1_Cluster, Cluster__Output as _shoal_control_v1_Cluster__Output } from '../../../shoal/control/v1/Cluster.js';
import type { CreateNetworkRequest as _shoal_control_v1_CreateNetworkRequest, CreateNetworkRequest__Output as _shoal_control_v1_CreateNetworkRequest__Output } from '../../../shoal/control/v1/CreateNetworkRequest.js';
import type { CreateServiceRequest as _shoal_control_v1_CreateServiceRequest, CreateServiceRequest__Output as _shoal_control_v1_CreateServiceRequest__Output } from '../../../shoal/control/v1/CreateServiceRequest.js';
import type { Empty as _shoal_control_v1_Empty, Empty__Output as _shoal_control_v1_Empty__Output } from '../../../shoal/control/v1/Empty.js';
import type { IdRequest as _shoal_control_v1_IdRequest, IdRequest__Output as _shoal_control_v1_IdRequest__Output } from '../../../shoal/control/v1/IdRequest.js';
import type { InspectTaskResponse as _shoal_control_v1_InspectTaskResponse, InspectTaskResponse__Output as _shoal_control_v1_InspectTaskResponse__Output } from '../../../shoal/control/v1/InspectTaskResponse.js';
import type { ListNetworksResponse as _shoal_control_v1_ListNetworksResponse, ListNetworksResponse__Output as _shoal_control_v1_ListNetworksResponse__Output } from '../../../shoal/control/v1/ListNetworksResponse.js';
import type { ListNodesResponse as _shoal_control_v1_ListNodesResponse, ListNodesResponse__Output as _shoal_control_v1_ListNodesResponse__Output } from '../../../shoal/control/v1/ListNodesResponse.js';
import type { ListServicesResponse as _shoal_control_v1_ListServicesResponse, ListServicesResponse__Output as _shoal_control_v1_ListServicesResponse__Output } from '../../../shoal/control/v1/ListServicesResponse.js';
import type { ListTasksRequest as _shoal_control_v1_ListTasksRequest, ListTasksRequest__Output as _shoal_control_v1_ListTasksRequest__Output } from '../../../shoal/control/v1/ListTasksRequest.js';
import type { ListTasksResponse as _shoal_control_v1_ListTasksResponse, ListTasksResponse__Output as _shoal_control_v1_ListTasksResponse__Output } from '../../../shoal/control/v1/ListTasksResponse.js';
import type { Network as _shoal_control_v1_Network, Network__Output as _shoal_control_v1_Network__Output } from '../../../shoal/control/v1/Network.js';
import type { Node as _shoal_control_v1_Node, Node__Output as _shoal_control_v1_Node__Output } from '../../../shoal/control/v1/Node.js';
import type { RemoveNodeRequest as _shoal_control_v1_RemoveNodeRequest, RemoveNodeRequest__Output as _shoal_control_v1_RemoveNodeRequest__Output } from '../../../shoal/control/v1/RemoveNodeRequest.js';
import type { RemoveTaskRequest as _shoal_control_v1_RemoveTaskRequest, RemoveTaskRequest__Output as _shoal_control_v1_RemoveTaskRequest__Output } from '../../../shoal/control/v1/RemoveTaskRequest.js';
import type { RotateJoinTokenRequest as _shoal_control_v1_RotateJoinTokenRequest, RotateJoinTokenRequest__Output as _shoal_control_v1_RotateJoinTokenRequest__Output } from '../../../shoal/control/v1/RotateJoinTokenRequest.js';
import type { RunContainerRequest as _shoal_control_v1_RunContainerRequest, RunContainerRequest__Output as _shoal_control_v1_RunContainerRequest__Output } from '../../../shoal/control/v1/RunContainerRequest.js';
import type { Service as _shoal_control_v1_Service, Service__Output as _shoal_control_v1_Service__Output } from '../../../shoal/control/v1/Service.js';
import type { StartTaskRequest as _shoal_control_v1_StartTaskRequest, StartTaskRequest__Output as _shoal_control_v1_StartTaskRequest__Output } from '../../../shoal/control/v1/StartTaskRequest.js';
import type { StopTaskRequest as _shoal_control_v1_StopTaskRequest, StopTaskRequest__Output as _shoal_control_v1_StopTaskRequest__Output } from '../../../shoal/control/v1/StopTaskRequest.js';
import type { Task as _shoal_dispatcher_v1_Task, Task__Output as _shoal_dispatcher_v1_Task__Output } from '../../../shoal/dispatcher/v1/Task.js';
import type { TaskExecRequest as _shoal_control_v1_TaskExecRequest, TaskExecRequest__Output as _shoal_control_v1_TaskExecRequest__Output } from '../../../shoal/control/v1/TaskExecRequest.js';
import type { TaskExecResponse as _shoal_access_v1_TaskExecResponse, TaskExecResponse__Output as _shoal_access_v1_TaskExecResponse__Output } from '../../../shoal/access/v1/TaskExecResponse.js';
import type { TaskLogLine as _shoal_access_v1_TaskLogLine, TaskLogLine__Output as _shoal_access_v1_TaskLogLine__Output } from '../../../shoal/access/v1/TaskLogLine.js';
import type { TaskLogsRequest as _shoal_control_v1_TaskLogsRequest, TaskLogsRequest__Output as _shoal_control_v1_TaskLogsRequest__Output } from '../../../shoal/control/v1/TaskLogsRequest.js';
import type { UpdateClusterRequest as _shoal_control_v1_UpdateClusterRequest, UpdateClusterRequest__Output as _shoal_control_v1_UpdateClusterRequest__Output } from '../../../shoal/control/v1/UpdateClusterRequest.js';
import type { UpdateNodeRequest as _shoal_control_v1_UpdateNodeRequest, UpdateNodeRequest__Output as _shoal_control_v1_UpdateNodeRequest__Output } from '../../../shoal/control/v1/UpdateNodeRequest.js';
import type { UpdateServiceRequest as _shoal_control_v1_UpdateServiceRequest, UpdateServiceRequest__Output as _shoal_control_v1_UpdateServiceRequest__Output } from '../../../shoal/control/v1/UpdateServiceRequest.js';
import type { WatchEvent as _shoal_control_v1_WatchEvent, WatchEvent__Output as _shoal_control_v1_WatchEvent__Output } from '../../../shoal/control/v1/WatchEvent.js';
import type { WatchRequest as _shoal_control_v1_WatchRequest, WatchRequest__Output as _shoal_control_v1_WatchRequest__Output } from '../../../shoal/control/v1/WatchRequest.js';

export interface ControlClient extends grpc.Client {
  CreateNetwork(argument: _shoal_control_v1_CreateNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Network__Output>): grpc.ClientUnaryCall;
  CreateNetwork(argument: _shoal_control_v1_CreateNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Network__Output>): grpc.ClientUnaryCall;
  CreateNetwork(argument: _shoal_control_v1_CreateNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Network__Output>): grpc.ClientUnaryCall;
  CreateNetwork(argument: _shoal_control_v1_CreateNetworkRequest, callback: grpc.requestCallback<_shoal_control_v1_Network__Output>): grpc.ClientUnaryCall;
  createNetwork(argument: _shoal_control_v1_CreateNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Network__Output>): grpc.ClientUnaryCall;
  createNetwork(argument: _shoal_control_v1_CreateNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Network__Output>): grpc.ClientUnaryCall;
  createNetwork(argument: _shoal_control_v1_CreateNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Network__Output>): grpc.ClientUnaryCall;
  createNetwork(argument: _shoal_control_v1_CreateNetworkRequest, callback: grpc.requestCallback<_shoal_control_v1_Network__Output>): grpc.ClientUnaryCall;
  
  CreateService(argument: _shoal_control_v1_CreateServiceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  CreateService(argument: _shoal_control_v1_CreateServiceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  CreateService(argument: _shoal_control_v1_CreateServiceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  CreateService(argument: _shoal_control_v1_CreateServiceRequest, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  createService(argument: _shoal_control_v1_CreateServiceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  createService(argument: _shoal_control_v1_CreateServiceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  createService(argument: _shoal_control_v1_CreateServiceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  createService(argument: _shoal_control_v1_CreateServiceRequest, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  
  GetCluster(argument: _shoal_control_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  GetCluster(argument: _shoal_control_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  GetCluster(argument: _shoal_control_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  GetCluster(argument: _shoal_control_v1_Empty, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  getCluster(argument: _shoal_control_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  getCluster(argument: _shoal_control_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  getCluster(argument: _shoal_control_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  getCluster(argument: _shoal_control_v1_Empty, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  
  GetNode(argument: _shoal_control_v1_IdRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Node__Output>): grpc.ClientUnaryCall;
  GetNode(argument: _shoal_control_v1_IdRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Node__Output>): grpc.ClientUnaryCall;
  GetNode(argument: _shoal_control_v1_IdRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Node__Output>): grpc.ClientUnaryCall;
  GetNode(argument: _shoal_control_v1_IdRequest, callback: grpc.requestCallback<_shoal_control_v1_Node__Output>): grpc.ClientUnaryCall;
  getNode(argument: _shoal_control_v1_IdRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Node__Output>): grpc.ClientUnaryCall;
  getNode(argument: _shoal_control_v1_IdRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Node__Output>): grpc.ClientUnaryCall;
  getNode(argument: _shoal_control_v1_IdRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Node__Output>): grpc.ClientUnaryCall;
  getNode(argument: _shoal_control_v1_IdRequest, callback: grpc.requestCallback<_shoal_control_v1_Node__Output>): grpc.ClientUnaryCall;
  
  GetService(argument: _shoal_control_v1_IdRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  GetService(argument: _shoal_control_v1_IdRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  GetService(argument: _shoal_control_v1_IdRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  GetService(argument: _shoal_control_v1_IdRequest, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  getService(argument: _shoal_control_v1_IdRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  getService(argument: _shoal_control_v1_IdRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  getService(argument: _shoal_control_v1_IdRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  getService(argument: _shoal_control_v1_IdRequest, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  
  InspectTask(argument: _shoal_control_v1_IdRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_InspectTaskResponse__Output>): grpc.ClientUnaryCall;
  InspectTask(argument: _shoal_control_v1_IdRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_InspectTaskResponse__Output>): grpc.ClientUnaryCall;
  InspectTask(argument: _shoal_control_v1_IdRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_InspectTaskResponse__Output>): grpc.ClientUnaryCall;
  InspectTask(argument: _shoal_control_v1_IdRequest, callback: grpc.requestCallback<_shoal_control_v1_InspectTaskResponse__Output>): grpc.ClientUnaryCall;
  inspectTask(argument: _shoal_control_v1_IdRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_InspectTaskResponse__Output>): grpc.ClientUnaryCall;
  inspectTask(argument: _shoal_control_v1_IdRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_InspectTaskResponse__Output>): grpc.ClientUnaryCall;
  inspectTask(argument: _shoal_control_v1_IdRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_InspectTaskResponse__Output>): grpc.ClientUnaryCall;
  inspectTask(argument: _shoal_control_v1_IdRequest, callback: grpc.requestCallback<_shoal_control_v1_InspectTaskResponse__Output>): grpc.ClientUnaryCall;
  
  ListNetworks(argument: _shoal_control_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  ListNetworks(argument: _shoal_control_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  ListNetworks(argument: _shoal_control_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  ListNetworks(argument: _shoal_control_v1_Empty, callback: grpc.requestCallback<_shoal_control_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  listNetworks(argument: _shoal_control_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  listNetworks(argument: _shoal_control_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  listNetworks(argument: _shoal_control_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  listNetworks(argument: _shoal_control_v1_Empty, callback: grpc.requestCallback<_shoal_control_v1_ListNetworksResponse__Output>): grpc.ClientUnaryCall;
  
  ListNodes(argument: _shoal_control_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  ListNodes(argument: _shoal_control_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  ListNodes(argument: _shoal_control_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  ListNodes(argument: _shoal_control_v1_Empty, callback: grpc.requestCallback<_shoal_control_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  listNodes(argument: _shoal_control_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  listNodes(argument: _shoal_control_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  listNodes(argument: _shoal_control_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  listNodes(argument: _shoal_control_v1_Empty, callback: grpc.requestCallback<_shoal_control_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  
  ListServices(argument: _shoal_control_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_ListServicesResponse__Output>): grpc.ClientUnaryCall;
  ListServices(argument: _shoal_control_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_ListServicesResponse__Output>): grpc.ClientUnaryCall;
  ListServices(argument: _shoal_control_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_ListServicesResponse__Output>): grpc.ClientUnaryCall;
  ListServices(argument: _shoal_control_v1_Empty, callback: grpc.requestCallback<_shoal_control_v1_ListServicesResponse__Output>): grpc.ClientUnaryCall;
  listServices(argument: _shoal_control_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_ListServicesResponse__Output>): grpc.ClientUnaryCall;
  listServices(argument: _shoal_control_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_ListServicesResponse__Output>): grpc.ClientUnaryCall;
  listServices(argument: _shoal_control_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_ListServicesResponse__Output>): grpc.ClientUnaryCall;
  listServices(argument: _shoal_control_v1_Empty, callback: grpc.requestCallback<_shoal_control_v1_ListServicesResponse__Output>): grpc.ClientUnaryCall;
  
  ListTasks(argument: _shoal_control_v1_ListTasksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  ListTasks(argument: _shoal_control_v1_ListTasksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  ListTasks(argument: _shoal_control_v1_ListTasksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  ListTasks(argument: _shoal_control_v1_ListTasksRequest, callback: grpc.requestCallback<_shoal_control_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  listTasks(argument: _shoal_control_v1_ListTasksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  listTasks(argument: _shoal_control_v1_ListTasksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  listTasks(argument: _shoal_control_v1_ListTasksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  listTasks(argument: _shoal_control_v1_ListTasksRequest, callback: grpc.requestCallback<_shoal_control_v1_ListTasksResponse__Output>): grpc.ClientUnaryCall;
  
  RemoveNetwork(argument: _shoal_control_v1_IdRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  RemoveNetwork(argument: _shoal_control_v1_IdRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  RemoveNetwork(argument: _shoal_control_v1_IdRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  RemoveNetwork(argument: _shoal_control_v1_IdRequest, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  removeNetwork(argument: _shoal_control_v1_IdRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  removeNetwork(argument: _shoal_control_v1_IdRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  removeNetwork(argument: _shoal_control_v1_IdRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  removeNetwork(argument: _shoal_control_v1_IdRequest, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  RemoveNode(argument: _shoal_control_v1_RemoveNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  RemoveNode(argument: _shoal_control_v1_RemoveNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  RemoveNode(argument: _shoal_control_v1_RemoveNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  RemoveNode(argument: _shoal_control_v1_RemoveNodeRequest, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  removeNode(argument: _shoal_control_v1_RemoveNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  removeNode(argument: _shoal_control_v1_RemoveNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  removeNode(argument: _shoal_control_v1_RemoveNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  removeNode(argument: _shoal_control_v1_RemoveNodeRequest, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  RemoveService(argument: _shoal_control_v1_IdRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  RemoveService(argument: _shoal_control_v1_IdRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  RemoveService(argument: _shoal_control_v1_IdRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  RemoveService(argument: _shoal_control_v1_IdRequest, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  removeService(argument: _shoal_control_v1_IdRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  removeService(argument: _shoal_control_v1_IdRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  removeService(argument: _shoal_control_v1_IdRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  removeService(argument: _shoal_control_v1_IdRequest, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  RemoveTask(argument: _shoal_control_v1_RemoveTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  RemoveTask(argument: _shoal_control_v1_RemoveTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  RemoveTask(argument: _shoal_control_v1_RemoveTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  RemoveTask(argument: _shoal_control_v1_RemoveTaskRequest, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  removeTask(argument: _shoal_control_v1_RemoveTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  removeTask(argument: _shoal_control_v1_RemoveTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  removeTask(argument: _shoal_control_v1_RemoveTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  removeTask(argument: _shoal_control_v1_RemoveTaskRequest, callback: grpc.requestCallback<_shoal_control_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  RotateJoinToken(argument: _shoal_control_v1_RotateJoinTokenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  RotateJoinToken(argument: _shoal_control_v1_RotateJoinTokenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  RotateJoinToken(argument: _shoal_control_v1_RotateJoinTokenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  RotateJoinToken(argument: _shoal_control_v1_RotateJoinTokenRequest, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  rotateJoinToken(argument: _shoal_control_v1_RotateJoinTokenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  rotateJoinToken(argument: _shoal_control_v1_RotateJoinTokenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  rotateJoinToken(argument: _shoal_control_v1_RotateJoinTokenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  rotateJoinToken(argument: _shoal_control_v1_RotateJoinTokenRequest, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  
  RunContainer(argument: _shoal_control_v1_RunContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  RunContainer(argument: _shoal_control_v1_RunContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  RunContainer(argument: _shoal_control_v1_RunContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  RunContainer(argument: _shoal_control_v1_RunContainerRequest, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  runContainer(argument: _shoal_control_v1_RunContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  runContainer(argument: _shoal_control_v1_RunContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  runContainer(argument: _shoal_control_v1_RunContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  runContainer(argument: _shoal_control_v1_RunContainerRequest, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  
  StartTask(argument: _shoal_control_v1_StartTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  StartTask(argument: _shoal_control_v1_StartTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  StartTask(argument: _shoal_control_v1_StartTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  StartTask(argument: _shoal_control_v1_StartTaskRequest, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  startTask(argument: _shoal_control_v1_StartTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  startTask(argument: _shoal_control_v1_StartTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  startTask(argument: _shoal_control_v1_StartTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  startTask(argument: _shoal_control_v1_StartTaskRequest, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  
  StopTask(argument: _shoal_control_v1_StopTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  StopTask(argument: _shoal_control_v1_StopTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  StopTask(argument: _shoal_control_v1_StopTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  StopTask(argument: _shoal_control_v1_StopTaskRequest, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  stopTask(argument: _shoal_control_v1_StopTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  stopTask(argument: _shoal_control_v1_StopTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  stopTask(argument: _shoal_control_v1_StopTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  stopTask(argument: _shoal_control_v1_StopTaskRequest, callback: grpc.requestCallback<_shoal_dispatcher_v1_Task__Output>): grpc.ClientUnaryCall;
  
  TaskExec(argument: _shoal_control_v1_TaskExecRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_access_v1_TaskExecResponse__Output>): grpc.ClientUnaryCall;
  TaskExec(argument: _shoal_control_v1_TaskExecRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_access_v1_TaskExecResponse__Output>): grpc.ClientUnaryCall;
  TaskExec(argument: _shoal_control_v1_TaskExecRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_access_v1_TaskExecResponse__Output>): grpc.ClientUnaryCall;
  TaskExec(argument: _shoal_control_v1_TaskExecRequest, callback: grpc.requestCallback<_shoal_access_v1_TaskExecResponse__Output>): grpc.ClientUnaryCall;
  taskExec(argument: _shoal_control_v1_TaskExecRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_access_v1_TaskExecResponse__Output>): grpc.ClientUnaryCall;
  taskExec(argument: _shoal_control_v1_TaskExecRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_access_v1_TaskExecResponse__Output>): grpc.ClientUnaryCall;
  taskExec(argument: _shoal_control_v1_TaskExecRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_access_v1_TaskExecResponse__Output>): grpc.ClientUnaryCall;
  taskExec(argument: _shoal_control_v1_TaskExecRequest, callback: grpc.requestCallback<_shoal_access_v1_TaskExecResponse__Output>): grpc.ClientUnaryCall;
  
  TaskLogs(argument: _shoal_control_v1_TaskLogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_access_v1_TaskLogLine__Output>;
  TaskLogs(argument: _shoal_control_v1_TaskLogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_access_v1_TaskLogLine__Output>;
  taskLogs(argument: _shoal_control_v1_TaskLogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_access_v1_TaskLogLine__Output>;
  taskLogs(argument: _shoal_control_v1_TaskLogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_access_v1_TaskLogLine__Output>;
  
  UpdateCluster(argument: _shoal_control_v1_UpdateClusterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  UpdateCluster(argument: _shoal_control_v1_UpdateClusterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  UpdateCluster(argument: _shoal_control_v1_UpdateClusterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  UpdateCluster(argument: _shoal_control_v1_UpdateClusterRequest, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  updateCluster(argument: _shoal_control_v1_UpdateClusterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  updateCluster(argument: _shoal_control_v1_UpdateClusterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  updateCluster(argument: _shoal_control_v1_UpdateClusterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  updateCluster(argument: _shoal_control_v1_UpdateClusterRequest, callback: grpc.requestCallback<_shoal_control_v1_Cluster__Output>): grpc.ClientUnaryCall;
  
  UpdateNode(argument: _shoal_control_v1_UpdateNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Node__Output>): grpc.ClientUnaryCall;
  UpdateNode(argument: _shoal_control_v1_UpdateNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Node__Output>): grpc.ClientUnaryCall;
  UpdateNode(argument: _shoal_control_v1_UpdateNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Node__Output>): grpc.ClientUnaryCall;
  UpdateNode(argument: _shoal_control_v1_UpdateNodeRequest, callback: grpc.requestCallback<_shoal_control_v1_Node__Output>): grpc.ClientUnaryCall;
  updateNode(argument: _shoal_control_v1_UpdateNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Node__Output>): grpc.ClientUnaryCall;
  updateNode(argument: _shoal_control_v1_UpdateNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Node__Output>): grpc.ClientUnaryCall;
  updateNode(argument: _shoal_control_v1_UpdateNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Node__Output>): grpc.ClientUnaryCall;
  updateNode(argument: _shoal_control_v1_UpdateNodeRequest, callback: grpc.requestCallback<_shoal_control_v1_Node__Output>): grpc.ClientUnaryCall;
  
  UpdateService(argument: _shoal_control_v1_UpdateServiceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  UpdateService(argument: _shoal_control_v1_UpdateServiceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  UpdateService(argument: _shoal_control_v1_UpdateServiceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  UpdateService(argument: _shoal_control_v1_UpdateServiceRequest, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  updateService(argument: _shoal_control_v1_UpdateServiceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  updateService(argument: _shoal_control_v1_UpdateServiceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  updateService(argument: _shoal_control_v1_UpdateServiceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  updateService(argument: _shoal_control_v1_UpdateServiceRequest, callback: grpc.requestCallback<_shoal_control_v1_Service__Output>): grpc.ClientUnaryCall;
  
  Watch(argument: _shoal_control_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_control_v1_WatchEvent__Output>;
  Watch(argument: _shoal_control_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_control_v1_WatchEvent__Output>;
  watch(argument: _shoal_control_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_control_v1_WatchEvent__Output>;
  watch(argument: _shoal_control_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_control_v1_WatchEvent__Output>;
  
}

export interface ControlHandlers extends grpc.UntypedServiceImplementation {
  CreateNetwork: grpc.handleUnaryCall<_shoal_control_v1_CreateNetworkRequest__Output, _shoal_control_v1_Network>;
  
  CreateService: grpc.handleUnaryCall<_shoal_control_v1_CreateServiceRequest__Output, _shoal_control_v1_Service>;
  
  GetCluster: grpc.handleUnaryCall<_shoal_control_v1_Empty__Output, _shoal_control_v1_Cluster>;
  
  GetNode: grpc.handleUnaryCall<_shoal_control_v1_IdRequest__Output, _shoal_control_v1_Node>;
  
  GetService: grpc.handleUnaryCall<_shoal_control_v1_IdRequest__Output, _shoal_control_v1_Service>;
  
  InspectTask: grpc.handleUnaryCall<_shoal_control_v1_IdRequest__Output, _shoal_control_v1_InspectTaskResponse>;
  
  ListNetworks: grpc.handleUnaryCall<_shoal_control_v1_Empty__Output, _shoal_control_v1_ListNetworksResponse>;
  
  ListNodes: grpc.handleUnaryCall<_shoal_control_v1_Empty__Output, _shoal_control_v1_ListNodesResponse>;
  
  ListServices: grpc.handleUnaryCall<_shoal_control_v1_Empty__Output, _shoal_control_v1_ListServicesResponse>;
  
  ListTasks: grpc.handleUnaryCall<_shoal_control_v1_ListTasksRequest__Output, _shoal_control_v1_ListTasksResponse>;
  
  RemoveNetwork: grpc.handleUnaryCall<_shoal_control_v1_IdRequest__Output, _shoal_control_v1_Empty>;
  
  RemoveNode: grpc.handleUnaryCall<_shoal_control_v1_RemoveNodeRequest__Output, _shoal_control_v1_Empty>;
  
  RemoveService: grpc.handleUnaryCall<_shoal_control_v1_IdRequest__Output, _shoal_control_v1_Empty>;
  
  RemoveTask: grpc.handleUnaryCall<_shoal_control_v1_RemoveTaskRequest__Output, _shoal_control_v1_Empty>;
  
  RotateJoinToken: grpc.handleUnaryCall<_shoal_control_v1_RotateJoinTokenRequest__Output, _shoal_control_v1_Cluster>;
  
  RunContainer: grpc.handleUnaryCall<_shoal_control_v1_RunContainerRequest__Output, _shoal_dispatcher_v1_Task>;
  
  StartTask: grpc.handleUnaryCall<_shoal_control_v1_StartTaskRequest__Output, _shoal_dispatcher_v1_Task>;
  
  StopTask: grpc.handleUnaryCall<_shoal_control_v1_StopTaskRequest__Output, _shoal_dispatcher_v1_Task>;
  
  TaskExec: grpc.handleUnaryCall<_shoal_control_v1_TaskExecRequest__Output, _shoal_access_v1_TaskExecResponse>;
  
  TaskLogs: grpc.handleServerStreamingCall<_shoal_control_v1_TaskLogsRequest__Output, _shoal_access_v1_TaskLogLine>;
  
  UpdateCluster: grpc.handleUnaryCall<_shoal_control_v1_UpdateClusterRequest__Output, _shoal_control_v1_Cluster>;
  
  UpdateNode: grpc.handleUnaryCall<_shoal_control_v1_UpdateNodeRequest__Output, _shoal_control_v1_Node>;
  
  UpdateService: grpc.handleUnaryCall<_shoal_control_v1_UpdateServiceRequest__Output, _shoal_control_v1_Service>;
  
  Watch: grpc.handleServerStreamingCall<_shoal_control_v1_WatchRequest__Output, _shoal_control_v1_WatchEvent>;
  
}

export interface ControlDefinition extends grpc.ServiceDefinition {
  CreateNetwork: MethodDefinition<_shoal_control_v1_CreateNetworkRequest, _shoal_control_v1_Network, _shoal_control_v1_CreateNetworkRequest__Output, _shoal_control_v1_Network__Output>
  CreateService: MethodDefinition<_shoal_control_v1_CreateServiceRequest, _shoal_control_v1_Service, _shoal_control_v1_CreateServiceRequest__Output, _shoal_control_v1_Service__Output>
  GetCluster: MethodDefinition<_shoal_control_v1_Empty, _shoal_control_v1_Cluster, _shoal_control_v1_Empty__Output, _shoal_control_v1_Cluster__Output>
  GetNode: MethodDefinition<_shoal_control_v1_IdRequest, _shoal_control_v1_Node, _shoal_control_v1_IdRequest__Output, _shoal_control_v1_Node__Output>
  GetService: MethodDefinition<_shoal_control_v1_IdRequest, _shoal_control_v1_Service, _shoal_control_v1_IdRequest__Output, _shoal_control_v1_Service__Output>
  InspectTask: MethodDefinition<_shoal_control_v1_IdRequest, _shoal_control_v1_InspectTaskResponse, _shoal_control_v1_IdRequest__Output, _shoal_control_v1_InspectTaskResponse__Output>
  ListNetworks: MethodDefinition<_shoal_control_v1_Empty, _shoal_control_v1_ListNetworksResponse, _shoal_control_v1_Empty__Output, _shoal_control_v1_ListNetworksResponse__Output>
  ListNodes: MethodDefinition<_shoal_control_v1_Empty, _shoal_control_v1_ListNodesResponse, _shoal_control_v1_Empty__Output, _shoal_control_v1_ListNodesResponse__Output>
  ListServices: MethodDefinition<_shoal_control_v1_Empty, _shoal_control_v1_ListServicesResponse, _shoal_control_v1_Empty__Output, _shoal_control_v1_ListServicesResponse__Output>
  ListTasks: MethodDefinition<_shoal_control_v1_ListTasksRequest, _shoal_control_v1_ListTasksResponse, _shoal_control_v1_ListTasksRequest__Output, _shoal_control_v1_ListTasksResponse__Output>
  RemoveNetwork: MethodDefinition<_shoal_control_v1_IdRequest, _shoal_control_v1_Empty, _shoal_control_v1_IdRequest__Output, _shoal_control_v1_Empty__Output>
  RemoveNode: MethodDefinition<_shoal_control_v1_RemoveNodeRequest, _shoal_control_v1_Empty, _shoal_control_v1_RemoveNodeRequest__Output, _shoal_control_v1_Empty__Output>
  RemoveService: MethodDefinition<_shoal_control_v1_IdRequest, _shoal_control_v1_Empty, _shoal_control_v1_IdRequest__Output, _shoal_control_v1_Empty__Output>
  RemoveTask: MethodDefinition<_shoal_control_v1_RemoveTaskRequest, _shoal_control_v1_Empty, _shoal_control_v1_RemoveTaskRequest__Output, _shoal_control_v1_Empty__Output>
  RotateJoinToken: MethodDefinition<_shoal_control_v1_RotateJoinTokenRequest, _shoal_control_v1_Cluster, _shoal_control_v1_RotateJoinTokenRequest__Output, _shoal_control_v1_Cluster__Output>
  RunContainer: MethodDefinition<_shoal_control_v1_RunContainerRequest, _shoal_dispatcher_v1_Task, _shoal_control_v1_RunContainerRequest__Output, _shoal_dispatcher_v1_Task__Output>
  StartTask: MethodDefinition<_shoal_control_v1_StartTaskRequest, _shoal_dispatcher_v1_Task, _shoal_control_v1_StartTaskRequest__Output, _shoal_dispatcher_v1_Task__Output>
  StopTask: MethodDefinition<_shoal_control_v1_StopTaskRequest, _shoal_dispatcher_v1_Task, _shoal_control_v1_StopTaskRequest__Output, _shoal_dispatcher_v1_Task__Output>
  TaskExec: MethodDefinition<_shoal_control_v1_TaskExecRequest, _shoal_access_v1_TaskExecResponse, _shoal_control_v1_TaskExecRequest__Output, _shoal_access_v1_TaskExecResponse__Output>
  TaskLogs: MethodDefinition<_shoal_control_v1_TaskLogsRequest, _shoal_access_v1_TaskLogLine, _shoal_control_v1_TaskLogsRequest__Output, _shoal_access_v1_TaskLogLine__Output>
  UpdateCluster: MethodDefinition<_shoal_control_v1_UpdateClusterRequest, _shoal_control_v1_Cluster, _shoal_control_v1_UpdateClusterRequest__Output, _shoal_control_v1_Cluster__Output>
  UpdateNode: MethodDefinition<_shoal_control_v1_UpdateNodeRequest, _shoal_control_v1_Node, _shoal_control_v1_UpdateNodeRequest__Output, _shoal_control_v1_Node__Output>
  UpdateService: MethodDefinition<_shoal_control_v1_UpdateServiceRequest, _shoal_control_v1_Service, _shoal_control_v1_UpdateServiceRequest__Output, _shoal_control_v1_Service__Output>
  Watch: MethodDefinition<_shoal_control_v1_WatchRequest, _shoal_control_v1_WatchEvent, _shoal_control_v1_WatchRequest__Output, _shoal_control_v1_WatchEvent__Output>
}
