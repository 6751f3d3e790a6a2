// Original file: proto/agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { TaskContainer as _shoal_access_v1_TaskContainer, TaskContainer__Output as _shoal_access_v1_TaskContainer__Output } from '../../../shoal/access/v1/TaskContainer.js';
import type { TaskExecRequest as _shoal_access_v1_TaskExecRequest, TaskExecRequest__Output as _shoal_access_v1_TaskExecRequest__Output } from '../../../shoal/access/v1/TaskExecRequest.js';
import type { TaskExecResponse as _shoal_access_v1_TaskExecResponse, TaskExecResponse__Output as _shoal_access_v1_TaskExecResponse__Output } from '../../../shoal/access/v1/TaskExecResponse.js';
import type { TaskLogLine as _shoal_access_v1_TaskLogLine, TaskLogLine__Output as _shoal_access_v1_TaskLogLine__Output } from '../../../shoal/access/v1/TaskLogLine.js';
import type { TaskLogsRequest as _shoal_access_v1_TaskLogsRequest, TaskLogsRequest__Output as _shoal_access_v1_TaskLogsRequest__Output } from '../../../shoal/access/v1/TaskLogsRequest.js';
import type { TaskRef as _shoal_access_v1_TaskRef, TaskRef__Output as _shoal_access_v1_TaskRef__Output } from '../../../shoal/access/v1/TaskRef.js';

export interface TaskAccessClient extends grpc.Client {
  Exec(argument: _shoal_access_v1_TaskExecRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_access_v1_TaskExecResponse__Output>): grpc.ClientUnaryCall;
  Exec(argument: _shoal_access_v1_TaskExecRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_access_v1_TaskExecResponse__Output>): grpc.ClientUnaryCall;
  Exec(argument: _shoal_access_v1_TaskExecRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_access_v1_TaskExecResponse__Output>): grpc.ClientUnaryCall;
  Exec(argument: _shoal_access_v1_TaskExecRequest, callback: grpc.requestCallback<_shoal_access_v1_TaskExecResponse__Output>): grpc.ClientUnaryCall;
  exec(argument: _shoal_access_v1_TaskExecRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_access_v1_TaskExecResponse__Output>): grpc.ClientUnaryCall;
  exec(argument: _shoal_access_v1_TaskExecRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_access_v1_TaskExecResponse__Output>): grpc.ClientUnaryCall;
  exec(argument: _shoal_access_v1_TaskExecRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_access_v1_TaskExecResponse__Output>): grpc.ClientUnaryCall;
  exec(argument: _shoal_access_v1_TaskExecRequest, callback: grpc.requestCallback<_shoal_access_v1_TaskExecResponse__Output>): grpc.ClientUnaryCall;
  
  Inspect(argument: _shoal_access_v1_TaskRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_access_v1_TaskContainer__Output>): grpc.ClientUnaryCall;
  Inspect(argument: _shoal_access_v1_TaskRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_access_v1_TaskContainer__Output>): grpc.ClientUnaryCall;
  Inspect(argument: _shoal_access_v1_TaskRef, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_access_v1_TaskContainer__Output>): grpc.ClientUnaryCall;
  Inspect(argument: _shoal_access_v1_TaskRef, callback: grpc.requestCallback<_shoal_access_v1_TaskContainer__Output>): grpc.ClientUnaryCall;
  inspect(argument: _shoal_access_v1_TaskRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_access_v1_TaskContainer__Output>): grpc.ClientUnaryCall;
  inspect(argument: _shoal_access_v1_TaskRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_access_v1_TaskContainer__Output>): grpc.ClientUnaryCall;
  inspect(argument: _shoal_access_v1_TaskRef, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_access_v1_TaskContainer__Output>): grpc.ClientUnaryCall;
  inspect(argument: _shoal_access_v1_TaskRef, callback: grpc.requestCallback<_shoal_access_v1_TaskContainer__Output>): grpc.ClientUnaryCall;
  
  Logs(argument: _shoal_access_v1_TaskLogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_access_v1_TaskLogLine__Output>;
  Logs(argument: _shoal_access_v1_TaskLogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_access_v1_TaskLogLine__Output>;
  logs(argument: _shoal_access_v1_TaskLogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_access_v1_TaskLogLine__Output>;
  logs(argument: _shoal_access_v1_TaskLogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_access_v1_TaskLogLine__Output>;
  
}

export interface TaskAccessHandlers extends grpc.UntypedServiceImplementation {
  Exec: grpc.handleUnaryCall<_shoal_access_v1_TaskExecRequest__Output, _shoal_access_v1_TaskExecResponse>;
  
  Inspect: grpc.handleUnaryCall<_shoal_access_v1_TaskRef__Output, _shoal_access_v1_TaskContainer>;
  
  Logs: grpc.handleServerStreamingCall<_shoal_access_v1_TaskLogsRequest__Output, _shoal_access_v1_TaskLogLine>;
  
}

export interface TaskAccessDefinition extends grpc.ServiceDefinition {
  Exec: MethodDefinition<_shoal_access_v1_TaskExecRequest, _shoal_access_v1_TaskExecResponse, _shoal_access_v1_TaskExecRequest__Output, _shoal_access_v1_TaskExecResponse__Output>
  Inspect: MethodDefinition<_shoal_access_v1_TaskRef, _shoal_access_v1_TaskContainer, _shoal_access_v1_TaskRef__Output, _shoal_access_v1_TaskContainer__Output>
  Logs: MethodDefinition<_shoal_access_v1_TaskLogsRequest, _shoal_access_v1_TaskLogLine, _shoal_access_v1_TaskLogsRequest__Output, _shoal_access_v1_TaskLogLine__Output>
}
