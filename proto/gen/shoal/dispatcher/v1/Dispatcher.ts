// Original file: proto/dispatcher.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AssignmentsMessage as _shoal_dispatcher_v1_AssignmentsMessage, AssignmentsMessage__Output as _shoal_dispatcher_v1_AssignmentsMessage__Output } from '../../../shoal/dispatcher/v1/AssignmentsMessage.js';
import type { AssignmentsRequest as _shoal_dispatcher_v1_AssignmentsRequest, AssignmentsRequest__Output as _shoal_dispatcher_v1_AssignmentsRequest__Output } from '../../../shoal/dispatcher/v1/AssignmentsRequest.js';
import type { HeartbeatRequest as _shoal_dispatcher_v1_HeartbeatRequest, HeartbeatRequest__Output as _shoal_dispatcher_v1_HeartbeatRequest__Output } from '../../../shoal/dispatcher/v1/HeartbeatRequest.js';
import type { HeartbeatResponse as _shoal_dispatcher_v1_HeartbeatResponse, HeartbeatResponse__Output as _shoal_dispatcher_v1_HeartbeatResponse__Output } from '../../../shoal/dispatcher/v1/HeartbeatResponse.js';
import type { SessionMessage as _shoal_dispatcher_v1_SessionMessage, SessionMessage__Output as _shoal_dispatcher_v1_SessionMessage__Output } from '../../../shoal/dispatcher/v1/SessionMessage.js';
import type { SessionRequest as _shoal_dispatcher_v1_SessionRequest, SessionRequest__Output as _shoal_dispatcher_v1_SessionRequest__Output } from '../../../shoal/dispatcher/v1/SessionRequest.js';
import type { UpdateTaskStatusRequest as _shoal_dispatcher_v1_UpdateTaskStatusRequest, UpdateTaskStatusRequest__Output as _shoal_dispatcher_v1_UpdateTaskStatusRequest__Output } from '../../../shoal/dispatcher/v1/UpdateTaskStatusRequest.js';
import type { UpdateTaskStatusResponse as _shoal_dispatcher_v1_UpdateTaskStatusResponse, UpdateTaskStatusResponse__Output as _shoal_dispatcher_v1_UpdateTaskStatusResponse__Output } from '../../../shoal/dispatcher/v1/UpdateTaskStatusResponse.js';

