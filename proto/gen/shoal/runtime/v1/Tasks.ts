// Original file: proto/runtime.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Container as _shoal_runtime_v1_Container, Container__Output as _shoal_runtime_v1_Container__Output } from '../../../shoal/runtime/v1/Container.js';
import type { ContainerRef as _shoal_runtime_v1_ContainerRef, ContainerRef__Output as _shoal_runtime_v1_ContainerRef__Output } from '../../../shoal/runtime/v1/ContainerRef.js';
import type { Empty as _shoal_runtime_v1_Empty, Empty__Output as _shoal_runtime_v1_Empty__Output } from '../../../shoal/runtime/v1/Empty.js';
import type { ExecRequest as _shoal_runtime_v1_ExecRequest, ExecRequest__Output as _shoal_runtime_v1_ExecRequest__Output } from '../../../shoal/runtime/v1/ExecRequest.js';
import type { ExecResponse as _shoal_runtime_v1_ExecResponse, ExecResponse__Output as _shoal_runtime_v1_ExecResponse__Output } from '../../../shoal/runtime/v1/ExecResponse.js';
import type { KillRequest as _shoal_runtime_v1_KillRequest, KillRequest__Output as _shoal_runtime_v1_KillRequest__Output } from '../../../shoal/runtime/v1/KillRequest.js';
import type { Stats as _shoal_runtime_v1_Stats, Stats__Output as _shoal_runtime_v1_Stats__Output } from '../../../shoal/runtime/v1/Stats.js';
import type { StopRequest as _shoal_runtime_v1_StopRequest, StopRequest__Output as _shoal_runtime_v1_StopRequest__Output } from '../../../shoal/runtime/v1/StopRequest.js';
import type { UpdateRequest as _shoal_runtime_v1_UpdateRequest, UpdateRequest__Output as _shoal_runtime_v1_UpdateRequest__Output } from '../../../shoal/runtime/v1/UpdateRequest.js';
import type { WaitResponse as _shoal_runtime_v1_WaitResponse, WaitResponse__Output as _shoal_runtime_v1_WaitResponse__Output } from '../../../shoal/runtime/v1/WaitResponse.js';

export interface TasksClient extends grpc.Client {
  Exec(argument: _shoal_runtime_v1_ExecRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_ExecResponse__Output>): grpc.ClientUnaryCall;
  Exec(argument: _shoal_runtime_v1_ExecRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_ExecResponse__Output>): grpc.ClientUnaryCall;
  Exec(argument: _shoal_runtime_v1_ExecRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_ExecResponse__Output>): grpc.ClientUnaryCall;
  Exec(argument: _shoal_runtime_v1_ExecRequest, callback: grpc.requestCallback<_shoal_runtime_v1_ExecResponse__Output>): grpc.ClientUnaryCall;
  exec(argument: _shoal_runtime_v1_ExecRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_ExecResponse__Output>): grpc.ClientUnaryCall;
  exec(argument: _shoal_runtime_v1_ExecRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_ExecResponse__Output>): grpc.ClientUnaryCall;
  exec(argument: _shoal_runtime_v1_ExecRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_ExecResponse__Output>): grpc.ClientUnaryCall;
  exec(argument: _shoal_runtime_v1_ExecRequest, callback: grpc.requestCallback<_shoal_runtime_v1_ExecResponse__Output>): grpc.ClientUnaryCall;
  
