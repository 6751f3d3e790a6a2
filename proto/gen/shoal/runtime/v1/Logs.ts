// Original file: proto/runtime.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { LogLine as _shoal_runtime_v1_LogLine, LogLine__Output as _shoal_runtime_v1_LogLine__Output } from '../../../shoal/runtime/v1/LogLine.js';
import type { LogsRequest as _shoal_runtime_v1_LogsRequest, LogsRequest__Output as _shoal_runtime_v1_LogsRequest__Output } from '../../../shoal/runtime/v1/LogsRequest.js';

export interface LogsClient extends grpc.Client {
  Read(argument: _shoal_runtime_v1_LogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_runtime_v1_LogLine__Output>;
  Read(argument: _shoal_runtime_v1_LogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_runtime_v1_LogLine__Output>;
  read(argument: _shoal_runtime_v1_LogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_runtime_v1_LogLine__Output>;
  read(argument: _shoal_runtime_v1_LogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_shoal_runtime_v1_LogLine__Output>;
  
}

export interface LogsHandlers extends grpc.UntypedServiceImplementation {
  Read: grpc.handleServerStreamingCall<_shoal_runtime_v1_LogsRequest__Output, _shoal_runtime_v1_LogLine>;
  
}

export interface LogsDefinition extends grpc.ServiceDefinition {
  Read: MethodDefinition<_shoal_runtime_v1_LogsRequest, _shoal_runtime_v1_LogLine, _shoal_runtime_v1_LogsRequest__Output, _shoal_runtime_v1_LogLine__Output>
}