export interface DispatcherClient extends grpc.Client {
  Assignments(argument: _shoal_dispatcher_v1_AssignmentsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_dispatcher_v1_AssignmentsMessage__Output>;
  Assignments(argument: _shoal_dispatcher_v1_AssignmentsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_dispatcher_v1_AssignmentsMessage__Output>;
  assignments(argument: _shoal_dispatcher_v1_AssignmentsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_dispatcher_v1_AssignmentsMessage__Output>;
  assignments(argument: _shoal_dispatcher_v1_AssignmentsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_dispatcher_v1_AssignmentsMessage__Output>;
  
  Heartbeat(argument: _shoal_dispatcher_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_dispatcher_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _shoal_dispatcher_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_dispatcher_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _shoal_dispatcher_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_dispatcher_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _shoal_dispatcher_v1_HeartbeatRequest, callback: grpc.requestCallback<_shoal_dispatcher_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _shoal_dispatcher_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_dispatcher_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _shoal_dispatcher_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_dispatcher_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _shoal_dispatcher_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_dispatcher_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _shoal_dispatcher_v1_HeartbeatRequest, callback: grpc.requestCallback<_shoal_dispatcher_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  
  Session(argument: _shoal_dispatcher_v1_SessionRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_dispatcher_v1_SessionMessage__Output>;
  Session(argument: _shoal_dispatcher_v1_SessionRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_dispatcher_v1_SessionMessage__Output>;
  session(argument: _shoal_dispatcher_v1_SessionRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_dispatcher_v1_SessionMessage__Output>;
  session(argument: _shoal_dispatcher_v1_SessionRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_dispatcher_v1_SessionMessage__Output>;
  
  UpdateTaskStatus(argument: _shoal_dispatcher_v1_UpdateTaskStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_dispatcher_v1_UpdateTaskStatusResponse__Output>): grpc.ClientUnaryCall;
  UpdateTaskStatus(argument: _shoal_dispatcher_v1_UpdateTaskStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_dispatcher_v1_UpdateTaskStatusResponse__Output>): grpc.ClientUnaryCall;
  UpdateTaskStatus(argument: _shoal_dispatcher_v1_UpdateTaskStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_dispatcher_v1_UpdateTaskStatusResponse__Output>): grpc.ClientUnaryCall;
  UpdateTaskStatus(argument: _shoal_dispatcher_v1_UpdateTaskStatusRequest, callback: grpc.requestCallback<_shoal_dispatcher_v1_UpdateTaskStatusResponse__Output>): grpc.ClientUnaryCall;
  updateTaskStatus(argument: _shoal_dispatcher_v1_UpdateTaskStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_dispatcher_v1_UpdateTaskStatusResponse__Output>): grpc.ClientUnaryCall;
  updateTaskStatus(argument: _shoal_dispatcher_v1_UpdateTaskStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_dispatcher_v1_UpdateTaskStatusResponse__Output>): grpc.ClientUnaryCall;
  updateTaskStatus(argument: _shoal_dispatcher_v1_UpdateTaskStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_dispatcher_v1_UpdateTaskStatusResponse__Output>): grpc.ClientUnaryCall;
  updateTaskStatus(argument: _shoal_dispatcher_v1_UpdateTaskStatusRequest, callback: grpc.requestCallback<_shoal_dispatcher_v1_UpdateTaskStatusResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface DispatcherHandlers extends grpc.UntypedServiceImplementation {
  Assignments: grpc.handleServerStreamingCall<_shoal_dispatcher_v1_AssignmentsRequest__Output, _shoal_dispatcher_v1_AssignmentsMessage>;
  
  Heartbeat: grpc.handleUnaryCall<_shoal_dispatcher_v1_HeartbeatRequest__Output, _shoal_dispatcher_v1_HeartbeatResponse>;
  
  Session: grpc.handleServerStreamingCall<_shoal_dispatcher_v1_SessionRequest__Output, _shoal_dispatcher_v1_SessionMessage>;
  
  UpdateTaskStatus: grpc.handleUnaryCall<_shoal_dispatcher_v1_UpdateTaskStatusRequest__Output, _shoal_dispatcher_v1_UpdateTaskStatusResponse>;
  
}

export interface DispatcherDefinition extends grpc.ServiceDefinition {
  Assignments: MethodDefinition<_shoal_dispatcher_v1_AssignmentsRequest, _shoal_dispatcher_v1_AssignmentsMessage, _shoal_dispatcher_v1_AssignmentsRequest__Output, _shoal_dispatcher_v1_AssignmentsMessage__Output>
  Heartbeat: MethodDefinition<_shoal_dispatcher_v1_HeartbeatRequest, _shoal_dispatcher_v1_HeartbeatResponse, _shoal_dispatcher_v1_HeartbeatRequest__Output, _shoal_dispatcher_v1_HeartbeatResponse__Output>
  Session: MethodDefinition<_shoal_dispatcher_v1_SessionRequest, _shoal_dispatcher_v1_SessionMessage, _shoal_dispatcher_v1_SessionRequest__Output, _shoal_dispatcher_v1_SessionMessage__Output>
  UpdateTaskStatus: MethodDefinition<_shoal_dispatcher_v1_UpdateTaskStatusRequest, _shoal_dispatcher_v1_UpdateTaskStatusResponse, _shoal_dispatcher_v1_UpdateTaskStatusRequest__Output, _shoal_dispatcher_v1_UpdateTaskStatusResponse__Output>
}