  Kill(argument: _shoal_runtime_v1_KillRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  Kill(argument: _shoal_runtime_v1_KillRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  Kill(argument: _shoal_runtime_v1_KillRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  Kill(argument: _shoal_runtime_v1_KillRequest, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  kill(argument: _shoal_runtime_v1_KillRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  kill(argument: _shoal_runtime_v1_KillRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  kill(argument: _shoal_runtime_v1_KillRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  kill(argument: _shoal_runtime_v1_KillRequest, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  Pause(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  Pause(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  Pause(argument: _shoal_runtime_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  Pause(argument: _shoal_runtime_v1_ContainerRef, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  pause(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  pause(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  pause(argument: _shoal_runtime_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  pause(argument: _shoal_runtime_v1_ContainerRef, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  Resume(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  Resume(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  Resume(argument: _shoal_runtime_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  Resume(argument: _shoal_runtime_v1_ContainerRef, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  resume(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  resume(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  resume(argument: _shoal_runtime_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  resume(argument: _shoal_runtime_v1_ContainerRef, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  Start(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  Start(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  Start(argument: _shoal_runtime_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  Start(argument: _shoal_runtime_v1_ContainerRef, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  start(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  start(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  start(argument: _shoal_runtime_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  start(argument: _shoal_runtime_v1_ContainerRef, callback: grpc.requestCallback<_shoal_runtime_v1_Container__Output>): grpc.ClientUnaryCall;
  
  Stats(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Stats__Output>): grpc.ClientUnaryCall;
  Stats(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Stats__Output>): grpc.ClientUnaryCall;
  Stats(argument: _shoal_runtime_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Stats__Output>): grpc.ClientUnaryCall;
  Stats(argument: _shoal_runtime_v1_ContainerRef, callback: grpc.requestCallback<_shoal_runtime_v1_Stats__Output>): grpc.ClientUnaryCall;
  stats(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Stats__Output>): grpc.ClientUnaryCall;
  stats(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Stats__Output>): grpc.ClientUnaryCall;
  stats(argument: _shoal_runtime_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Stats__Output>): grpc.ClientUnaryCall;
  stats(argument: _shoal_runtime_v1_ContainerRef, callback: grpc.requestCallback<_shoal_runtime_v1_Stats__Output>): grpc.ClientUnaryCall;
  
  Stop(argument: _shoal_runtime_v1_StopRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_WaitResponse__Output>): grpc.ClientUnaryCall;
  Stop(argument: _shoal_runtime_v1_StopRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_WaitResponse__Output>): grpc.ClientUnaryCall;
  Stop(argument: _shoal_runtime_v1_StopRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_WaitResponse__Output>): grpc.ClientUnaryCall;
  Stop(argument: _shoal_runtime_v1_StopRequest, callback: grpc.requestCallback<_shoal_runtime_v1_WaitResponse__Output>): grpc.ClientUnaryCall;
  stop(argument: _shoal_runtime_v1_StopRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_WaitResponse__Output>): grpc.ClientUnaryCall;
  stop(argument: _shoal_runtime_v1_StopRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_WaitResponse__Output>): grpc.ClientUnaryCall;
  stop(argument: _shoal_runtime_v1_StopRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_WaitResponse__Output>): grpc.ClientUnaryCall;
  stop(argument: _shoal_runtime_v1_StopRequest, callback: grpc.requestCallback<_shoal_runtime_v1_WaitResponse__Output>): grpc.ClientUnaryCall;
  
  Update(argument: _shoal_runtime_v1_UpdateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  Update(argument: _shoal_runtime_v1_UpdateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  Update(argument: _shoal_runtime_v1_UpdateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  Update(argument: _shoal_runtime_v1_UpdateRequest, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  update(argument: _shoal_runtime_v1_UpdateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  update(argument: _shoal_runtime_v1_UpdateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  update(argument: _shoal_runtime_v1_UpdateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  update(argument: _shoal_runtime_v1_UpdateRequest, callback: grpc.requestCallback<_shoal_runtime_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  Wait(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_WaitResponse__Output>): grpc.ClientUnaryCall;
  Wait(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_WaitResponse__Output>): grpc.ClientUnaryCall;
  Wait(argument: _shoal_runtime_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_WaitResponse__Output>): grpc.ClientUnaryCall;
  Wait(argument: _shoal_runtime_v1_ContainerRef, callback: grpc.requestCallback<_shoal_runtime_v1_WaitResponse__Output>): grpc.ClientUnaryCall;
  wait(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_WaitResponse__Output>): grpc.ClientUnaryCall;
  wait(argument: _shoal_runtime_v1_ContainerRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_shoal_runtime_v1_WaitResponse__Output>): grpc.ClientUnaryCall;
  wait(argument: _shoal_runtime_v1_ContainerRef, options: grpc.CallOptions, callback: grpc.requestCallback<_shoal_runtime_v1_WaitResponse__Output>): grpc.ClientUnaryCall;
  wait(argument: _shoal_runtime_v1_ContainerRef, callback: grpc.requestCallback<_shoal_runtime_v1_WaitResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface TasksHandlers extends grpc.UntypedServiceImplementation {
  Exec: grpc.handleUnaryCall<_shoal_runtime_v1_ExecRequest__Output, _shoal_runtime_v1_ExecResponse>;
  
  Kill: grpc.handleUnaryCall<_shoal_runtime_v1_KillRequest__Output, _shoal_runtime_v1_Empty>;
  
  Pause: grpc.handleUnaryCall<_shoal_runtime_v1_ContainerRef__Output, _shoal_runtime_v1_Empty>;
  
  Resume: grpc.handleUnaryCall<_shoal_runtime_v1_ContainerRef__Output, _shoal_runtime_v1_Empty>;
  
  Start: grpc.handleUnaryCall<_shoal_runtime_v1_ContainerRef__Output, _shoal_runtime_v1_Container>;
  
  Stats: grpc.handleUnaryCall<_shoal_runtime_v1_ContainerRef__Output, _shoal_runtime_v1_Stats>;
  
  Stop: grpc.handleUnaryCall<_shoal_runtime_v1_StopRequest__Output, _shoal_runtime_v1_WaitResponse>;
  
  Update: grpc.handleUnaryCall<_shoal_runtime_v1_UpdateRequest__Output, _shoal_runtime_v1_Empty>;
  
  Wait: grpc.handleUnaryCall<_shoal_runtime_v1_ContainerRef__Output, _shoal_runtime_v1_WaitResponse>;
  
}

export interface TasksDefinition extends grpc.ServiceDefinition {
  Exec: MethodDefinition<_shoal_runtime_v1_ExecRequest, _shoal_runtime_v1_ExecResponse, _shoal_runtime_v1_ExecRequest__Output, _shoal_runtime_v1_ExecResponse__Output>
  Kill: MethodDefinition<_shoal_runtime_v1_KillRequest, _shoal_runtime_v1_Empty, _shoal_runtime_v1_KillRequest__Output, _shoal_runtime_v1_Empty__Output>
  Pause: MethodDefinition<_shoal_runtime_v1_ContainerRef, _shoal_runtime_v1_Empty, _shoal_runtime_v1_ContainerRef__Output, _shoal_runtime_v1_Empty__Output>
  Resume: MethodDefinition<_shoal_runtime_v1_ContainerRef, _shoal_runtime_v1_Empty, _shoal_runtime_v1_ContainerRef__Output, _shoal_runtime_v1_Empty__Output>
  Start: MethodDefinition<_shoal_runtime_v1_ContainerRef, _shoal_runtime_v1_Container, _shoal_runtime_v1_ContainerRef__Output, _shoal_runtime_v1_Container__Output>
  Stats: MethodDefinition<_shoal_runtime_v1_ContainerRef, _shoal_runtime_v1_Stats, _shoal_runtime_v1_ContainerRef__Output, _shoal_runtime_v1_Stats__Output>
  Stop: MethodDefinition<_shoal_runtime_v1_StopRequest, _shoal_runtime_v1_WaitResponse, _shoal_runtime_v1_StopRequest__Output, _shoal_runtime_v1_WaitResponse__Output>
  Update: MethodDefinition<_shoal_runtime_v1_UpdateRequest, _shoal_runtime_v1_Empty, _shoal_runtime_v1_UpdateRequest__Output, _shoal_runtime_v1_Empty__Output>
  Wait: MethodDefinition<_shoal_runtime_v1_ContainerRef, _shoal_runtime_v1_WaitResponse, _shoal_runtime_v1_ContainerRef__Output, _shoal_runtime_v1_WaitResponse__Output>
}
